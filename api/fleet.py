"""A city's fleet: seeded from its configuration, read as the day's working buses.

ASSUMED, for want of operator data: every bus is a small accessible van with 4 fixed seats and
2 wheelchair positions that each fold into 2 seats (the common layout of Taiwan's small
rehabilitation buses, not a published figure); drivers work one of two shifts,
06:00-15:00 or 14:00-23:00, each with a 30-minute break inside its middle three hours.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.db.models import Vehicle, VehicleEvent
from dispatch.city import CityConfig
from dispatch.day import FleetVehicle
from dispatch.model import Break, Layout, TimeWindow

__all__ = ["day_fleet", "seed_fleet"]

_H = 3600
SHIFTS = ((6 * _H, 15 * _H), (14 * _H, 23 * _H))
"""ASSUMED shifts (seconds after midnight): early and late."""
BREAK_S = 30 * 60


def seed_fleet(session: Session, city: CityConfig) -> int:
    """Create the city's buses from its depots' vehicle counts, unless it has some already.

    Returns the number of buses created.
    """
    have = session.scalar(select(func.count()).select_from(Vehicle).where(Vehicle.city == city.id))
    if have:
        return 0
    made = 0
    for depot in city.depots:
        for k in range(depot.vehicles or 0):
            start, end = SHIFTS[k % len(SHIFTS)]
            middle = (start + end) // 2
            session.add(
                Vehicle(
                    id=f"{city.id[:2].upper()}-{depot.id}-{k + 1:03d}",
                    city=city.id,
                    depot_id=depot.id,
                    seats=4,
                    wheelchair_positions=2,
                    fold_seats=[2, 2],
                    shift_start_s=start,
                    shift_end_s=end,
                    break_start_s=middle - 90 * 60,
                    break_end_s=middle + 60 * 60,
                    break_duration_s=BREAK_S,
                )
            )
            made += 1
    session.flush()
    return made


def day_fleet(session: Session, city: CityConfig, day: dt.date) -> list[FleetVehicle]:
    """The buses working on ``day``: active ones, less those broken down that day."""
    broken = set(
        session.scalars(
            select(VehicleEvent.vehicle_id).where(
                VehicleEvent.city == city.id,
                VehicleEvent.service_date == day,
                VehicleEvent.kind == "breakdown",
            )
        )
    )
    depots = {d.id: d.point for d in city.depots}
    rows = session.scalars(
        select(Vehicle).where(Vehicle.city == city.id, Vehicle.active).order_by(Vehicle.id)
    )
    fleet = []
    for row in rows:
        if row.id in broken or row.depot_id not in depots:
            continue
        brk = None
        if row.break_duration_s and row.break_start_s is not None and row.break_end_s is not None:
            brk = Break(TimeWindow(row.break_start_s, row.break_end_s), row.break_duration_s)
        fleet.append(
            FleetVehicle(
                row.id,
                depots[row.depot_id],
                Layout(row.seats, row.wheelchair_positions, tuple(row.fold_seats)),
                TimeWindow(row.shift_start_s, row.shift_end_s),
                brk,
            )
        )
    return fleet
