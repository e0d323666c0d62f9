"""What the bot says: Traditional Chinese first, short English after. The booking's answer is
the booking service's own (`BookingPublic`), written out, never decided again here."""

from __future__ import annotations

import datetime as dt

from rehabus.dispatch.booking import TripPurpose
from rehabus.dispatch.model import Mobility
from rehabus.service.schemas import BookingPublic

__all__ = [
    "MOBILITY",
    "PURPOSE",
    "answer_text",
    "day_text",
    "trip_line",
]

MOBILITY: dict[Mobility, str] = {
    Mobility.WHEELCHAIR: "坐輪椅 wheelchair",
    Mobility.WHEELCHAIR_TRANSFER: "可移位 transfers",
    Mobility.WALKS: "步行 walks",
}
"""The API's mobility values, as the buttons say them."""

PURPOSE: dict[TripPurpose, str] = {
    TripPurpose.DIALYSIS: "洗腎 dialysis",
    TripPurpose.MEDICAL: "就醫 medical",
    TripPurpose.REHABILITATION: "復健 rehabilitation",
    TripPurpose.WORK_OR_SCHOOL: "就業就學 work/school",
    TripPurpose.OTHER: "其他 other",
}

_WEEKDAYS_ZH = "一二三四五六日"
_STATUS = {
    "accepted": "已預約 booked",
    "waitlisted": "候補中 waitlisted",
    "refused": "未成立 refused",
    "cancelled": "已取消 cancelled",
}


def day_text(day: dt.date) -> str:
    """``12/10（三）``."""
    return f"{day.month}/{day.day}（{_WEEKDAYS_ZH[day.weekday()]}）"


def _hm(moment: dt.datetime | None) -> str:
    return "" if moment is None else f"{moment:%H:%M}"


def _place(address: str) -> str:
    return address or "（地圖上的點 a point on the map）"


def answer_text(result: BookingPublic) -> str:
    """The booking service's answer, as the API gave it: accepted with the promised pickup
    window and the fare, or waitlisted or refused with the reason and the alternatives."""
    lines: list[str] = []
    if result.status == "accepted":
        lines.append("✅ 預約成功 Booked")
        lines.append(f"日期 date：{day_text(result.service_date)}")
        if result.promised_window is not None:
            window = f"{_hm(result.promised_window.start)}–{_hm(result.promised_window.end)}"
            lines.append(f"上車時段 pickup window：{window}")
        if result.estimated_dropoff_at is not None:
            lines.append(f"預計到達 arrives about：{_hm(result.estimated_dropoff_at)}")
    elif result.status == "waitlisted":
        lines.append("⏳ 候補中 Waitlisted")
    else:
        lines.append("❌ 未能預約 Not booked")
    lines.append(f"上車 from：{_place(result.pickup.address)}")
    lines.append(f"下車 to：{_place(result.dropoff.address)}")
    if result.fare is not None and result.status != "refused":
        fare = result.fare
        lines.append(
            f"車資 fare：NT$ {fare.amount_twd}（共乘 NT$ {fare.amount_if_shared_twd} if shared）"
        )
    if result.message_zh:
        lines.append(result.message_zh)
    if result.message_en:
        lines.append(result.message_en)
    for alternative in result.alternatives:
        lines.append(f"・{alternative.message_zh} {alternative.message_en}")
    lines.append(f"預約編號 booking：{result.id[:8]}")
    return "\n".join(lines)


def trip_line(number: int | None, booking: BookingPublic, rider_name: str | None) -> str:
    """One upcoming trip (numbered in the list of "my trips")."""
    if booking.promised_window is not None:
        when = f"{_hm(booking.promised_window.start)}–{_hm(booking.promised_window.end)}"
    elif booking.requested_pickup_at is not None:
        when = f"{_hm(booking.requested_pickup_at)} 上車 pickup"
    else:
        when = f"{_hm(booking.appointment_at)} 前到達 arrive by"
    who = f"{rider_name} " if rider_name else ""
    status = _STATUS.get(booking.status, booking.status)
    prefix = "" if number is None else f"{number}. "
    return (
        f"{prefix}{day_text(booking.service_date)} {when} {who}"
        f"{_place(booking.pickup.address)} → {_place(booking.dropoff.address)}（{status}）"
    )
