"""The whole story in two browsers: a rider books a trip on the rider page and sees it; a
dispatcher finds it on the console's map and timeline, re-optimizes the day, and the rider's
promised pickup window still holds. axe-core checks every state; screenshots are saved."""

from __future__ import annotations

import re

from _rider import choose_place
from _web import Server, Tab
from playwright.sync_api import expect


def test_rider_books_and_dispatcher_reoptimizes(tab: Tab, second_tab: Tab, server: Server) -> None:
    rider, page = tab, tab.page
    rider.open("/rider")
    rider.axe("rider page, signed out")
    rider.sign_in("rider", "rider-demo")
    rider.wait_for_map()
    rider.axe("rider page, booking form")

    # Pickup from the rider's saved places; drop-off picked on the map.
    choose_place(page, "pickup", None, "家 Home")
    page.get_by_label("下車地點").check()  # the map's click now sets the drop-off
    box = page.locator("#map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.45)
    expect(page.locator("#dropoff-place")).to_have_attribute("data-choice", "map:dropoff")
    page.locator("#dropoff-note").fill("成功大學 光復校區 大門")
    page.locator("#date").fill(server.service_date.isoformat())
    page.get_by_label("看診（到達）時間").check()
    # The demo rider already rides 09:37-09:40 and 12:11-12:18 that day; one trip at a time.
    page.locator("#time").fill("15:30")
    page.get_by_label("輪椅（不下輪椅）").check()
    page.get_by_label("陪同人數").select_option("1")
    page.get_by_role("button", name="送出預約").click()

    answer = page.locator("#answer .answer")
    expect(answer.locator(".status")).to_have_text("已接受")
    expect(page.locator("#answer-heading")).to_be_focused()
    booking_id = answer.get_attribute("data-booking")
    assert booking_id
    facts = answer.locator("dl.facts")
    expect(facts).to_contain_text("上車時間窗")
    expect(facts).to_contain_text(re.compile(r"新臺幣 \d+ 元"))
    window_text = facts.locator("dt:has-text('上車時間窗') + dd").inner_text()
    trip = page.locator(f"#trips li[data-booking='{booking_id}']")
    expect(trip).to_contain_text(window_text)
    expect(trip).to_contain_text("成功大學 光復校區 大門")
    rider.axe("rider page, answer and upcoming trips")
    rider.shot("rider-booked")

    rider_token = server.token("rider", "rider-demo")
    before = server.get(f"/v1/bookings/{booking_id}", rider_token)
    assert before["status"] == "accepted" and before["mobility"] == "wheelchair"
    assert before["companions"] == 1

    # The dispatcher finds it on the map and the timeline.
    console, desk = second_tab, second_tab.page
    console.open("/console")
    console.axe("console, signed out")
    console.sign_in("dispatcher", "dispatcher-demo")
    console.wait_for_map()
    expect(desk.locator("#date")).to_have_value(server.service_date.isoformat())
    expect(desk.locator("#map")).to_have_attribute("data-paths", re.compile(r"\d"))
    console.shot("console-day")
    desk.get_by_label("查詢訂單編號").fill(booking_id[:8])
    desk.get_by_role("button", name="查詢", exact=True).click()
    vehicle = before["vehicle_id"]
    expect(desk.locator("#find-result")).to_contain_text(vehicle)
    lane = desk.locator(f"#timeline .lane[data-vehicle='{vehicle}']")
    expect(lane.locator(f".stop.new[data-booking='{booking_id}']")).to_have_count(2)
    expect(desk.locator(f"#map path.stop-pickup-{booking_id}")).to_have_count(1)
    expect(desk.locator(f"#map path.stop-dropoff-{booking_id}")).to_have_count(1)
    expect(desk.locator("#vehicle-heading")).to_contain_text(vehicle)
    expect(desk.locator("#stops-table tr.found")).to_have_count(2)
    console.axe("console, the day with a booking found")
    console.shot("console")

    # Re-optimize with a short time limit; the job's progress and its figures are shown.
    desk.get_by_label("計算時間上限（秒）").fill("2")
    desk.get_by_role("button", name="重新最佳化當日路線").click()
    status = desk.locator("#job-status")
    expect(status).to_have_attribute(
        "data-status", re.compile("succeeded|rejected"), timeout=180_000
    )
    assert status.get_attribute("data-status") == "succeeded", status.inner_text()
    expect(desk.locator("#job-progress")).to_have_attribute("value", "1")
    table = desk.locator("#job-result table")
    expect(table.locator("tbody tr")).to_have_count(9)
    expect(table.locator("td[data-before=served]")).to_have_text(
        table.locator("td[data-after=served]").inner_text()
    )
    console.axe("console, after re-optimization")
    console.shot("console-reoptimized")

    # The rider's promise holds: the same window, and the planned pickup inside it.
    after = server.get(f"/v1/bookings/{booking_id}", rider_token)
    assert after["status"] == "accepted"
    assert after["promised_window"] == before["promised_window"]
    staff = server.token("dispatcher", "dispatcher-demo")
    day = server.get(f"/v1/dispatch/days/tainan/{server.service_date}", staff)
    pickups = [
        s
        for r in day["routes"]
        for s in r["stops"]
        if s["booking_id"] == booking_id and s["kind"] == "pickup"
    ]
    assert len(pickups) == 1
    window = after["promised_window"]
    assert window["start"] <= pickups[0]["start"] <= window["end"]
    page.reload()
    rider.wait_for_map()
    expect(page.locator(f"#trips li[data-booking='{booking_id}']")).to_contain_text(window_text)
