"""Commands about districts: list a city's districts, find the district of a coordinate."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from rehabus.dispatch.geo import Point, load_districts
from rehabus.dispatch.geo import locate as locate_point

__all__ = ["districts", "locate"]

_CITY_HELP = "City: tainan or kaohsiung (also 臺南市, 台南, 高雄市)."


def districts(
    city: Annotated[str, typer.Option("--city", help=_CITY_HELP)] = "tainan",
) -> None:
    """Print the districts of a city as a JSON array (code, names, population, area)."""
    rows = [district.to_dict() for district in load_districts(city)]
    typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))


def locate(
    lat: Annotated[str, typer.Argument(help="Latitude in WGS84 degrees, e.g. 23.026.")],
    lon: Annotated[str, typer.Argument(help="Longitude in WGS84 degrees, e.g. 120.256.")],
    city: Annotated[str, typer.Option("--city", help=_CITY_HELP)] = "tainan",
) -> None:
    """Print, as JSON, the district of a city that contains the point LAT LON."""
    district = locate_point(city, Point.parse(lat, lon))
    typer.echo(json.dumps(district.to_dict(), ensure_ascii=False, indent=2))
