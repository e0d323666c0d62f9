"""The service's tables (SQLAlchemy 2). Schema changes go through Alembic migrations only.

Times of day are integer seconds after local midnight of the service day (``*_s``), as in the
dispatch model; the API turns them into dates and times in the city's time zone.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, validates

__all__ = [
    "ApiToken",
    "Base",
    "Booking",
    "BookingSeries",
    "CaregiverLink",
    "DayRoute",
    "IdempotencyKey",
    "Job",
    "LineAccount",
    "LineConversation",
    "LineLinkNonce",
    "LineLinkToken",
    "LineWebhookEvent",
    "Rider",
    "SavedPlace",
    "ServiceDay",
    "SignInAttempts",
    "User",
    "Vehicle",
    "VehicleEvent",
]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _uid() -> str:
    return str(uuid.uuid4())


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A moment with its time zone on every database: SQLite keeps none, so what it gives back
    (always stored as UTC) is marked UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {  # noqa: RUF012  (SQLAlchemy's declared class attribute)
        dt.datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class User(Base):
    """Someone who signs in: a rider, a caregiver, a dispatcher, a planner or an admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=_uid)
    """Never reused (a numeric id may be, once its row is deleted): tokens are bound to it."""
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    display_name: Mapped[str] = mapped_column(String(128), default="")
    rider_id: Mapped[str | None] = mapped_column(ForeignKey("riders.id"), default=None)
    vehicle_id: Mapped[str | None] = mapped_column(ForeignKey("vehicles.id"), default=None)
    """A driver's bus: the only one whose day the driver sees and reports on."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)


class ApiToken(Base):
    """A sign-in token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    user_uid: Mapped[str] = mapped_column(String(36), default="")
    """The owner's `User.uid`: a token whose owner's row was replaced is worth nothing."""
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    expires_at: Mapped[dt.datetime]
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class SignInAttempts(Base):
    """Failed sign-ins per username (known or not, so both behave alike): after too many the
    name is locked for a while."""

    __tablename__ = "sign_in_attempts"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[dt.datetime] = mapped_column(default=_now)
    locked_until: Mapped[dt.datetime | None] = mapped_column(default=None)


class Rider(Base):
    """A registered rider and what eligibility, fares and planning need to know."""

    __tablename__ = "riders"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    city: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(128), index=True)
    phone: Mapped[str] = mapped_column(String(32), default="")
    phone_digits: Mapped[str] = mapped_column(String(32), default="", server_default="", index=True)
    """``phone``'s digits alone (``0912-345-678`` → ``0912345678``): what a call-taker types."""
    national_id_encrypted: Mapped[str | None] = mapped_column(String(255), default=None)
    """The national identification (or resident certificate) number, encrypted with the
    service's data key (`rehabus.service.identity`): a copy of the database does not show it."""
    national_id_index: Mapped[str | None] = mapped_column(
        String(64), default=None, unique=True, index=True
    )
    """A keyed digest (HMAC-SHA256, a second key) of the number: found exactly, never read
    back; one rider per number."""
    certificate_number: Mapped[str | None] = mapped_column(String(32), default=None, index=True)
    """The disability certificate's (身心障礙證明) number, upper case without spaces."""
    certificate_expiry: Mapped[dt.date | None] = mapped_column(Date, default=None)
    """The certificate's last valid day (its 重新鑑定日期); ``None``: not on record."""
    birth_date: Mapped[dt.date] = mapped_column(Date)
    mobility: Mapped[str] = mapped_column(String(32))
    certificate_level: Mapped[str | None] = mapped_column(String(16), default=None)
    certificate_type: Mapped[str | None] = mapped_column(String(64), default=None)
    low_income: Mapped[bool] = mapped_column(Boolean, default=False)
    medical_wheelchair_certificate: Mapped[bool] = mapped_column(Boolean, default=False)
    cancellation_points: Mapped[int] = mapped_column(Integer, default=0)
    line_user_id: Mapped[str | None] = mapped_column(String(64), default=None)
    """The rider's LINE user id (``U`` and 32 hex digits), once they have linked LINE: their
    notifications go there; otherwise by SMS to ``phone``."""
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)

    @validates("phone")
    def _phone_digits(self, _key: str, phone: str) -> str:
        self.phone_digits = "".join(ch for ch in phone or "" if ch.isdigit())
        return phone


class CaregiverLink(Base):
    """A caregiver (family member, care home) who may book for a rider."""

    __tablename__ = "caregiver_links"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    rider_id: Mapped[str] = mapped_column(ForeignKey("riders.id"), primary_key=True)
    relation: Mapped[str] = mapped_column(String(32), default="family")


class SavedPlace(Base):
    """A place a rider goes often (home, a clinic)."""

    __tablename__ = "saved_places"

    id: Mapped[int] = mapped_column(primary_key=True)
    rider_id: Mapped[str] = mapped_column(ForeignKey("riders.id"), index=True)
    label: Mapped[str] = mapped_column(String(64))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    address: Mapped[str] = mapped_column(String(255), default="")


class Vehicle(Base):
    """A bus of a city's fleet, with its layout and daily shift."""

    __tablename__ = "vehicles"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    city: Mapped[str] = mapped_column(String(32), index=True)
    depot_id: Mapped[str] = mapped_column(String(64))
    seats: Mapped[int] = mapped_column(Integer)
    wheelchair_positions: Mapped[int] = mapped_column(Integer)
    fold_seats: Mapped[list[Any]] = mapped_column(default=list)
    shift_start_s: Mapped[int] = mapped_column(Integer)
    shift_end_s: Mapped[int] = mapped_column(Integer)
    break_start_s: Mapped[int | None] = mapped_column(Integer, default=None)
    break_end_s: Mapped[int | None] = mapped_column(Integer, default=None)
    break_duration_s: Mapped[int | None] = mapped_column(Integer, default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class BookingSeries(Base):
    """A standing order: the same trip on given weekdays (e.g. dialysis three times a week)."""

    __tablename__ = "booking_series"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    rider_id: Mapped[str] = mapped_column(ForeignKey("riders.id"), index=True)
    city: Mapped[str] = mapped_column(String(32))
    weekdays: Mapped[list[Any]] = mapped_column()
    first_date: Mapped[dt.date] = mapped_column(Date)
    last_date: Mapped[dt.date] = mapped_column(Date)
    spec: Mapped[dict[str, Any]] = mapped_column()
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)


class Booking(Base):
    """One trip asked for, and what became of it."""

    __tablename__ = "bookings"
    __table_args__ = (Index("ix_bookings_day", "city", "service_date", "status"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    rider_id: Mapped[str] = mapped_column(ForeignKey("riders.id"), index=True)
    city: Mapped[str] = mapped_column(String(32))
    service_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    """accepted, waitlisted, refused, cancelled, no_show."""
    purpose: Mapped[str] = mapped_column(String(32))
    mobility: Mapped[str] = mapped_column(String(32))
    companions: Mapped[int] = mapped_column(Integer, default=0)
    shared_ok: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(String(200), default="", server_default="")
    """The booker's note for the driver."""
    pickup_lat: Mapped[float] = mapped_column(Float)
    pickup_lon: Mapped[float] = mapped_column(Float)
    pickup_address: Mapped[str] = mapped_column(String(255), default="")
    dropoff_lat: Mapped[float] = mapped_column(Float)
    dropoff_lon: Mapped[float] = mapped_column(Float)
    dropoff_address: Mapped[str] = mapped_column(String(255), default="")
    requested_pickup_s: Mapped[int | None] = mapped_column(Integer, default=None)
    appointment_s: Mapped[int | None] = mapped_column(Integer, default=None)
    window_start_s: Mapped[int | None] = mapped_column(Integer, default=None)
    """The promised pickup window, once accepted."""
    window_end_s: Mapped[int | None] = mapped_column(Integer, default=None)
    appointment_buffer_s: Mapped[int | None] = mapped_column(Integer, default=None)
    """The slack for traffic the accepted trip is planned with (`rehabus.dispatch.model.rules.
    Buffers`): the city's full buffers, or less where it fit only so; ``None`` (both): the
    city's full buffers."""
    pickup_buffer_s: Mapped[int | None] = mapped_column(Integer, default=None)
    est_pickup_s: Mapped[int | None] = mapped_column(Integer, default=None)
    est_dropoff_s: Mapped[int | None] = mapped_column(Integer, default=None)
    vehicle_id: Mapped[str | None] = mapped_column(String(32), default=None)
    direct_s: Mapped[int] = mapped_column(Integer, default=0)
    direct_m: Mapped[int] = mapped_column(Integer, default=0)
    fare_twd: Mapped[int | None] = mapped_column(Integer, default=None)
    fare_shared_twd: Mapped[int | None] = mapped_column(Integer, default=None)
    fare_class: Mapped[str] = mapped_column(String(32), default="")
    meter_twd: Mapped[int | None] = mapped_column(Integer, default=None)
    rescue_lat: Mapped[float | None] = mapped_column(Float, default=None)
    """Where a rider aboard a broken-down bus is picked up again (the breakdown place)."""
    rescue_lon: Mapped[float | None] = mapped_column(Float, default=None)
    rescue_at_s: Mapped[int | None] = mapped_column(Integer, default=None)
    """When that bus broke down."""
    rescue_from: Mapped[str | None] = mapped_column(String(32), default=None)
    """The broken-down bus the rider was on."""
    reason: Mapped[str] = mapped_column(String(64), default="")
    series_id: Mapped[str | None] = mapped_column(ForeignKey("booking_series.id"), default=None)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    late_cancellation: Mapped[bool] = mapped_column(Boolean, default=False)
    replaces: Mapped[str | None] = mapped_column(String(36), default=None)
    """The booking this one replaced when a booking was changed (``POST /v1/bookings/{id}/
    change``): that one is cancelled, its reason ``changed``."""


class IdempotencyKey(Base):
    """The answer given to a request with an ``Idempotency-Key``, replayed on a retry."""

    __tablename__ = "idempotency_keys"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    owner: Mapped[str] = mapped_column(String(36), default="")
    """Who claimed the key (a random id per attempt): only the claimant stores its answer."""
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)


class ServiceDay(Base):
    """A city's service day: its plan's version, and the dispatcher's locks."""

    __tablename__ = "service_days"

    city: Mapped[str] = mapped_column(String(32), primary_key=True)
    service_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    locks: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """vehicle id -> [[booking id, "pickup"|"dropoff"], ...]: stops the route must begin with."""
    updated_at: Mapped[dt.datetime] = mapped_column(default=_now, onupdate=_now)


class DayRoute(Base):
    """One vehicle's stops on one service day, in order (times are recomputed from them)."""

    __tablename__ = "day_routes"

    city: Mapped[str] = mapped_column(String(32), primary_key=True)
    service_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    vehicle_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    stops: Mapped[list[Any]] = mapped_column(default=list)
    """[[booking id, "pickup"|"dropoff"], ...]."""


class VehicleEvent(Base):
    """What happened to a vehicle on a day: a breakdown or a delay a dispatcher recorded, or
    what its driver reported from the bus (`rehabus.service.schemas.driver.EventKind`: a stop
    reached or served, a rider not there, a break, a breakdown)."""

    __tablename__ = "vehicle_events"
    __table_args__ = (
        Index("ix_vehicle_events_day", "city", "service_date", "vehicle_id"),
        UniqueConstraint("vehicle_id", "client_id", name="uq_vehicle_events_client"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city: Mapped[str] = mapped_column(String(32))
    service_date: Mapped[dt.date] = mapped_column(Date)
    vehicle_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    at_s: Mapped[int] = mapped_column(Integer)
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    booking_id: Mapped[str | None] = mapped_column(String(36), default=None)
    """The trip a stop event is about."""
    stop: Mapped[str | None] = mapped_column(String(8), default=None)
    """Which of the trip's stops: "pickup" or "dropoff"."""
    lat: Mapped[float | None] = mapped_column(Float, default=None)
    lon: Mapped[float | None] = mapped_column(Float, default=None)
    client_id: Mapped[str | None] = mapped_column(String(64), default=None)
    """The driver's tablet's id for the event: one sent twice (a retry after a dropped
    connection) is recorded once."""
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)


class VehiclePosition(Base):
    """Where a bus was, as its driver's tablet reported it."""

    __tablename__ = "vehicle_positions"
    __table_args__ = (
        Index("ix_vehicle_positions_day", "city", "service_date", "vehicle_id", "at_s"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city: Mapped[str] = mapped_column(String(32))
    service_date: Mapped[dt.date] = mapped_column(Date)
    vehicle_id: Mapped[str] = mapped_column(String(32))
    at_s: Mapped[int] = mapped_column(Integer)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float, default=None)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)


class Notification(Base):
    """A message to a rider about a trip, on one channel, kept until it is delivered
    (the outbox: `rehabus.service.notify`). ``key`` makes each message once: the same news
    about the same trip on the same channel is never stored, or sent, twice."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_due", "status", "due_at"),
        Index("ix_notifications_booking", "booking_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    rider_id: Mapped[str] = mapped_column(ForeignKey("riders.id"), index=True)
    booking_id: Mapped[str | None] = mapped_column(String(36), default=None)
    kind: Mapped[str] = mapped_column(String(24))
    """reminder, bus_near, bus_late, trip_moved, trip_waitlisted."""
    channel: Mapped[str] = mapped_column(String(8))
    """page, line or sms."""
    address: Mapped[str] = mapped_column(String(64), default="")
    """Where it goes: a LINE user id, a phone number ("" for the page)."""
    text_zh: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    """pending, sending (claimed by a process until ``due_at``), sent, failed."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[dt.datetime] = mapped_column(default=_now)
    """When it is next tried (while sending: when its claim lapses)."""
    retry_key: Mapped[str] = mapped_column(String(36), default=_uid)
    """Sent with every attempt (LINE's ``X-Line-Retry-Key``, the SMS gateway's ``clientid``):
    the provider takes it once, however often it is retried."""
    provider_id: Mapped[str] = mapped_column(String(64), default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    sent_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class Job(Base):
    """A long piece of work (a re-optimization, a simulation): state lives here, not in memory."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    city: Mapped[str] = mapped_column(String(32))
    service_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    """queued, running, succeeded, failed, cancelled, rejected."""
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    owner: Mapped[str] = mapped_column(String(64), default="")
    """The server process running the job (its lease), set when it is queued."""
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    """Renewed by the owner while the job runs; a stale one means the owner is gone."""
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    started_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class LineAccount(Base):
    """A LINE user linked to a rehabus user (a rider's own sign-in or a caregiver's), through
    LINE's account linking (`rehabus.service.line`): one LINE user to one rehabus user, and
    back. A rider's link also sets `Rider.line_user_id`, where their notifications go; a
    caregiver's LINE is told the news of the riders they care for (`rehabus.service.notify`)."""

    __tablename__ = "line_accounts"

    line_user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    user_uid: Mapped[str] = mapped_column(String(36))
    """The user's never-reused `User.uid`: a link outlives no replaced user row."""
    linked_at: Mapped[dt.datetime] = mapped_column(default=_now)


class LineLinkToken(Base):
    """A link token LINE issued for one LINE user (valid 10 minutes, usable once); only its
    SHA-256 is stored. The nonce made with it is bound to that LINE user."""

    __tablename__ = "line_link_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    line_user_id: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class LineLinkNonce(Base):
    """A single-use, short-lived nonce of account linking, made once a user signed in on the
    linking page: it links ``line_user_id`` to that user, once. Only its SHA-256 is stored."""

    __tablename__ = "line_link_nonces"

    nonce_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    user_uid: Mapped[str] = mapped_column(String(36))
    line_user_id: Mapped[str] = mapped_column(String(64))
    """The LINE user the link token was issued for: only their ``accountLink`` event counts."""
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class LineWebhookEvent(Base):
    """A webhook event handled (LINE's ``webhookEventId``): a redelivered one is not again."""

    __tablename__ = "line_webhook_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[dt.datetime] = mapped_column(default=_now, index=True)


class LineConversation(Base):
    """Where a LINE user is in a conversation (booking a trip, cancelling one): the step, the
    choices so far and the options last offered; ``version`` moves on at every step, so a
    button of an earlier step (or tapped twice) does nothing."""

    __tablename__ = "line_conversations"

    line_user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    step: Mapped[str] = mapped_column(String(16), default="idle")
    choices: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[dt.datetime] = mapped_column(default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=_now)
