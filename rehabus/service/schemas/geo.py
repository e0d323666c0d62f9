"""Map layers and road paths for the console's map: GeoJSON, and legs drawn along roads."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "MAX_LEGS",
    "FeatureCollectionPublic",
    "FeaturePublic",
    "Leg",
    "PathsPublic",
    "PathsRequest",
]

MAX_LEGS = 500
"""Legs a call may ask for (about a second's work at most): the console asks for a whole
day's routes in batches of this many (``rehabus/service/web/console.js``)."""
Coordinate = Annotated[float, Field(allow_inf_nan=False, ge=-1000, le=1000)]
Leg = Annotated[list[Coordinate], Field(min_length=4, max_length=4)]
"""``[from_lat, from_lon, to_lat, to_lon]``."""


class PathsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    legs: list[Leg] = Field(max_length=MAX_LEGS)


class PathsPublic(BaseModel):
    paths: list[list[tuple[float, float]]]
    """Per leg, its ``[lat, lon]`` points along the fastest roads (two points if off the graph)."""


class FeaturePublic(BaseModel):
    """A GeoJSON feature: a district's outline or a street segment, with its properties."""

    type: Literal["Feature"]
    properties: dict[str, Any]
    geometry: dict[str, Any]


class FeatureCollectionPublic(BaseModel):
    """A GeoJSON FeatureCollection (coordinates ``[lon, lat]``, WGS 84)."""

    type: Literal["FeatureCollection"]
    features: list[FeaturePublic]
