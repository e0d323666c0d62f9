"""A rider's trip request."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.model._time import TimeWindow

__all__ = ["Mobility", "Priority", "Request"]


class Mobility(enum.StrEnum):
    """How the rider travels; decides the space taken and the boarding time."""

    WALKS = "walks"
    WHEELCHAIR = "wheelchair"
    """Stays in the wheelchair: needs a wheelchair position for the whole ride."""
    WHEELCHAIR_TRANSFER = "wheelchair_transfer"
    """Can transfer to a seat (the chair is stowed); takes a wheelchair position only when no
    seat is free."""


class Priority(enum.IntEnum):
    """Priority class, most important first (lower value is served first)."""

    DIALYSIS = 0
    MEDICAL = 1
    REHABILITATION = 2
    WORK_OR_SCHOOL = 3
    OTHER = 4


@dataclass(frozen=True, slots=True)
class Request:
    """One trip: pick a rider (and companions) up at one place, drop them at another.

    Times follow the usual dial-a-ride convention: the windows bound the *start of service* at
    each end; the ride time runs from the end of boarding to the start of alighting and may not
    exceed ``max_ride_time_s``. ``requested_pickup_s`` or ``appointment_s`` (exactly one) records
    what the rider asked for; the windows are derived from it by the rules in
    `rehabus.dispatch.model.rules` (or given directly, as benchmark instances do).
    """

    id: str
    pickup_location: int
    dropoff_location: int
    pickup_window: TimeWindow
    dropoff_window: TimeWindow
    max_ride_time_s: int
    board_s: int
    alight_s: int
    rider_id: str = ""
    mobility: Mobility = Mobility.WALKS
    companions: int = 0
    priority: Priority = Priority.OTHER
    shared_ok: bool = True
    requested_pickup_s: int | None = None
    appointment_s: int | None = None

    def __post_init__(self) -> None:
        # The properties below compare with `is`: a plain "wheelchair" would count as nobody.
        try:
            object.__setattr__(self, "mobility", Mobility(self.mobility))
        except ValueError:
            raise InputError(
                f"request {self.id}: mobility {self.mobility!r} is not one of "
                f"{', '.join(m.value for m in Mobility)}"
            ) from None
        for name in ("max_ride_time_s", "board_s", "alight_s", "companions"):
            if getattr(self, name) < 0:
                raise InputError(f"request {self.id}: {name} must not be negative")
        if self.pickup_location < 0 or self.dropoff_location < 0:
            raise InputError(f"request {self.id}: location indices must not be negative")
        if self.requested_pickup_s is not None and self.appointment_s is not None:
            raise InputError(
                f"request {self.id}: give a requested pickup time or an appointment time, not both"
            )

    @property
    def wheelchair_fixed(self) -> int:
        """1 if the rider must stay in a wheelchair position for the ride, else 0."""
        return 1 if self.mobility is Mobility.WHEELCHAIR else 0

    @property
    def transfers(self) -> int:
        """1 if the rider can sit in a seat or a wheelchair position, else 0."""
        return 1 if self.mobility is Mobility.WHEELCHAIR_TRANSFER else 0

    @property
    def walkers(self) -> int:
        """People who need a plain seat: companions, and the rider if they walk."""
        return self.companions + (1 if self.mobility is Mobility.WALKS else 0)

    @property
    def people(self) -> int:
        return self.companions + 1
