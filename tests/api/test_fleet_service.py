"""A city's fleet in the database (`rehabus/service/services/fleet.py`): seeded once from the
city's depots and the default bus, read back as the day's working buses less those inactive or
broken down
that day. On a fresh SQLite file, migrated to head."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from rehabus.dispatch.city import CityConfig, load_city
from rehabus.dispatch.fleet import DEFAULT_LAYOUT, SHIFTS, shift_break
from rehabus.dispatch.model import Layout, TimeWindow
from rehabus.service.db import make_engine, session_factory, upgrade
from rehabus.service.db.models import User, Vehicle, VehicleEvent
from rehabus.service.services.fleet import day_fleet, seed_fleet

DAY = dt.date(2026, 3, 2)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    url = f"sqlite:///{tmp_path / 'fleet.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    with session_factory(engine)() as session:
        yield session
    engine.dispose()


@pytest.fixture(scope="module")
def tainan() -> CityConfig:
    return load_city("tainan")


def test_the_fleet_is_seeded_once_from_the_depots(session: Session, tainan: CityConfig) -> None:
    assert seed_fleet(session, tainan) == sum(d.vehicles or 0 for d in tainan.depots) == 156
    assert seed_fleet(session, tainan) == 0  # it has buses already
    fleet = day_fleet(session, tainan, DAY)
    assert len(fleet) == 156
    first = tainan.depots[0]
    bus = next(v for v in fleet if v.id == f"TA-{first.id}-001")
    assert bus.depot == first.point
    assert bus.layout == DEFAULT_LAYOUT
    # Shifts are dealt in turn at each depot: the first bus early, the second late.
    assert bus.shift == TimeWindow(*SHIFTS[0]) and bus.break_ == shift_break(*SHIFTS[0])
    second = next(v for v in fleet if v.id == f"TA-{first.id}-002")
    assert second.shift == TimeWindow(*SHIFTS[1])
    # Tainan's medium bus: one of the 156, with its own layout, at its depot.
    larger = [v for v in fleet if v.layout != DEFAULT_LAYOUT]
    assert [v.layout for v in larger] == [Layout(8, 4, (1, 1, 1, 1))]
    assert larger[0].id == "TA-east-001"


def test_inactive_and_broken_down_buses_do_not_work(session: Session, tainan: CityConfig) -> None:
    seed_fleet(session, tainan)
    depot = tainan.depots[0].id
    resting, broken = f"TA-{depot}-001", f"TA-{depot}-002"
    session.execute(update(Vehicle).where(Vehicle.id == resting).values(active=False))
    user = User(username="dispatcher", password_hash="x", role="dispatcher")
    session.add(user)
    session.flush()
    session.add(
        VehicleEvent(
            city=tainan.id,
            service_date=DAY,
            vehicle_id=broken,
            kind="breakdown",
            at_s=9 * 3600,
            created_by=user.id,
        )
    )
    session.flush()
    working = {v.id for v in day_fleet(session, tainan, DAY)}
    assert len(working) == 154 and resting not in working and broken not in working
    # The breakdown is that day's only.
    assert broken in {v.id for v in day_fleet(session, tainan, DAY + dt.timedelta(days=1))}
