"""Places a rider picks from: hospitals and clinics, and their saved places."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, StringConstraints

from rehabus.service.schemas.common import PlaceIn, Text

__all__ = ["Facility", "SavedPlaceCreate", "SavedPlacePublic"]


class Facility(BaseModel):
    """A hospital or clinic riders go to."""

    id: str
    name: str
    district: str
    address: str
    phone: str
    hospital: bool
    rehabilitation: bool
    lat: float
    lon: float
    located: Literal["nhia", "village", "district"]
    """How the point was found: ``nhia``, the coordinates the National Health Insurance
    Administration publishes for it; ``village`` or ``district``, a stand-in inside the village
    (里) its address names or inside its district, approximate."""


class SavedPlaceCreate(PlaceIn):
    label: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), Text
    ]


class SavedPlacePublic(BaseModel):
    id: int
    rider_id: str
    label: str
    lat: float
    lon: float
    address: str
