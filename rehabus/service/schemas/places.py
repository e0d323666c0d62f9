"""Places a rider picks from: hospitals and clinics, their saved places, and any place of the
city found by typing (`PlaceFound`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from rehabus.dispatch.geo.gazetteer import MAX_QUERY_CHARS, Located, Match, PlaceKind, fold
from rehabus.service.errors import bilingual
from rehabus.service.schemas.common import PlaceIn, Text

__all__ = ["Facility", "PlaceFound", "PlaceQuery", "SavedPlaceCreate", "SavedPlacePublic"]


def _searchable(value: str) -> str:
    if not fold(value):
        raise bilingual(
            "請輸入地點名稱或地址的一部分", "type part of a place's name or of an address"
        )
    return value


PlaceQuery = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_QUERY_CHARS),
    Text,
    AfterValidator(_searchable),
]
"""What a rider typed to find a place: 1 to 64 characters, not only spaces."""


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


class PlaceFound(BaseModel):
    """A place found by typing (`rehabus.dispatch.geo.gazetteer`)."""

    id: str = Field(examples=["street:中西區:南門路", "institution:0421040011", "saved:3"])
    label: str = Field(examples=["南門路"])
    name_en: str = Field(description="an English name where the source has one, else empty")
    kind: PlaceKind
    district: str = Field(description="the district (區) it lies in", examples=["中西區"])
    address: str = Field(description="a street address where known (hospitals, clinics)")
    lat: float
    lon: float
    located: Located = Field(
        description="where the point comes from: `saved` (the rider's), `osm` (the street or "
        "feature, OpenStreetMap), `nhia` (published by the National Health Insurance "
        "Administration), `village` or `district` (a stand-in inside the village or district "
        "of the address), `village_centre` or `district_centre` (the village or district as a "
        "whole)"
    )
    approximate: bool = Field(description="the point is a stand-in: tell the rider")
    note_zh: str = Field(description="what to tell the rider about the point, empty if nothing")
    note_en: str
    match: Match = Field(
        description="how it matched: the whole name, its start, inside it, in the address, "
        "as an abbreviation, or the district the query named"
    )
