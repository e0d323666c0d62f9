"""The map's layers as GeoJSON, from the project's own data: the city's district boundaries
(MOI) and its road graph (OpenStreetMap, the shipped core or an imported city graph). Open data,
so no sign-in is needed; no tile server is ever asked. Drawing buses' routes along the roads
(`paths`) costs CPU, so it is for the dispatcher's console only, a bounded number of legs a
call."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from rehabus.dispatch.travel import road_graph_path
from rehabus.service.deps import StaffUser, StateDep
from rehabus.service.errors import not_found
from rehabus.service.schemas.common import CityId
from rehabus.service.schemas.geo import MAX_LEGS, FeatureCollectionPublic, PathsPublic, PathsRequest
from rehabus.service.services.geo import district_features, road_features, road_paths

__all__ = ["MAX_LEGS", "router"]

router = APIRouter(prefix="/v1/geo", tags=["geo"])

CityName = Annotated[CityId, Path()]
CACHE = {"Cache-Control": "public, max-age=3600"}


@router.get("/{city}/districts", response_model=FeatureCollectionPublic, responses={404: {}})
def districts(city: CityName, state: StateDep) -> JSONResponse:
    """The city's district boundaries (GeoJSON), from the Ministry of the Interior's data."""
    if city not in state.cities:
        raise not_found("城市", "city")
    return JSONResponse(district_features(city), headers=CACHE)


@router.get("/{city}/roads", response_model=FeatureCollectionPublic, responses={404: {}})
def roads(city: CityName, state: StateDep) -> JSONResponse:
    """The city's road graph (GeoJSON lines with their OpenStreetMap road class): the
    shipped historic core, or the whole city once its graph is imported. © OpenStreetMap
    contributors, ODbL 1.0."""
    if city not in state.cities:
        raise not_found("城市", "city")
    path = road_graph_path(city)
    return JSONResponse(road_features(path, path.stat().st_mtime_ns), headers=CACHE)


@router.post("/{city}/paths", response_model=PathsPublic, responses={403: {}, 404: {}, 422: {}})
def paths(city: CityName, body: PathsRequest, state: StateDep, _: StaffUser) -> PathsPublic:
    """The fastest road path of each leg ``[from_lat, from_lon, to_lat, to_lon]``, by the
    same road graph and search that plan the city's routes, to draw buses' routes along their
    streets (dispatchers and admins; at most 500 legs a call); a leg
    with an end off the road graph is a straight line."""
    if city not in state.cities:
        raise not_found("城市", "city")
    return PathsPublic(paths=road_paths(state.days.providers[city], body.legs))
