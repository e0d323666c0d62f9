"""Fleets for what-ifs (`rehabus/dispatch/sim/_fleet.py`): buses shared among depots in proportion
to
their shares, shifts dealt in turn, layouts and depot plans by name."""

from __future__ import annotations

import pytest

from rehabus.dispatch.city import load_city
from rehabus.dispatch.errors import InputError
from rehabus.dispatch.fleet import BREAK_S, DEFAULT_LAYOUT, SHIFTS, shift_break
from rehabus.dispatch.model import Layout, TimeWindow
from rehabus.dispatch.sim import FleetSpec, build_fleet

H = 3600


def test_fleet_follows_the_city_and_the_service_defaults() -> None:
    city = load_city("tainan")
    fleet = build_fleet(city, FleetSpec(156))
    assert len(fleet) == 156
    by_depot = {d.id: sum(v.id.startswith(d.id) for v in fleet) for d in city.depots}
    assert by_depot == {d.id: d.vehicles for d in city.depots}  # 48 and 108, as configured
    assert {(v.shift.start_s, v.shift.end_s) for v in fleet} == set(SHIFTS)
    assert all(v.break_ is not None and v.break_.duration_s == BREAK_S for v in fleet)
    # The city's one medium bus first at its depot, as the service seeds it; the rest small.
    assert [(v.id, v.layout) for v in fleet if v.layout != DEFAULT_LAYOUT] == [
        ("east-001", Layout(8, 4, (1, 1, 1, 1)))
    ]
    kaohsiung = build_fleet(load_city("kaohsiung"), FleetSpec(171))
    assert [v.layout.wheelchair_positions for v in kaohsiung if v.layout != DEFAULT_LAYOUT] == [6]
    spread = build_fleet(city, FleetSpec(12, "wheelchair3", "spread", "three"))
    assert len(spread) == 12 and all(v.layout.wheelchair_positions == 3 for v in spread)
    assert len({v.depot for v in spread}) == 6


def test_a_small_fleet_is_shared_by_largest_remainders_and_shifts_dealt_in_turn() -> None:
    city = load_city("tainan")
    first, second = city.depots
    assert (first.vehicles, second.vehicles) == (48, 108)
    # 10 buses at 48:108: 3.08 and 6.92, so 3 and 7 (the larger remainder gets the spare bus).
    fleet = build_fleet(city, FleetSpec(10, shifts="three"))
    assert [v.id for v in fleet] == [f"{first.id}-{k:03d}" for k in (1, 2, 3)] + [
        f"{second.id}-{k:03d}" for k in range(1, 8)
    ]
    assert all(v.depot == first.point for v in fleet[:3])
    # Shifts 06-15, 09-18, 14-23, again from the first at each depot; each with its break.
    starts = [v.shift.start_s // H for v in fleet]
    assert starts == [6, 9, 14, 6, 9, 14, 6, 9, 14, 6]
    assert fleet[1].shift == TimeWindow(9 * H, 18 * H)
    assert fleet[1].break_ == shift_break(9 * H, 18 * H)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"size": 0}, "fleet size must be at least 1, got 0"),
        ({"size": 5, "layout": "double-decker"}, "layout 'double-decker' is not one of"),
        ({"size": 5, "depots": "airport"}, "depots 'airport' is not one of city, spread"),
        ({"size": 5, "shifts": "night"}, "shifts 'night' is not one of two, three, peak"),
    ],
)
def test_a_fleet_spec_names_what_is_wrong(spec: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        FleetSpec(**spec)  # type: ignore[arg-type]


def test_a_fleet_spec_labels_itself() -> None:
    assert FleetSpec(12, "seats6", "spread", "peak").label() == "12 seats6/spread/peak"
