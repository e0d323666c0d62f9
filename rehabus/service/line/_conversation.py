"""The conversation of a linked LINE user: a small state machine kept in the database
(`LineConversation`), one step per message.

Booking: "預約 book" → (a caregiver: which rider) → pickup (saved places, or a location) →
drop-off (saved places, past drop-offs, the nearest hospitals, a search by name, or a location)
→ date and time (LINE's date-time picker: pickup time, or arrive-by time) → mobility → purpose →
a summary with the estimated fare and pickup window → "確認 confirm" → the booking service's
answer (`rehabus.service.services.bookings.book`, the very function ``POST /v1/bookings``
calls, so the same rules decide and the same answer comes back).

"我的行程 my trips" lists the upcoming trips, each with a cancel button; cancelling asks once
more, then goes through `cancel_booking` (its late-cancellation points apply).

Every button of a step carries the conversation's ``version``; taking a step moves it on in one
atomic update, so a button of an earlier step, one tapped twice, or one redelivered does
nothing twice. A conversation left for `CONVERSATION_TTL` starts again.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rehabus.dispatch.booking import SharedState, TripPurpose, promised_window_s, quote_fare
from rehabus.dispatch.city import CityConfig
from rehabus.dispatch.errors import InputError, RoutingError
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.model import Mobility
from rehabus.service.auth import Role, rider_ids_for
from rehabus.service.db.models import (
    Booking,
    CaregiverLink,
    LineConversation,
    Rider,
    SavedPlace,
    User,
)
from rehabus.service.errors import ApiError
from rehabus.service.line._linking import unlink
from rehabus.service.line._messages import (
    MAX_QUICK_REPLIES,
    Action,
    LineMessage,
    datetime_picker,
    location_action,
    message_action,
    postback_action,
    text_message,
)
from rehabus.service.line._texts import MOBILITY, PURPOSE, answer_text, day_text, trip_line
from rehabus.service.schemas import BookingCreate, PlaceIn
from rehabus.service.services.bookings import (
    book,
    booking_public,
    cancel_booking,
    profile_of,
    visible_booking,
)
from rehabus.service.services.days import DayRegistry
from rehabus.service.services.places import facilities, find_facilities

__all__ = ["CONVERSATION_TTL", "Conversation", "Services", "Step", "main_menu"]

CONVERSATION_TTL = dt.timedelta(minutes=30)
"""A conversation untouched this long starts again."""
MAX_TRIPS = 10
"""Upcoming trips listed (each with its cancel button, and "book" after them)."""
_PLACES = MAX_QUICK_REPLIES - 1
"""Places offered at once (the last button sends a location)."""


class Step(enum.StrEnum):
    IDLE = "idle"
    RIDER = "rider"
    PICKUP = "pickup"
    DROPOFF = "dropoff"
    WHEN = "when"
    MOBILITY = "mobility"
    PURPOSE = "purpose"
    CONFIRM = "confirm"
    CANCEL = "cancel"


@dataclass(frozen=True)
class Services:
    """What a conversation works with: the service's days and cities, the time, and the
    rider's page (where places are saved)."""

    days: DayRegistry
    cities: dict[str, CityConfig]
    now: dt.datetime
    rider_page_url: str


def main_menu() -> list[Action]:
    return [message_action("預約 book"), message_action("我的行程 my trips")]


def _command(text: str) -> str | None:
    words = text.strip().lower().split()
    if not words:
        return None
    first, joined = words[0], " ".join(words)
    if first in ("預約", "訂車", "book"):
        return "book"
    if first in ("我的行程", "行程", "trips") or joined.startswith("my trips"):
        return "trips"
    if first in ("解除連結", "unlink"):
        return "unlink"
    if first in ("取消", "停止", "cancel", "stop"):
        return "stop"
    if first in ("說明", "選單", "help", "menu", "?", "？"):
        return "help"
    return None


def _place(lat: float, lon: float, address: str, name: str) -> dict[str, Any]:
    return {"lat": lat, "lon": lon, "address": address[:255], "name": name}


def _metres(a: dict[str, Any], b: dict[str, Any]) -> float:
    """Straight-line distance (equirectangular: fine within a city)."""
    mean = math.radians((a["lat"] + b["lat"]) / 2)
    dx = math.radians(b["lon"] - a["lon"]) * math.cos(mean)
    dy = math.radians(b["lat"] - a["lat"])
    return 6_371_000 * math.hypot(dx, dy)


def help_message(prefix: str = "") -> LineMessage:
    text = (
        "我可以幫您 I can:\n"
        "・預約 book：預約行程 book a trip\n"
        "・我的行程 my trips：查看與取消 see and cancel trips\n"
        "・解除連結 unlink：停止以 LINE 使用 stop using LINE"
    )
    return text_message(f"{prefix}\n{text}" if prefix else text, main_menu())


class Conversation:
    """One linked LINE user's conversation, acting as ``user`` (a rider or a caregiver)."""

    def __init__(self, session: Session, services: Services, user: User, line_user_id: str) -> None:
        self.session = session
        self.services = services
        self.user = user
        self.line_user_id = line_user_id
        self.row = self._load()

    # -- state ---------------------------------------------------------------------------

    def _load(self) -> LineConversation:
        row = self.session.get(LineConversation, self.line_user_id)
        if row is not None:
            return row
        row = LineConversation(
            line_user_id=self.line_user_id,
            step=Step.IDLE.value,
            choices={},
            version=0,
            expires_at=self.services.now,
            updated_at=self.services.now,
        )
        self.session.add(row)
        try:
            self.session.commit()
        except IntegrityError:  # the same user's other event made it a moment ago
            self.session.rollback()
            found = self.session.get(LineConversation, self.line_user_id)
            assert found is not None
            return found
        return row

    @property
    def step(self) -> Step:
        if self.row.expires_at <= self.services.now:
            return Step.IDLE
        return Step(self.row.step)

    @property
    def choices(self) -> dict[str, Any]:
        return dict(self.row.choices or {})

    def _claim(self) -> bool:
        """Move the version on from the one read, atomically (committed): ``False`` if another
        event of this user took the step first."""
        version = self.row.version
        result = self.session.execute(
            update(LineConversation)
            .where(
                LineConversation.line_user_id == self.line_user_id,
                LineConversation.version == version,
            )
            .values(version=version + 1)
        )
        if not isinstance(result, CursorResult) or result.rowcount != 1:
            self.session.rollback()
            return False
        self.session.commit()
        self.session.refresh(self.row)
        return True

    def _set(self, step: Step, choices: dict[str, Any]) -> None:
        self.row.step = step.value
        self.row.choices = choices
        self.row.expires_at = self.services.now + CONVERSATION_TTL
        self.row.updated_at = self.services.now
        self.session.commit()

    def _end(self, *messages: LineMessage) -> list[LineMessage]:
        self._set(Step.IDLE, {})
        return list(messages)

    def _data(self, step: Step, **fields: str | int) -> str:
        return urlencode({"s": step.value, "v": self.row.version, **fields})

    # -- entry points --------------------------------------------------------------------

    def on_follow(self) -> list[LineMessage]:
        name = self.user.display_name or self.user.username
        return [help_message(f"{name}，歡迎使用復康巴士 LINE。Welcome to the rehab bus on LINE.")]

    def on_text(self, text: str) -> list[LineMessage]:
        command = _command(text)
        if command == "book":
            return self._fresh(self.start_booking)
        if command == "trips":
            return self._fresh(self.my_trips)
        if command == "unlink":
            unlink(self.session, self.line_user_id)
            self.session.commit()
            return [
                text_message(
                    "已解除 LINE 連結，行程通知將改以簡訊傳送。\n"
                    "LINE is unlinked; trip news will come by SMS."
                )
            ]
        if command == "stop" and self.step is not Step.IDLE:
            return self._fresh(lambda: self._end(help_message("已取消。Stopped.")))
        if command is None and self.step is Step.DROPOFF:
            return self._fresh(lambda: self.ask_dropoff(search=text.strip()[:64]))
        if command is None and self.step is not Step.IDLE:
            return self._fresh(self._ask_again, "請點選下方的按鈕。Please tap a button below.")
        return [help_message()]

    def on_location(self, lat: float, lon: float, address: str) -> list[LineMessage]:
        step = self.step
        if step not in (Step.PICKUP, Step.DROPOFF):
            return [help_message()]
        place = _place(lat, lon, address or "LINE 位置", address or "LINE 位置")
        if step is Step.PICKUP:
            return self._fresh(lambda: self.ask_dropoff(pickup=place))
        return self._fresh(lambda: self.ask_when(dropoff=place))

    def on_postback(self, data: str, picked: str | None) -> list[LineMessage]:
        fields = {key: values[0] for key, values in parse_qs(data).items()}
        if "c" in fields:
            return self._fresh(lambda: self.ask_cancel(fields["c"]))
        step = self.step
        if fields.get("s") != step.value or fields.get("v") != str(self.row.version):
            return [help_message("這個按鈕已失效。That button is out of date.")]
        if not self._claim():
            return [help_message("這個按鈕已失效。That button is out of date.")]
        offer = self._offer(fields.get("i"))
        choices = self.choices
        if step is Step.RIDER and offer is not None:
            return self._rider_chosen(offer["rider_id"])
        if step is Step.PICKUP and offer is not None:
            return self.ask_dropoff(pickup=offer)
        if step is Step.DROPOFF and offer is not None:
            return self.ask_when(dropoff=offer)
        if step is Step.WHEN and picked and fields.get("k") in ("pickup", "appointment"):
            return self._when_chosen(fields["k"], picked)
        if step is Step.MOBILITY and offer is not None:
            return self.ask_purpose(mobility=offer["value"])
        if step is Step.PURPOSE and offer is not None:
            return self.ask_confirm(purpose=offer["value"])
        if step is Step.CONFIRM and fields.get("ok") == "1":
            return self.confirm(choices)
        if step is Step.CANCEL and fields.get("ok") == "1":
            return self.cancel(choices["booking"])
        if step in (Step.CONFIRM, Step.CANCEL):
            return self._end(help_message("好的，沒有變更。OK, nothing changed."))
        return self._ask_again("請點選下方的按鈕。Please tap a button below.")

    def _fresh(self, then: Callable[..., list[LineMessage]], *args: Any) -> list[LineMessage]:
        """Take a step that begins from text (old buttons stop working)."""
        if not self._claim():
            return [help_message("請稍候再試。Please try again.")]
        return then(*args)

    def _offer(self, index: str | None) -> dict[str, Any] | None:
        offers = self.choices.get("offers") or []
        if index is None or not index.isdigit() or int(index) >= len(offers):
            return None
        offer: dict[str, Any] = offers[int(index)]
        return offer

    def _ask_again(self, note: str) -> list[LineMessage]:
        askers: dict[Step, Callable[[], list[LineMessage]]] = {
            Step.RIDER: self.start_booking,
            Step.PICKUP: self.ask_pickup,
            Step.DROPOFF: self.ask_dropoff,
            Step.WHEN: self.ask_when,
            Step.MOBILITY: self.ask_mobility,
            Step.PURPOSE: self.ask_purpose,
            Step.CONFIRM: self.ask_confirm,
        }
        asker = askers.get(self.step)
        if asker is None:
            return self._end(help_message(note))
        return [text_message(note), *asker()]

    # -- booking -------------------------------------------------------------------------

    def _riders(self) -> list[Rider]:
        if Role(self.user.role) is Role.RIDER:
            rider = self.session.get(Rider, self.user.rider_id) if self.user.rider_id else None
            return [rider] if rider is not None else []
        if Role(self.user.role) is Role.CAREGIVER:
            return list(
                self.session.scalars(
                    select(Rider)
                    .join(CaregiverLink, CaregiverLink.rider_id == Rider.id)
                    .where(CaregiverLink.user_id == self.user.id)
                    .order_by(Rider.name, Rider.id)
                )
            )
        return []

    def start_booking(self) -> list[LineMessage]:
        riders = self._riders()
        if not riders:
            return self._end(help_message("您的帳號沒有可預約的乘客。No rider to book for."))
        if len(riders) == 1:
            return self._rider_chosen(riders[0].id)
        offers = [{"rider_id": r.id, "name": r.name} for r in riders[:MAX_QUICK_REPLIES]]
        self._set(Step.RIDER, {"offers": offers})
        buttons = [
            postback_action(o["name"], self._data(Step.RIDER, i=k), o["name"])
            for k, o in enumerate(offers)
        ]
        return [text_message("要幫哪一位乘客預約？\nWhich rider is this trip for?", buttons)]

    def _rider_chosen(self, rider_id: str) -> list[LineMessage]:
        rider = self.session.get(Rider, rider_id)
        allowed = rider_ids_for(self.session, self.user)
        if rider is None or (allowed is not None and rider.id not in allowed):
            return self._end(help_message("找不到此乘客。Rider not found."))
        if rider.city not in self.services.cities:
            return self._end(
                help_message("此乘客所屬城市未由本服務排班。This rider's city is not served here.")
            )
        self._set(
            Step.PICKUP,
            {"rider_id": rider.id, "rider_name": rider.name, "mobility": rider.mobility},
        )
        return self.ask_pickup()

    def _saved(self) -> list[dict[str, Any]]:
        rows = self.session.scalars(
            select(SavedPlace)
            .where(SavedPlace.rider_id == self.choices["rider_id"])
            .order_by(SavedPlace.id)
        )
        return [_place(p.lat, p.lon, p.address or p.label, p.label) for p in rows]

    def _places_message(self, step: Step, text: str, offers: list[dict[str, Any]]) -> LineMessage:
        buttons = [
            postback_action(o["name"], self._data(step, i=k), o["name"])
            for k, o in enumerate(offers)
        ]
        return text_message(text, [*buttons, location_action("傳送位置 location")])

    def ask_pickup(self) -> list[LineMessage]:
        offers = self._saved()[:_PLACES]
        self._set(Step.PICKUP, {**self.choices, "offers": offers})
        text = (
            "從哪裡上車？請選常用地點，或傳送位置。\n"
            "Where from? Pick a saved place or send a location."
        )
        if not offers:
            text += (
                f"\n（可在 {self.services.rider_page_url} 儲存常用地點 "
                "save places on the rider page）"
            )
        return [self._places_message(Step.PICKUP, text, offers)]

    def _past_dropoffs(self, rider_id: str) -> list[dict[str, Any]]:
        rows = self.session.execute(
            select(Booking.dropoff_lat, Booking.dropoff_lon, Booking.dropoff_address)
            .where(Booking.rider_id == rider_id, Booking.dropoff_address != "")
            .order_by(Booking.created_at.desc())
            .limit(30)
        )
        return [_place(lat, lon, address, address) for lat, lon, address in rows]

    def ask_dropoff(
        self, pickup: dict[str, Any] | None = None, search: str | None = None
    ) -> list[LineMessage]:
        choices = self.choices
        if pickup is not None:
            choices["pickup"] = pickup
        city = self.services.cities[self._rider().city]
        start = choices["pickup"]
        offers: list[dict[str, Any]] = []

        def offer(place: dict[str, Any]) -> None:
            seen = {(o["lat"], o["lon"]) for o in offers} | {(start["lat"], start["lon"])}
            if (place["lat"], place["lon"]) not in seen and len(offers) < _PLACES:
                offers.append(place)

        if search:
            for found in find_facilities(city.id, search):
                offer(_place(found.lat, found.lon, found.address, found.name))
            heading = (
                f"「{search}」找到 {len(offers)} 處。Found {len(offers)}."
                if offers
                else f"找不到「{search}」。Nothing found; try another name."
            )
        else:
            for place in self._saved()[:6]:
                offer(place)
            for place in self._past_dropoffs(choices["rider_id"])[:3]:
                offer(place)
            hospitals = [f for f in facilities(city.id) if f.hospital and f.located == "nhia"]
            hospitals.sort(key=lambda f: _metres(start, {"lat": f.lat, "lon": f.lon}))
            for found in hospitals[:_PLACES]:
                offer(_place(found.lat, found.lon, found.address, found.name))
            heading = "要到哪裡？ Where to?"
        self._set(Step.DROPOFF, {**choices, "offers": offers})
        text = (
            f"{heading}\n請選擇，或輸入醫院、診所名稱搜尋，或傳送位置。\n"
            "Pick one, type a hospital's or clinic's name, or send a location."
        )
        return [self._places_message(Step.DROPOFF, text, offers)]

    def _rider(self) -> Rider:
        rider = self.session.get(Rider, self.choices["rider_id"])
        assert rider is not None  # riders are never deleted
        return rider

    def _city(self) -> CityConfig:
        return self.services.cities[self._rider().city]

    def ask_when(self, dropoff: dict[str, Any] | None = None) -> list[LineMessage]:
        choices = self.choices
        if dropoff is not None:
            choices["dropoff"] = dropoff
        self._set(Step.WHEN, {**choices, "offers": []})
        city = self._city()
        today = self.services.now.astimezone(city.zone).date()
        rules = city.booking
        first = today + dt.timedelta(days=0 if rules.same_day_allowed else rules.min_days_ahead)
        last = today + dt.timedelta(
            days=max(rules.max_days_ahead, rules.max_days_ahead_severe_wheelchair or 0)
        )
        opening = dt.time(city.service_hours.start_s // 3600, city.service_hours.start_s // 60 % 60)
        end_s = min(city.service_hours.end_s, 24 * 3600 - 60)
        closing = dt.time(end_s // 3600, end_s // 60 % 60)
        earliest = dt.datetime.combine(first, opening)
        latest = dt.datetime.combine(last, closing)
        initial = dt.datetime.combine(first, dt.time(9, 0))
        buttons = [
            datetime_picker(
                "上車時間 pickup time",
                self._data(Step.WHEN, k="pickup"),
                initial=initial,
                earliest=earliest,
                latest=latest,
            ),
            datetime_picker(
                "到達時間 arrive by",
                self._data(Step.WHEN, k="appointment"),
                initial=initial,
                earliest=earliest,
                latest=latest,
            ),
        ]
        text = (
            "何時？請選上車時間，或需要到達（看診）的時間。\n"
            "When? Choose the pickup time, or the time you must arrive by."
        )
        return [text_message(text, buttons)]

    def _when_chosen(self, kind: str, picked: str) -> list[LineMessage]:
        try:
            moment = dt.datetime.strptime(picked.upper(), "%Y-%m-%dT%H:%M")
        except ValueError:
            return self.ask_when()
        moment = moment.replace(tzinfo=self._city().zone)
        choices = {**self.choices, "time_kind": kind, "at": moment.isoformat()}
        if "purpose" in choices:  # back from a time the rules refused: the rest stands
            self._set(Step.CONFIRM, choices)
            return self.ask_confirm()
        self._set(Step.MOBILITY, choices)
        return self.ask_mobility()

    def ask_mobility(self) -> list[LineMessage]:
        usual = Mobility(self.choices["mobility"])
        order = [usual, *(m for m in Mobility if m is not usual)]
        offers = [{"value": m.value} for m in order]
        self._set(Step.MOBILITY, {**self.choices, "offers": offers})
        buttons = [
            postback_action(
                MOBILITY[m] + ("（平常）" if m is usual else ""),
                self._data(Step.MOBILITY, i=k),
                MOBILITY[m],
            )
            for k, m in enumerate(order)
        ]
        text = "這趟怎麼乘車？\nHow will the rider travel?"
        return [text_message(text, buttons)]

    def ask_purpose(self, mobility: str | None = None) -> list[LineMessage]:
        choices = self.choices
        if mobility is not None:
            choices["mobility"] = mobility
        offers = [{"value": p.value} for p in TripPurpose]
        self._set(Step.PURPOSE, {**choices, "offers": offers})
        buttons = [
            postback_action(PURPOSE[p], self._data(Step.PURPOSE, i=k), PURPOSE[p])
            for k, p in enumerate(TripPurpose)
        ]
        return [text_message("這趟的目的？\nWhat is the trip for?", buttons)]

    def _estimate(self, choices: dict[str, Any]) -> list[str]:
        """The fare by the fare rule on the direct road trip, and for a pickup time the
        window the promise rule gives around it: estimates, the answer has the real ones."""
        city = self._city()
        moment = dt.datetime.fromisoformat(choices["at"])
        lines: list[str] = []
        provider = self.services.days.providers.get(city.id)
        start, end = choices["pickup"], choices["dropoff"]
        try:
            if provider is None:
                raise RoutingError("no travel times")
            leg = provider.route(Point(start["lat"], start["lon"]), Point(end["lat"], end["lon"]))
            if leg.duration_s < 0 or leg.distance_m < 0:
                raise RoutingError("unreachable")
            profile = profile_of(self._rider())
            alone, shared = (
                quote_fare(city, profile, leg.distance_m, leg.duration_s, moment, how)
                for how in (SharedState.ALONE, SharedState.SHARED)
            )
            lines.append(
                f"預估車資 fare about：NT$ {alone.amount_twd}"
                f"（共乘 NT$ {shared.amount_twd} if shared）"
            )
        except (RoutingError, InputError):
            pass
        if choices["time_kind"] == "pickup":
            seconds = moment.hour * 3600 + moment.minute * 60
            window = promised_window_s(city, seconds)
            lines.append(
                f"上車時段約 pickup window about：{window.start_s // 3600:02d}:"
                f"{window.start_s // 60 % 60:02d}–{window.end_s // 3600:02d}:"
                f"{window.end_s // 60 % 60:02d}"
            )
        return lines

    def ask_confirm(self, purpose: str | None = None) -> list[LineMessage]:
        choices = self.choices
        if purpose is not None:
            choices["purpose"] = purpose
        self._set(Step.CONFIRM, {**choices, "offers": []})
        moment = dt.datetime.fromisoformat(choices["at"])
        when = (
            f"{moment:%H:%M} 上車 pickup"
            if choices["time_kind"] == "pickup"
            else f"{moment:%H:%M} 前到達 arrive by"
        )
        lines = [
            "請確認預約 Please confirm:",
            f"乘客 rider：{choices['rider_name']}",
            f"上車 from：{choices['pickup']['name']}",
            f"下車 to：{choices['dropoff']['name']}",
            f"時間 time：{day_text(moment.date())} {when}",
            f"乘車 mobility：{MOBILITY[Mobility(choices['mobility'])]}",
            f"目的 purpose：{PURPOSE[TripPurpose(choices['purpose'])]}",
            *self._estimate(choices),
            "確認後立即回覆結果。The answer comes at once.",
        ]
        buttons = [
            postback_action("確認 confirm", self._data(Step.CONFIRM, ok=1), "確認 confirm"),
            postback_action("取消 cancel", self._data(Step.CONFIRM, ok=0), "取消 cancel"),
        ]
        return [text_message("\n".join(lines), buttons)]

    def confirm(self, choices: dict[str, Any]) -> list[LineMessage]:
        """Book through the booking service, as ``POST /v1/bookings`` does."""
        at = dt.datetime.fromisoformat(choices["at"])
        by_pickup = choices["time_kind"] == "pickup"
        payload = BookingCreate(
            rider_id=choices["rider_id"],
            pickup=PlaceIn(**{k: choices["pickup"][k] for k in ("lat", "lon", "address")}),
            dropoff=PlaceIn(**{k: choices["dropoff"][k] for k in ("lat", "lon", "address")}),
            purpose=TripPurpose(choices["purpose"]),
            mobility=Mobility(choices["mobility"]),
            pickup_at=at if by_pickup else None,
            appointment_at=None if by_pickup else at,
        )
        try:
            result = book(
                self.session,
                self.services.days,
                self.services.cities,
                self.user,
                payload,
                self.services.now,
            )
        except ApiError as error:
            self.session.rollback()
            note = f"❌ 未能預約 Not booked\n{error.message_zh}\n{error.message_en}"
            if error.field in ("pickup_at", "appointment_at"):
                self.session.refresh(self.row)
                return [text_message(note), *self.ask_when()]
            return self._end(help_message(note))
        return self._end(text_message(answer_text(result), main_menu()))

    # -- my trips and cancelling ---------------------------------------------------------

    def _upcoming(self) -> list[Booking]:
        today = min(
            self.services.now.astimezone(city.zone).date() for city in self.services.cities.values()
        )
        query = select(Booking).where(
            Booking.service_date >= today, Booking.status.in_(("accepted", "waitlisted"))
        )
        allowed = rider_ids_for(self.session, self.user)
        if allowed is not None:
            query = query.where(Booking.rider_id.in_(allowed))
        query = query.order_by(
            Booking.service_date, Booking.window_start_s, Booking.requested_pickup_s, Booking.id
        )
        return [
            b
            for b in self.session.scalars(query.limit(MAX_TRIPS))
            if b.city in self.services.cities
        ]

    def _names(self, bookings: Sequence[Booking]) -> dict[str, str]:
        if Role(self.user.role) is Role.RIDER:
            return {}
        ids = {b.rider_id for b in bookings}
        rows = self.session.execute(select(Rider.id, Rider.name).where(Rider.id.in_(ids)))
        return {rider_id: name for rider_id, name in rows}

    def my_trips(self) -> list[LineMessage]:
        self._set(Step.IDLE, {})
        bookings = self._upcoming()
        if not bookings:
            return [text_message("目前沒有預約的行程。No upcoming trips.", main_menu())]
        names = self._names(bookings)
        lines = ["您的行程 Your trips:"]
        buttons: list[Action] = []
        for number, booking in enumerate(bookings, start=1):
            public = booking_public(booking, self.services.cities[booking.city])
            lines.append(trip_line(number, public, names.get(booking.rider_id)))
            buttons.append(
                postback_action(
                    f"取消 {number} cancel",
                    urlencode({"c": booking.id}),
                    f"取消第 {number} 趟 cancel trip {number}",
                )
            )
        buttons.append(message_action("預約 book"))
        lines.append("要取消哪一趟，請點選下方按鈕。Tap a button below to cancel a trip.")
        return [text_message("\n".join(lines), buttons)]

    def ask_cancel(self, booking_id: str) -> list[LineMessage]:
        try:
            booking = visible_booking(self.session, self.user, booking_id[:36])
        except ApiError:
            return self._end(help_message("找不到此行程。Trip not found."))
        if (
            booking.status not in ("accepted", "waitlisted")
            or booking.city not in self.services.cities
        ):
            return self._end(
                help_message("此行程已無法取消。This trip can no longer be cancelled.")
            )
        city = self.services.cities[booking.city]
        self._set(Step.CANCEL, {"booking": booking.id})
        names = self._names([booking])
        policy = city.cancellation
        lines = [
            "確定要取消這趟行程嗎？ Cancel this trip?",
            trip_line(None, booking_public(booking, city), names.get(booking.rider_id)),
            f"上車前 {policy.late_within_hours} 小時內取消，記 {policy.late_points} 點。"
            f"Cancelling less than {policy.late_within_hours} h before the pickup earns "
            f"{policy.late_points} penalty point(s).",
        ]
        buttons = [
            postback_action("確定取消 yes, cancel", self._data(Step.CANCEL, ok=1), "確定取消 yes"),
            postback_action("不取消 no", self._data(Step.CANCEL, ok=0), "不取消 no"),
        ]
        return [text_message("\n".join(lines), buttons)]

    def cancel(self, booking_id: str) -> list[LineMessage]:
        """Cancel through the booking service, as ``POST /v1/bookings/{id}/cancel`` does."""
        try:
            booking = visible_booking(self.session, self.user, booking_id)
            booking, (zh, en) = cancel_booking(
                self.session,
                self.services.days,
                self.services.cities,
                booking,
                self.services.now,
            )
        except ApiError as error:
            self.session.rollback()
            return self._end(help_message(f"{error.message_zh}\n{error.message_en}"))
        city = self.services.cities[booking.city]
        line = trip_line(None, booking_public(booking, city), None)
        return self._end(text_message(f"🗑 已取消 Cancelled\n{line}\n{zh}\n{en}", main_menu()))
