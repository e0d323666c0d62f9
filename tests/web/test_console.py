"""The dispatcher console beyond the main story: a bus's stops, its printable manifest, a
breakdown and the waitlist it leaves, English; only staff get in. axe-core checks every state."""

from __future__ import annotations

import re

from _web import AXE, Server, Tab
from playwright.sync_api import expect


def test_manifest_breakdown_and_waitlist(tab: Tab, server: Server) -> None:
    page = tab.page
    tab.open("/console")
    tab.sign_in("dispatcher", "dispatcher-demo")
    tab.wait_for_map()
    lanes = page.locator("#timeline .lane")
    expect(lanes.first).to_be_visible()
    count = lanes.count()
    staff = server.token("dispatcher", "dispatcher-demo")
    day = server.get(f"/v1/dispatch/days/tainan/{server.service_date}", staff)
    assert count == len(day["routes"])
    expect(page.locator("[data-figure=requests]")).to_have_text(str(day["figures"]["requests"]))
    # Every stop of every bus is on the timeline, and every route on the map.
    stops = sum(len(r["stops"]) for r in day["routes"])
    expect(page.locator("#timeline .stop")).to_have_count(stops)
    expect(page.locator("#map path[class*=route-]")).to_have_count(
        sum(1 for r in day["routes"] if sum(s["lat"] is not None for s in r["stops"]) > 1)
    )

    route = day["routes"][-1]
    vehicle = route["vehicle_id"]
    page.get_by_role("button", name=re.compile(f"^{vehicle}：")).click()
    expect(page.locator("#vehicle-heading")).to_have_text(f"車輛 {vehicle}")
    expect(page.locator("#vehicle-heading")).to_be_focused()
    expect(page.locator("#stops-table tbody tr")).to_have_count(len(route["stops"]))
    tab.axe("console, one bus's stops")

    with tab.context.expect_page() as popup:
        page.get_by_role("button", name="列印行車單").click()
    manifest = popup.value
    expect(manifest.locator("h1")).to_contain_text("行車單")
    expect(manifest.locator("body")).to_contain_text(vehicle)
    pickups = sum(s["kind"] == "pickup" for s in route["stops"])
    expect(manifest.locator("tbody tr")).to_have_count(
        sum(s["kind"] != "break" for s in route["stops"])
    )
    assert pickups > 0
    manifest.add_script_tag(path=str(AXE))
    result = manifest.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})"
    )
    serious = [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, serious
    manifest.close()

    page.get_by_role("button", name="標記故障").click()
    expect(page.get_by_label("故障時間")).to_be_focused()
    expect(page.get_by_label("故障時間")).to_have_value(route["depart"][11:16])
    page.get_by_label("備註").fill("冷氣故障")
    tab.axe("console, the breakdown form")
    page.get_by_role("button", name="確認故障並改派").click()
    expect(page.locator("#find-result")).to_contain_text(
        re.compile(f"{vehicle} 已退出當日服務：改派 \\d+ 筆，候補 \\d+ 筆")
    )
    expect(page.locator(f"#timeline .lane[data-vehicle='{vehicle}']")).to_have_count(0)
    after = server.get(f"/v1/dispatch/days/tainan/{server.service_date}", staff)
    waiting = after["not_planned"]
    rows = page.locator("#unplanned tbody tr")
    expect(rows).to_have_count(len(waiting))
    words = {"waitlisted": "候補中", "refused": "無法預約", "interrupted": "行程中斷"}
    for b in waiting:
        row = page.locator(f"#unplanned tr[data-booking='{b['booking_id']}']")
        expect(row).to_contain_text(words[b["status"]])
    tab.axe("console, after a breakdown")
    tab.shot("console-breakdown")

    page.get_by_role("button", name="Switch to English").click()
    expect(page.locator("h1")).to_have_text("Rehab bus dispatcher console")
    expect(page.get_by_role("heading", name="Timeline of every bus")).to_be_visible()
    page.get_by_role("button", name="Larger text").click()
    expect(page.locator("html")).to_have_class("large-text")
    tab.axe("console in English, larger text")
    tab.shot("console-english-large-text")


def test_riders_are_kept_out_of_the_console(tab: Tab) -> None:
    tab.open("/console")
    tab.page.get_by_label("帳號").fill("rider")
    tab.page.get_by_label("密碼").fill("rider-demo")
    tab.page.get_by_role("button", name="登入").click()
    expect(tab.page.get_by_role("alert")).to_contain_text("僅限調度員")
    expect(tab.page.locator("#signed-in")).to_be_hidden()
    tab.axe("console, a rider turned away")


def test_landing_page_links_both_pages(tab: Tab) -> None:
    tab.open("/")
    expect(tab.page.get_by_role("link", name=re.compile("乘客預約"))).to_have_attribute(
        "href", "/rider"
    )
    expect(tab.page.get_by_role("link", name=re.compile("調度台"))).to_have_attribute(
        "href", "/console"
    )
    tab.axe("landing page")
    tab.shot("landing")
    tab.page.get_by_role("button", name="Switch to English").click()
    expect(tab.page.get_by_role("link", name=re.compile("Book a trip"))).to_be_visible()
    tab.axe("landing page in English")
