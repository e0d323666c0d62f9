"""The rider page beyond the main story: a caregiver books for a linked rider and cancels;
a refused trip with its alternatives; English and larger text; keyboard-only use. axe-core
checks every state."""

from __future__ import annotations

import re
import uuid

from _rider import choose_place
from _web import Server, Tab
from playwright.sync_api import expect

NO_CERTIFICATE_PASSWORD = "no-certificate-1"


def test_caregiver_books_for_a_linked_rider_and_cancels(tab: Tab, server: Server) -> None:
    page = tab.page
    tab.open("/rider")
    tab.sign_in("caregiver", "caregiver-demo")
    tab.wait_for_map()
    riders = page.locator("#rider option")
    expect(riders).to_have_count(2)  # the two riders the caregiver is linked to
    second = riders.nth(1)
    name = second.inner_text()
    page.get_by_label("為哪位乘客預約").select_option(second.get_attribute("value"))
    expect(page.locator("#book-form")).not_to_have_attribute("aria-busy", "true")
    choose_place(page, "pickup", None, "家 Home")  # the rider's saved places, by the arrow key
    choose_place(page, "dropoff", "臺南醫院", "衛生福利部臺南醫院")
    page.locator("#date").fill(server.service_date.isoformat())
    page.get_by_label("上車時間").check()
    expect(page.locator("#time-label")).to_have_text("上車時間")
    page.locator("#time").fill("13:15")
    page.get_by_label("目的").select_option("rehabilitation")
    tab.axe("rider page, caregiver's form")
    page.get_by_role("button", name="送出預約").click()
    answer = page.locator("#answer .answer")
    expect(answer.locator(".status")).to_have_text("已接受")
    booking_id = answer.get_attribute("data-booking")
    trip = page.locator(f"#trips li[data-booking='{booking_id}']")
    expect(trip).to_contain_text(name)
    expect(trip).to_contain_text("衛生福利部臺南醫院")
    tab.shot("rider-caregiver-booked")

    trip.get_by_role("button", name="取消此行程").click()
    confirm = trip.get_by_role("button", name="確定取消")
    expect(confirm).to_be_focused()
    tab.axe("rider page, confirming a cancellation")
    confirm.click()
    expect(page.locator("#trips-status")).to_contain_text("已取消")
    expect(page.locator(f"#trips li[data-booking='{booking_id}']")).to_have_count(0)
    expect(page.locator("#trips-heading")).to_be_focused()
    tab.axe("rider page, after a cancellation")
    token = server.token("caregiver", "caregiver-demo")
    assert server.get(f"/v1/bookings/{booking_id}", token)["status"] == "cancelled"


def _rider_without_certificate(server: Server) -> str:
    """A rider with a sign-in and a saved home but no disability certificate: the eligibility
    rule refuses their trips (a refusal that is stored, with alternatives). Returns the
    username."""
    staff = server.token("dispatcher", "dispatcher-demo")
    username = f"nocert-{uuid.uuid4().hex[:8]}"
    rider = server.post(
        "/v1/riders",
        staff,
        {
            "name": "無證明乘客",
            "birth_date": "1948-02-03",
            "mobility": "walks",
            "username": username,
            "password": NO_CERTIFICATE_PASSWORD,
        },
    )
    home = {"label": "家 Home", "lat": 22.9861, "lon": 120.2207}  # 東區, 1.7 km from NCKU
    server.post(f"/v1/riders/{rider['id']}/places", staff, home)
    return username


def test_refused_trip_shows_its_alternatives_in_both_languages(tab: Tab, server: Server) -> None:
    page = tab.page
    tab.open("/rider")
    username = _rider_without_certificate(server)
    tab.sign_in(username, NO_CERTIFICATE_PASSWORD)
    tab.wait_for_map()
    choose_place(page, "pickup", None, "家 Home")
    choose_place(page, "dropoff", "成大醫院", "國立成功大學醫學院附設醫院")
    page.locator("#date").fill(server.service_date.isoformat())
    page.get_by_label("上車時間").check()
    # A time after the service hours is a mistake to fix on the form: said, nothing booked.
    page.locator("#time").fill("23:30")
    page.get_by_role("button", name="送出預約").click()
    expect(page.locator("#book-error")).to_contain_text("不在服務時間內")
    expect(page.locator("#book-error")).to_contain_text("pickup_at")
    expect(page.locator("#answer .answer")).to_have_count(0)
    token = server.token(username, NO_CERTIFICATE_PASSWORD)
    assert server.get("/v1/bookings", token) == []
    # Inside the hours, the eligibility rule refuses the trip: an answer with alternatives.
    page.locator("#time").fill("10:00")
    page.get_by_role("button", name="送出預約").click()
    answer = page.locator("#answer .answer")
    expect(answer.locator(".status")).to_have_text("無法預約")
    expect(answer).to_contain_text("其他選擇")
    expect(answer.locator("li")).to_contain_text(["無障礙計程車"])
    stored = server.get(f"/v1/bookings/{answer.get_attribute('data-booking')}", token)
    assert (stored["status"], stored["reason"]) == ("refused", "eligibility.certificate_required")
    tab.axe("rider page, a refused trip with alternatives")

    page.get_by_role("button", name="Switch to English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Book a rehabilitation bus")
    expect(answer.locator(".status")).to_have_text("Not possible")
    expect(answer.locator("li")).to_contain_text(["accessible taxi"])
    page.get_by_role("button", name="Larger text").click()
    expect(page.get_by_role("button", name="Larger text")).to_have_attribute("aria-pressed", "true")
    tab.axe("rider page in English, larger text")
    tab.shot("rider-english-large-text")
    page.get_by_role("button", name="切換為中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")


def test_a_wrong_password_is_said_in_words(tab: Tab) -> None:
    tab.open("/rider")
    tab.page.get_by_label("帳號").fill("rider")
    tab.page.get_by_label("密碼").fill("not-the-password")
    tab.page.get_by_role("button", name="登入").click()
    expect(tab.page.get_by_role("alert")).to_contain_text("帳號或密碼錯誤")
    expect(tab.page.get_by_label("密碼")).to_be_focused()
    tab.axe("rider page, a failed sign-in")


def test_keyboard_alone_signs_in_books_and_reaches_every_control(tab: Tab, server: Server) -> None:
    page = tab.page
    tab.open("/rider")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="跳到主要內容")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("帳號")).to_be_focused()
    page.keyboard.type("rider")
    page.keyboard.press("Tab")
    page.keyboard.type("rider-demo")
    page.keyboard.press("Enter")
    page.locator("#signed-in").wait_for(state="visible")
    tab.wait_for_map()

    reached = []
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id || document.activeElement.name"))
    for control in (
        "pickup-place",
        "dropoff-place",
        "date",
        "time",
        "purpose",
        "companions",
        "shared",
        "book-button",
        "map",
        "map-target",
        "time-kind",
        "mobility",
    ):
        assert control in reached, (control, reached)

    page.locator("#pickup-place").focus()
    page.keyboard.press("ArrowDown")  # the saved places, the first one active: home
    page.keyboard.press("Enter")
    expect(page.locator("#pickup-place")).to_have_attribute("data-choice", "saved:1")
    page.locator("#dropoff-place").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # the second: the hospital
    page.keyboard.press("Enter")
    expect(page.locator("#dropoff-place")).to_have_attribute("data-choice", "saved:2")
    page.locator("#time").focus()  # its text is selected: typing replaces it
    page.keyboard.type("1100")
    page.locator("#book-button").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#answer-heading")).to_be_focused()
    expect(page.locator("#answer .status")).to_have_text("已接受")
    booking_id = page.locator("#answer .answer").get_attribute("data-booking")
    cancel = page.locator(f"#trips li[data-booking='{booking_id}'] [data-cancel]")
    cancel.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="確定取消")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "keep the trip": focus returns to its cancel button
    expect(cancel).to_be_focused()
    day = server.service_date  # shown in the 民國 calendar by default
    assert f"民國{day.year - 1911}年{day.month}月{day.day}日" in page.locator("#trips").inner_text()


def test_a_point_on_the_map_becomes_a_saved_place(tab: Tab, server: Server) -> None:
    page = tab.page
    tab.open("/rider")
    tab.sign_in("rider", "rider-demo")
    tab.wait_for_map()
    save = page.get_by_role("button", name="把地圖上選的點存為常用地點")
    expect(save).to_be_disabled()
    box = page.locator("#map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.6)
    expect(page.locator("#pickup-place")).to_have_attribute("data-choice", "map:pickup")
    page.locator("#pickup-note").fill("復健診所")
    save.click()
    expect(page.get_by_text("已將「復健診所」存為常用地點。")).to_be_visible()
    expect(page.locator("#pickup-place")).to_have_value("復健診所")
    expect(page.locator("#pickup-place")).to_have_attribute("data-choice", re.compile(r"^saved:"))
    page.locator("#dropoff-place").focus()
    page.keyboard.press("ArrowDown")  # the saved places
    saved = page.locator("#dropoff-options .option-label")
    expect(saved).to_contain_text(["家 Home", "成大醫院 NCKU Hospital", "復健診所"])
    expect(save).to_be_disabled()
    tab.axe("rider page, a place saved")
    token = server.token("rider", "rider-demo")
    me = server.get("/v1/me", token)
    places = server.get(f"/v1/riders/{me['rider_id']}/places", token)
    assert "復健診所" in [p["label"] for p in places]
