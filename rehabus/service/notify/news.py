"""What riders are told, and when: the news the outbox (`outbox.Notifier`) carries.

- the evening before (from ``REMINDER_HOUR`` in the city's time): each trip of the next day,
  with its promised window and where the bus stops;
- a bus on the road estimated within ``NEAR_S`` of a pickup (its stops before counted): be
  ready;
- a pickup estimated after its promised window, or a drop-off after the appointment: sorry,
  the new estimate (told again when the estimate moves into another ten minutes);
- a trip moved to another bus (a breakdown, or a bus that runs late), with its window
  unchanged; or waitlisted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from rehabus.dispatch.city import CityConfig
from rehabus.dispatch.live import Risk, StopEstimate, StopState, Timeline
from rehabus.service.db.models import Booking, Notification
from rehabus.service.notify.outbox import Message, Notifier

__all__ = [
    "NEAR_S",
    "REMINDER_HOUR",
    "about_the_bus",
    "after_breakdown",
    "moved_for_lateness",
    "remind",
]

NEAR_S = 10 * 60
"""A bus this close to a pickup it is heading to is announced."""
REMINDER_HOUR = 18
"""The hour (city time) from which the next day's trips are recalled."""


def _clock(seconds: int | None) -> str:
    if seconds is None:
        return "--:--"
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _window(b: Booking) -> str:
    return f"{_clock(b.window_start_s)}–{_clock(b.window_end_s)}"


def about_the_bus(notifier: Notifier, session: Session, timeline: Timeline) -> int:
    """Tell the riders of one bus what its new estimates mean for them; how many messages
    were new."""
    new = 0
    for stop in timeline.stops:
        if stop.state is StopState.DONE:
            continue
        booking = session.get(Booking, stop.trip_id)
        if booking is None or booking.status != "accepted":
            continue
        if (
            timeline.on_road  # only a bus that has set out says when it comes
            and stop.kind == "pickup"
            and stop.state is StopState.PLANNED
            and stop.estimate_s - timeline.now_s <= NEAR_S
        ):
            minutes = max(1, round((stop.estimate_s - timeline.now_s) / 60))
            new += notifier.enqueue(
                session,
                Message(
                    f"{booking.id}:bus_near",
                    booking.rider_id,
                    booking.id,
                    "bus_near",
                    f"【復康巴士】車輛 {timeline.vehicle_id} 約 {minutes} 分鐘後到達"
                    f"{booking.pickup_address or '上車地點'}，請準備上車。",
                    f"Rehab bus: bus {timeline.vehicle_id} reaches your pickup in about "
                    f"{minutes} min; please be ready.",
                ),
            )
        late = _late(booking, stop)
        if late is not None:
            new += notifier.enqueue(session, late)
    return new


def _late(booking: Booking, stop: StopEstimate) -> Message | None:
    """The apology for a pickup past its promise or an appointment the bus will miss, with
    the new estimate (a new message each time it moves into another ten minutes)."""
    at = _clock(stop.estimate_s)
    if stop.risk is Risk.PICKUP_LATE:
        kind = "bus_late"
        zh = f"【復康巴士】抱歉，車輛延誤，預計 {at} 到達接您（原承諾 {_window(booking)}）。"
        en = (
            f"Rehab bus: sorry, your bus is late; it now expects to pick you up at {at} "
            f"(promised {_window(booking)})."
        )
    elif stop.risk is Risk.APPOINTMENT_LATE:
        kind = "appointment_late"
        appointment = _clock(booking.appointment_s)
        zh = (
            f"【復康巴士】抱歉，車輛延誤，預計 {at} 抵達，晚於您的約診時間 {appointment}；"
            "調度員將與您聯繫。"
        )
        en = (
            f"Rehab bus: sorry, the bus is late and expects to arrive at {at}, after your "
            f"{appointment} appointment; a dispatcher will contact you."
        )
    else:
        return None
    key = f"{booking.id}:{kind}:{stop.estimate_s // 600}"
    return Message(key, booking.rider_id, booking.id, "bus_late", zh, en)


def after_breakdown(
    notifier: Notifier,
    session: Session,
    vehicle_id: str,
    moved: Mapping[str, str],
    waitlisted: Iterable[str],
) -> int:
    """Tell the riders of a broken-down bus where their trip went."""
    new = 0
    for booking_id, bus in moved.items():
        b = session.get(Booking, booking_id)
        if b is None:
            continue
        new += notifier.enqueue(
            session,
            Message(
                f"{b.id}:moved:{bus}",
                b.rider_id,
                b.id,
                "trip_moved",
                f"【復康巴士】原車 {vehicle_id} 故障，您的行程改由車輛 {bus} 接送，"
                f"時段不變：{_window(b)}。",
                f"Rehab bus: bus {vehicle_id} broke down; bus {bus} will pick you up instead, "
                f"in the same window {_window(b)}.",
            ),
        )
    for booking_id in waitlisted:
        b = session.get(Booking, booking_id)
        if b is None:
            continue
        new += notifier.enqueue(
            session,
            Message(
                f"{b.id}:waitlisted:{vehicle_id}",
                b.rider_id,
                b.id,
                "trip_waitlisted",
                f"【復康巴士】抱歉，車輛 {vehicle_id} 故障，您的行程暫列候補，"
                "調度員將儘快與您聯繫。",
                f"Rehab bus: sorry, bus {vehicle_id} broke down and your trip is waitlisted; "
                "a dispatcher will contact you soon.",
            ),
        )
    return new


def moved_for_lateness(
    notifier: Notifier, session: Session, booking: Booking, late_bus: str, bus: str
) -> int:
    """Tell a rider their pickup went from a late bus to one that keeps the promise."""
    return notifier.enqueue(
        session,
        Message(
            f"{booking.id}:moved:{bus}",
            booking.rider_id,
            booking.id,
            "trip_moved",
            f"【復康巴士】原車 {late_bus} 延誤，改由車輛 {bus} 準時接您，"
            f"時段不變：{_window(booking)}。",
            f"Rehab bus: bus {late_bus} runs late; bus {bus} picks you up instead, in the same "
            f"window {_window(booking)}.",
        ),
    )


def remind(
    notifier: Notifier,
    session: Session,
    cities: Mapping[str, CityConfig],
    now: dt.datetime | None = None,
) -> int:
    """From `REMINDER_HOUR` on, the next day's accepted trips, each recalled once."""
    new = 0
    for config in cities.values():
        local = (now or dt.datetime.now(dt.UTC)).astimezone(config.zone)
        if local.hour < REMINDER_HOUR:
            continue
        tomorrow = local.date() + dt.timedelta(days=1)
        # The trips not recalled yet only: this runs every round of the outbox.
        recalled = (
            select(Notification.id)
            .where(Notification.booking_id == Booking.id, Notification.kind == "reminder")
            .exists()
        )
        bookings = session.scalars(
            select(Booking).where(
                Booking.city == config.id,
                Booking.service_date == tomorrow,
                Booking.status == "accepted",
                ~recalled,
            )
        )
        for b in bookings:
            new += notifier.enqueue(
                session,
                Message(
                    f"{b.id}:reminder",
                    b.rider_id,
                    b.id,
                    "reminder",
                    f"【復康巴士】提醒您：明天 {tomorrow:%m/%d} {_window(b)} 在"
                    f"{b.pickup_address or '您的上車地點'}上車，請提前準備。",
                    f"Rehab bus reminder: tomorrow ({tomorrow:%m/%d}) you are picked up "
                    f"between {_window(b)}; please be ready.",
                ),
            )
    return new
