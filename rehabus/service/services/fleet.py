"""A city's fleet: seeded from its configuration (the default bus and shifts of
`rehabus.dispatch.fleet`), read as the day's working buses."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rehabus.dispatch.city import CityConfig
from rehabus.dispatch.day import FleetVehicle
from rehabus.dispatch.fleet import DEFAULT_LAYOUT, SHIFTS, shift_break
from rehabus.dispatch.model import Break, Layout, TimeWindow
from rehabus.service.db.models import Vehicle, VehicleEvent

__all__ = ["day_fleet", "seed_fleet"]


def seed_fleet(session: Session, city: CityConfig) -> int:
    """Create the city's buses from its depots' vehicle counts, unless it has some already.

    Returns the number of buses created.
    """
    have = session.scalar(select(func.count()).select_from(Vehicle).where(Vehicle.city == city.id))
    if have:
        return 0
    made = 0
    for depot in city.depots:
        for k, layout in enumerate(depot.layouts(DEFAULT_LAYOUT)):
            start, end = SHIFTS[k % len(SHIFTS)]
            brk = shift_break(start, end)
            session.add(
                Vehicle(
                    id=f"{city.id[:2].upper()}-{depot.id}-{k + 1:03d}",
                    city=city.id,
                    depot_id=depot.id,
                    seats=layout.seats,
                    wheelchair_positions=layout.wheelchair_positions,
                    fold_seats=list(layout.fold_seats),
                    shift_start_s=start,
                    shift_end_s=end,
                    break_start_s=brk.window.start_s,
                    break_end_s=brk.window.end_s,
                    break_duration_s=brk.duration_s,
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
