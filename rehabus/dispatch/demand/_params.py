"""The demand model's parameters: what comes from data, and every assumption by name."""

from __future__ import annotations

from dataclasses import dataclass, field

from rehabus.dispatch.booking import TripPurpose
from rehabus.dispatch.errors import InputError

__all__ = ["CITY_CALIBRATION", "CityCalibration", "DemandParameters"]

H = 3600


@dataclass(frozen=True, slots=True)
class CityCalibration:
    """The published figures a city's demand is scaled to.

    Attributes
    ----------
    trips_per_year
        Trips carried in a year (completed, so after cancellations and no-shows).
    year
        The year of that figure: its calendar sets the count of weekdays and weekend days.
    buses
        The city's rehabilitation-bus fleet.
    source
        Where the figures come from (``data/README.md``) and what is derived.
    """

    trips_per_year: int
    year: int
    buses: int
    source: str


CITY_CALIBRATION: dict[str, CityCalibration] = {
    "tainan": CityCalibration(
        trips_per_year=311_292,
        year=2025,
        buses=156,
        source="311,292 trips in 2025, 155 small + 1 medium bus (ETtoday 2025-08-25; udn "
        "2026-02-21)",
    ),
    "kaohsiung": CityCalibration(
        # DERIVED, not published: Kaohsiung's 171 buses times Taiwan's trips per bus in 2025
        # (4.17 M trips / 2,464 buses = 1,692 a bus).
        trips_per_year=round(171 * 4_170_000 / 2_464),
        year=2025,
        buses=171,
        source="DERIVED: 170 small + 1 large bus (udn 2025-10-16) times Taiwan's 4.17 M trips "
        "/ 2,464 buses in 2025 (udn 2026-02-14); Kaohsiung's own trip count was not available",
    ),
}


def _purpose_shares() -> tuple[tuple[TripPurpose, float], ...]:
    return (
        (TripPurpose.DIALYSIS, 0.15),
        (TripPurpose.MEDICAL, 0.45),
        (TripPurpose.REHABILITATION, 0.20),
        (TripPurpose.WORK_OR_SCHOOL, 0.08),
        (TripPurpose.OTHER, 0.12),
    )


def _visit_hours() -> tuple[tuple[TripPurpose, float], ...]:
    return (
        (TripPurpose.DIALYSIS, 4.0),
        (TripPurpose.MEDICAL, 2.0),
        (TripPurpose.REHABILITATION, 1.25),
        (TripPurpose.WORK_OR_SCHOOL, 8.0),
        (TripPurpose.OTHER, 2.5),
    )


def _standing_shares() -> tuple[tuple[TripPurpose, float], ...]:
    return (
        (TripPurpose.DIALYSIS, 0.9),
        (TripPurpose.MEDICAL, 0.05),
        (TripPurpose.REHABILITATION, 0.5),
        (TripPurpose.WORK_OR_SCHOOL, 0.7),
        (TripPurpose.OTHER, 0.0),
    )


def _appointment_profile() -> tuple[float, ...]:
    # Weight of each hour 06..21 as the hour of the first appointment (arrive by). Clinics open
    # at 08:00-09:00 (the morning peak of pickups at 07:00-08:00) and again at 14:00-15:00;
    # with the visit lengths above, the returns make the 16:00-17:00 peak.
    return (0.2, 6.0, 6.0, 1.0, 0.6, 0.4, 0.3, 0.8, 5.0, 1.0, 0.4, 0.3, 0.3, 0.2, 0.1, 0.1)


def _lead_days() -> tuple[tuple[int, float], ...]:
    # Share of one-off bookings made this many days ahead (0: same day).
    return ((7, 0.30), (6, 0.10), (5, 0.09), (4, 0.09), (3, 0.10), (2, 0.10), (1, 0.14), (0, 0.08))


@dataclass(frozen=True, slots=True)
class DemandParameters:
    """Every assumption of the demand model. ASSUMED unless said otherwise: no operator data on
    who rides, where to, when or how was available. ``scale`` multiplies the calibrated volume
    (1.0 is the city's present demand).
    """

    scale: float = 1.0
    """Demand relative to the calibrated present level (what-ifs of growth)."""

    # --- how many -----------------------------------------------------------------------
    weekday_weight: float = 1.0
    saturday_weight: float = 0.65
    sunday_weight: float = 0.4
    """Relative volume by day of week (ASSUMED: medical trips cluster on weekdays; clinics
    open Saturday mornings; dialysis runs six days a week)."""
    holiday_weight: float = 0.4
    """Relative volume of a day off of Taiwan's official calendar (`_calendar`; ASSUMED: as a
    Sunday, clinics closed)."""
    lunar_new_year_weight: float = 0.075
    """Relative volume of a day of the Lunar New Year break. From Tainan's 2026 break, about 77
    trips a day (as issue 15 reports it from the city's figures), against about 1,020 on a
    weekday of this model at present demand: 77 / 1,020 ≈ 0.075 (DERIVED; mostly dialysis)."""
    return_share: float = 0.9
    """Share of outbound trips with a booked return home (ASSUMED; the rest go home otherwise
    or are one-way)."""

    # --- who and where from --------------------------------------------------------------
    older_weight: float = 4.0
    """How much more likely a resident aged 65+ is to ride than a younger resident (ASSUMED;
    origins are villages weighted by population with this weight on the 65+)."""
    wheelchair_share: float = 0.5
    """Riders who stay in their wheelchair for the ride (ASSUMED; 29 % of Tainan's registered
    disabled residents have physical disabilities, and the bus is mostly for them)."""
    transfer_share: float = 0.15
    """Riders in a wheelchair who can move to a seat (ASSUMED)."""
    companion_shares: tuple[float, float, float] = (0.5, 0.45, 0.05)
    """Probability of 0, 1 and 2 companions (caregivers) (ASSUMED)."""
    refuse_share: float = 0.05
    """Riders who refuse to share the bus (ASSUMED; Tainan lets riders ride alone at 1/3 of
    the meter, so most accept sharing for 1/6)."""

    # --- what for and where to -----------------------------------------------------------
    purpose_shares: tuple[tuple[TripPurpose, float], ...] = field(default_factory=_purpose_shares)
    """Trip purposes (ASSUMED; "mostly medical", udn 2026-02-14)."""
    distance_decay_km: float = 8.0
    """Destinations are drawn by attraction × exp(-distance / this) from home (ASSUMED gravity
    model: riders go to nearby care, big hospitals draw from further)."""
    hospital_factor: float = 3.0
    """A hospital physician draws this many times a clinic physician's trips (ASSUMED: the
    rehabilitation bus serves outpatient visits that concentrate on hospitals)."""

    # --- when ------------------------------------------------------------------------------
    appointment_profile: tuple[float, ...] = field(default_factory=_appointment_profile)
    """Weights of the hours 06:00..21:00 as appointment hours of outbound medical,
    rehabilitation and other trips (ASSUMED: morning clinics from 08:00, afternoon clinics
    from 14:00-15:00; with the visit lengths and the dialysis and work times below this gives
    the published peaks at 07:00-08:00 and 16:00-17:00)."""
    dialysis_sessions_s: tuple[int, ...] = (7 * H + 1800, 12 * H + 1800)
    """Dialysis session starts, drawn evenly (ASSUMED: two daytime shifts of about 4 h)."""
    work_start_s: tuple[int, int] = (7 * H + 1800, 9 * H)
    """Work and school start between these times (ASSUMED)."""
    visit_hours: tuple[tuple[TripPurpose, float], ...] = field(default_factory=_visit_hours)
    """Mean time from arriving to asking to be collected, by purpose (ASSUMED; dialysis about
    4 h plus waiting; the visit is drawn from a gamma law of shape ``visit_shape``)."""
    visit_shape: float = 9.0
    """Shape of the gamma law of visit lengths (ASSUMED: a spread of a third of the mean)."""
    last_pickup_s: int = 22 * H
    """A return is asked for no later than this (the service closes at 23:00)."""

    # --- booking -------------------------------------------------------------------------
    standing_shares: tuple[tuple[TripPurpose, float], ...] = field(default_factory=_standing_shares)
    """Share of trips of each purpose that are standing orders (recurring; ASSUMED): booked
    when the booking window opens."""
    lead_days: tuple[tuple[int, float], ...] = field(default_factory=_lead_days)
    """Days ahead one-off trips are booked (ASSUMED; a rush when the window opens, 7 days
    ahead in Tainan's project default; same-day orders are allowed in both cities)."""
    booking_hours: tuple[int, int] = (8 * H, 17 * H)
    """The booking lines are open between these times of day (ASSUMED)."""
    standing_rush_s: float = 600.0
    """Standing orders are entered this long after the lines open, on average (exponential;
    ASSUMED), on the day the booking window opens."""
    opening_rush_s: float = 1800.0
    """One-off bookings made on the day the window opens come this long after the lines open,
    on average (exponential; ASSUMED: riders call as soon as they can)."""
    same_day_min_lead_s: int = 2 * H
    """A same-day booking is made at least this long before the pickup (ASSUMED)."""

    # --- changes of plan -----------------------------------------------------------------
    early_cancel_share: float = 0.07
    """Round trips cancelled before the day (ASSUMED)."""
    late_cancel_share: float = 0.03
    """Round trips cancelled on the day, within ``late_cancel_window_s`` of the pickup
    (ASSUMED; counts as late under the city's cancellation rule)."""
    late_cancel_window_s: int = 2 * H
    no_show_share: float = 0.015
    """Riders not there when the bus comes (ASSUMED)."""

    def __post_init__(self) -> None:
        if self.scale < 0:
            raise InputError(f"scale must not be negative, got {self.scale}")
        if len(self.appointment_profile) != 16:
            raise InputError("appointment_profile needs one weight for each hour 06..21")
        if self.wheelchair_share + self.transfer_share > 1:
            raise InputError("wheelchair_share + transfer_share must not exceed 1")
        for name in (
            "weekday_weight",
            "saturday_weight",
            "sunday_weight",
            "holiday_weight",
            "lunar_new_year_weight",
        ):
            if getattr(self, name) < 0:
                raise InputError(f"{name} must not be negative")
        for name in ("early_cancel_share", "late_cancel_share", "no_show_share"):
            if not 0 <= getattr(self, name) < 1:
                raise InputError(f"{name} must lie in [0, 1)")
