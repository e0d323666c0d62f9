"""A seeded, calibrated demand model for the rehabilitation buses of Tainan and Kaohsiung.

Calibrated on the shipped real data: the trips carried in a year (Tainan 311,292 in 2025),
spread over the year's weekdays, weekends and official days off (`_calendar`),
village populations and residents aged 65+ (內政部), and the medical institutions with their
departments and staff (衛生福利部). Everything else is a named, documented assumption in
`DemandParameters`::

    from rehabus.dispatch.demand import DemandModel
    day = DemandModel("tainan").day(datetime.date(2025, 3, 4), seed=1)
    len(day.trips)   # about 1,320 requests on a weekday (about 1,030 carried)

A city's file says what share of the requests its buses carry (``[operations] carried_share``):
the demand asks for the published trips over it.
"""

from rehabus.dispatch.demand._calendar import DayKind, day_kind
from rehabus.dispatch.demand._model import DemandDay, DemandModel, DemandTrip
from rehabus.dispatch.demand._params import CITY_CALIBRATION, CityCalibration, DemandParameters
from rehabus.dispatch.demand._places import Places, load_places

__all__ = [
    "CITY_CALIBRATION",
    "CityCalibration",
    "DayKind",
    "DemandDay",
    "DemandModel",
    "DemandParameters",
    "DemandTrip",
    "Places",
    "day_kind",
    "load_places",
]
