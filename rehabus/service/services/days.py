"""The service days the process holds in memory, kept in step with the database.

Each decision on a day runs inside `DayRegistry.open`: the day's row is locked in the database
(``SELECT ... FOR UPDATE`` on PostgreSQL, so several server processes take turns; SQLite
serializes writers by itself), the in-memory day catches up if another process changed it
(its version moved on: the routes that changed are read into it, see `DayRegistry._catch_up`),
and on any failure the in-memory day is dropped, so memory never runs ahead of what was stored.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, delete, func, literal_column, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from rehabus.dispatch.booking import TripPurpose
from rehabus.dispatch.city import CityConfig
from rehabus.dispatch.day import ServiceDayPlan, Trip
from rehabus.dispatch.errors import InputError
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.model import Mobility, TimeWindow
from rehabus.dispatch.model.rules import Buffers
from rehabus.dispatch.travel.base import TravelTimeProvider
from rehabus.dispatch.travel.locations import LocationTable
from rehabus.dispatch.validate import PlanInvalidError
from rehabus.service.db.models import Booking, DayRoute, ServiceDay, VehicleEvent
from rehabus.service.services.fleet import day_fleet

__all__ = ["DayRegistry", "OpenDay", "pickup_of", "trip_of"]

MAX_DAYS_IN_MEMORY = 16
"""Service days held in memory at once: today and the booking window, with room to spare."""

STALE = -1
"""The version of a day held in memory whose stored state has changes it lacks (a day's stored
versions count from 0)."""

DROPPED = -2
"""The version of a day dropped after a failure: only its travel times are kept, for the day
rebuilt from the database."""


def pickup_of(booking: Booking) -> Point:
    """Where the rider is picked up: where they asked, or, for a rider rescued from a
    broken-down bus, where it stopped."""
    if booking.rescue_lat is not None and booking.rescue_lon is not None:
        return Point(booking.rescue_lat, booking.rescue_lon)
    return Point(booking.pickup_lat, booking.pickup_lon)


def trip_of(booking: Booking) -> Trip:
    """The dispatch trip of a stored booking (with its promised window and the buffers it is
    planned with, once accepted)."""
    promised = None
    if booking.window_start_s is not None and booking.window_end_s is not None:
        promised = TimeWindow(booking.window_start_s, booking.window_end_s)
    buffers = None
    if booking.appointment_buffer_s is not None and booking.pickup_buffer_s is not None:
        buffers = Buffers(booking.appointment_buffer_s, booking.pickup_buffer_s)
    rescued = booking.rescue_lat is not None
    return Trip(
        id=booking.id,
        pickup=pickup_of(booking),
        dropoff=Point(booking.dropoff_lat, booking.dropoff_lon),
        requested_pickup_s=booking.rescue_at_s if rescued else booking.requested_pickup_s,
        appointment_s=None if rescued else booking.appointment_s,
        mobility=Mobility(booking.mobility),
        companions=booking.companions,
        priority=TripPurpose(booking.purpose).priority,
        shared_ok=booking.shared_ok,
        rider_id=booking.rider_id,
        promised=promised,
        buffers=buffers,
    )


@dataclass
class _Held:
    """A day held in memory: the stored version it stands for, its plan, and for each bus the
    stored row's version (PostgreSQL's ``xmin``; "" for no row) when its stops were last found
    equal to the plan's, so that catching up reads only the routes written since."""

    version: int
    plan: ServiceDayPlan
    seen: dict[str, str] = field(default_factory=dict)


@dataclass
class OpenDay:
    """A day opened for a decision: its plan, and its row (locked until commit)."""

    plan: ServiceDayPlan
    row: ServiceDay
    session: Session
    reload: bool = False
    """Set when the change is not in ``plan`` (e.g. new locks): the day is rebuilt next time."""
    drop: bool = False
    """Set when ``plan`` holds changes that were not stored and that catching up with the
    database would not see (a booking taken out again after a repair had moved other trips):
    the day is dropped and built from the database next time."""
    written: set[str] | None = field(default_factory=set)
    """The buses whose stored routes `save` wrote (``None``: every bus's)."""

    def save(self, vehicle_ids: set[str] | None = None) -> None:
        """Store the routes of ``vehicle_ids`` (all when ``None``), refresh the estimated times
        and the buffers (`Trip.buffers`: a trip placed again may have fit only with less) of the
        bookings on them, and move the day's version on. The caller commits."""
        key = (DayRoute.city == self.row.city, DayRoute.service_date == self.row.service_date)
        fresh = vehicle_ids is None  # every route is written anew
        if self.written is not None:
            self.written = None if vehicle_ids is None else self.written | vehicle_ids
        if vehicle_ids is None:
            self.session.execute(delete(DayRoute).where(*key))
            vehicle_ids = {v.id for v in self.plan.fleet}
        times: dict[str, dict[str, object]] = {}
        trips = self.plan.trips()
        for vid in sorted(vehicle_ids):
            stops = self.plan.route_stops(vid)
            for trip_id, kind, start_s in stops:
                entry = times.get(trip_id)
                if entry is None:
                    buffers = trips[trip_id].buffers
                    entry = times[trip_id] = {
                        "id": trip_id,
                        "vehicle_id": vid,
                        "appointment_buffer_s": None if buffers is None else buffers.appointment_s,
                        "pickup_buffer_s": None if buffers is None else buffers.pickup_s,
                    }
                entry["est_pickup_s" if kind == "pickup" else "est_dropoff_s"] = start_s
            mine = (*key, DayRoute.vehicle_id == vid)
            if not stops:
                if not fresh:
                    self.session.execute(delete(DayRoute).where(*mine))
                continue
            # The driver's break too, so that a restart rebuilds the same times.
            route = [list(stop) for stop in self.plan.stored_stops(vid)]
            updated = 0
            if not fresh:
                result: Any = self.session.execute(
                    update(DayRoute).where(*mine).values(stops=route),
                    execution_options={"synchronize_session": False},
                )
                updated = result.rowcount
            if not updated:
                self.session.add(
                    DayRoute(
                        city=self.row.city,
                        service_date=self.row.service_date,
                        vehicle_id=vid,
                        stops=route,
                    )
                )
        self.session.flush()
        pending = {b.id: b for b in self.session.new if isinstance(b, Booking)}
        rows = []
        for trip_id, values in times.items():
            if trip_id in pending:  # not yet stored: set on the object itself
                for name, value in values.items():
                    setattr(pending[trip_id], name, value)
            else:
                rows.append(values)
        if rows:
            self.session.execute(update(Booking), rows)
        self.row.version += 1


class DayRegistry:
    """Service days held in memory, one lock each."""

    def __init__(
        self, cities: Mapping[str, CityConfig], providers: Mapping[str, TravelTimeProvider]
    ) -> None:
        self.cities = dict(cities)
        self.providers = dict(providers)
        self._days: OrderedDict[tuple[str, dt.date], _Held] = OrderedDict()
        self._locks: dict[tuple[str, dt.date], threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock(self, key: tuple[str, dt.date]) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def cached(self, city: str, day: dt.date) -> ServiceDayPlan | None:
        """The in-memory day if loaded (it may be behind another process's changes)."""
        entry = self._days.get((city, day))
        return entry.plan if entry and entry.version != DROPPED else None

    def forget(self, city: str, day: dt.date) -> None:
        self._days.pop((city, day), None)

    def prepare(self, city: str, day: dt.date, places: Iterable[Point]) -> None:
        """Add ``places`` to a day held in memory before a decision takes the day's row lock:
        their road searches then keep only this process's deciders waiting, not every
        process's."""
        key = (city, day)
        with self._lock(key):
            entry = self._days.get(key)
            if entry is not None and entry.version != DROPPED:
                entry.plan.prepare(places)

    @contextmanager
    def open(self, session: Session, city: str, day: dt.date) -> Iterator[OpenDay]:
        """Lock the day, bring it up to date and hand it out; commit inside the block.

        If the block raises, the session is rolled back and the in-memory day dropped.
        """
        key = (city, day)
        # The transaction begins before the day's lock is taken, in that order everywhere (on
        # SQLite, beginning waits for the process's turn: see rehabus.service.db.engine).
        session.connection()
        with self._lock(key):
            entry = self._days.get(key)
            row = _lock_day_row(session, city, day, known=entry is not None)
            if entry is None or entry.version != row.version:
                try:
                    if entry is None or entry.version == DROPPED:
                        table = entry.plan.table if entry else None
                        entry = _Held(row.version, self._load(session, city, day, table))
                    else:
                        entry = self._catch_up(session, row, entry)
                except BaseException:
                    self._drop(key)
                    raise
                self._days[key] = entry
            opened = OpenDay(entry.plan, row, session)
            try:
                yield opened
            except BaseException:
                session.rollback()
                self._drop(key)
                raise
            session.commit()  # also ends the transaction that holds the day's row lock
            if opened.drop:
                self._drop(key)
                return
            # A change not in the plan (new locks) is caught up with next time, like another
            # process's. Routes written here are compared again then.
            seen = {} if opened.plan is not entry.plan or opened.written is None else entry.seen
            for vid in opened.written or ():
                seen.pop(vid, None)
            self._keep(key, _Held(STALE if opened.reload else row.version, opened.plan, seen))

    def _drop(self, key: tuple[str, dt.date]) -> None:
        """Drop a day after a failure (memory may be ahead of the database); its travel times
        are kept for the day rebuilt from the database next time."""
        with self._guard:
            entry = self._days.get(key)
            if entry is not None:
                self._days[key] = _Held(DROPPED, entry.plan)

    def _keep(self, key: tuple[str, dt.date], entry: _Held) -> None:
        """Hold a day in memory; the least recently used beyond `MAX_DAYS_IN_MEMORY` go (they
        are rebuilt from the database when asked for again)."""
        with self._guard:
            self._days[key] = entry
            self._days.move_to_end(key)
            while len(self._days) > MAX_DAYS_IN_MEMORY:
                self._days.popitem(last=False)

    def _load(
        self, session: Session, city: str, day: dt.date, table: LocationTable | None = None
    ) -> ServiceDayPlan:
        """The day as stored; ``table``: travel times already computed for it."""
        config = self.cities[city]
        bookings = session.scalars(
            select(Booking).where(
                Booking.city == city, Booking.service_date == day, Booking.status == "accepted"
            )
        ).all()
        routes = session.scalars(
            select(DayRoute).where(DayRoute.city == city, DayRoute.service_date == day)
        ).all()
        row = session.get(ServiceDay, (city, day))
        locks = row.locks if row is not None else {}
        fleet = day_fleet(session, config, day)
        fleet_ids = {v.id for v in fleet}
        return ServiceDayPlan(
            self.providers[city],
            fleet,
            [trip_of(b) for b in bookings],
            {
                r.vehicle_id: [tuple(s) for s in r.stops]
                for r in routes
                if r.vehicle_id in fleet_ids
            },
            {vid: [tuple(s) for s in refs] for vid, refs in locks.items() if vid in fleet_ids},
            hours=TimeWindow(config.service_hours.start_s, config.service_hours.end_s),
            name=f"{city} {day.isoformat()}",
            table=table,
            slack=config.planning.slack,
            ride_rule=config.planning.ride_rule,
        )

    def _catch_up(self, session: Session, row: ServiceDay, held: _Held) -> _Held:
        """The day held brought up to the stored day after another process changed it.

        Only the routes whose stored stops differ from the plan's are read into it, with the
        trips on them that it does not hold yet (`ServiceDayPlan.sync`): behind by one booking,
        this costs about what deciding that booking did. On PostgreSQL only the rows written
        since they were last compared are read (their ``xmin`` moved on). A breakdown since, or
        anything the routes do not explain, rebuilds the day from the database on the travel
        times the plan already has.
        """
        city, day, plan = row.city, row.service_date, held.plan
        fleet = {v.id for v in plan.fleet}
        stored = _stored_day(session, city, day, fleet, held.seen)
        if stored.broken:
            return _Held(row.version, self._load(session, city, day, plan.table))
        mine = plan.stop_orders(sorted(stored.routes))
        changed = {vid: stops for vid, stops in stored.routes.items() if stops != mine[vid]}
        known = plan.trips()
        new = {
            rid
            for stops in changed.values()
            for rid, kind in stops
            if kind != "break" and rid not in known
        }
        bookings = (
            session.scalars(select(Booking).where(Booking.id.in_(sorted(new)))).all() if new else []
        )
        locks = {vid: [(rid, kind) for rid, kind in refs] for vid, refs in row.locks.items()}
        try:
            if len(bookings) != len(new) or any(b.status != "accepted" for b in bookings):
                raise InputError("a trip on a stored route is not an accepted booking")
            plan.sync(
                changed,
                [trip_of(b) for b in bookings],
                {vid: refs for vid, refs in locks.items() if vid in fleet},
            )
            # Trips come in checked one by one (accepted bookings, above); when some leave,
            # the day's accepted bookings are counted: each must be on a stored route.
            if len(plan.trips()) != len(known) + len(new) and _accepted(session, city, day) != len(
                plan.trips()
            ):
                raise InputError("accepted bookings that are on no stored route")
        except (InputError, PlanInvalidError):
            return _Held(row.version, self._load(session, city, day, plan.table))
        return _Held(row.version, plan, {**held.seen, **stored.tokens})


def _accepted(session: Session, city: str, day: dt.date) -> int:
    """How many bookings of the day are accepted."""
    return session.execute(
        select(func.count())
        .select_from(Booking)
        .where(Booking.city == city, Booking.service_date == day, Booking.status == "accepted")
    ).scalar_one()


@dataclass(frozen=True)
class _Stored:
    broken: bool
    """A bus of the plan's fleet broke down."""
    routes: dict[str, list[tuple[str, str]]]
    """The stored stops of each bus to compare (an empty list where the bus has no route)."""
    tokens: dict[str, str]
    """The row version (``xmin``; "" for no row) of each bus compared (PostgreSQL only)."""


def _stored_day(
    session: Session, city: str, day: dt.date, fleet: set[str], seen: Mapping[str, str]
) -> _Stored:
    """What catching up needs of the stored day: on PostgreSQL, the stops of each bus of
    ``fleet`` whose row changed since ``seen`` (its ``xmin`` moved on, or it was never
    compared); elsewhere every bus's. Two queries on PostgreSQL when a route changed."""
    broken = (
        select(func.aggregate_strings(VehicleEvent.vehicle_id, ","))
        .where(
            VehicleEvent.city == city,
            VehicleEvent.service_date == day,
            VehicleEvent.kind == "breakdown",
        )
        .scalar_subquery()
    )
    where = (DayRoute.city == city, DayRoute.service_date == day)
    postgresql = session.get_bind().dialect.name == "postgresql"
    tokens: dict[str, str] = {}
    if postgresql:
        version = literal_column("day_routes.xmin::text", String)
        rows = session.execute(select(broken, DayRoute.vehicle_id, version).where(*where)).all()
        present = {vid: token for *_, vid, token in rows}
        tokens = {
            vid: present.get(vid, "") for vid in fleet if present.get(vid, "") != seen.get(vid)
        }
        wanted = sorted(vid for vid in tokens if vid in present)
        routes: dict[str, list[tuple[str, str]]] = {vid: [] for vid in tokens}
        if wanted:
            found = session.execute(
                select(DayRoute.vehicle_id, DayRoute.stops).where(
                    *where, DayRoute.vehicle_id.in_(wanted)
                )
            )
            routes.update({vid: [(rid, kind) for rid, kind in stops] for vid, stops in found})
    else:
        rows = session.execute(
            select(broken, DayRoute.vehicle_id, DayRoute.stops).where(*where)
        ).all()
        routes = {vid: [] for vid in fleet}
        routes.update(
            {vid: [(rid, kind) for rid, kind in stops] for *_, vid, stops in rows if vid in fleet}
        )
    down = rows[0][0] if rows else session.execute(select(broken)).scalar_one()
    return _Stored(not fleet.isdisjoint((down or "").split(",")), routes, tokens)


def _lock_day_row(session: Session, city: str, day: dt.date, *, known: bool) -> ServiceDay:
    """The day's row, created if missing, locked for this transaction where the database can.

    ``known``: the row was seen before (rows are never deleted), so no need to try creating it.
    """
    locked = (
        select(ServiceDay)
        .where(ServiceDay.city == city, ServiceDay.service_date == day)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    row = session.scalar(locked) if known else None
    if row is not None:
        return row
    dialect = session.get_bind().dialect.name
    values = {"city": city, "service_date": day, "version": 0, "locks": {}}
    if dialect == "postgresql":
        session.execute(pg_insert(ServiceDay).values(**values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite_insert(ServiceDay).values(**values).on_conflict_do_nothing())
    elif session.get(ServiceDay, (city, day)) is None:  # pragma: no cover - other databases
        session.add(ServiceDay(**values))
        session.flush()
    row = session.scalar(locked)
    assert row is not None
    return row
