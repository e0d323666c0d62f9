"""Commands about travel times: a single route, and calibrating the geodesic estimate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from rehabus.dispatch.geo.point import Point

CityOption = Annotated[str, typer.Option("--city", help="tainan or kaohsiung")]


def route(
    from_lat: Annotated[str, typer.Argument(help="origin latitude")],
    from_lon: Annotated[str, typer.Argument(help="origin longitude")],
    to_lat: Annotated[str, typer.Argument(help="destination latitude")],
    to_lon: Annotated[str, typer.Argument(help="destination longitude")],
    city: CityOption = "tainan",
) -> None:
    """Print the travel time and distance between two points as JSON."""
    from rehabus.dispatch.travel import city_provider  # noqa: PLC0415  (slow import, only when used)

    origin = Point.parse(from_lat, from_lon)
    destination = Point.parse(to_lat, to_lon)
    provider = city_provider(city)
    on_road = provider.primary.covers(origin) and provider.primary.covers(destination)
    leg = provider.route(origin, destination)
    source = provider.primary.name if on_road else provider.fallback.name
    result = {"duration_s": leg.duration_s, "distance_m": leg.distance_m, "source": source}
    typer.echo(json.dumps(result, ensure_ascii=False))


def calibrate_geodesic(
    city: CityOption = "tainan",
    points: Annotated[int, typer.Option(help="nodes per sample (pairs = points²)")] = 300,
    seed: Annotated[int, typer.Option(help="seed for the node samples")] = 0,
    out: Annotated[Path | None, typer.Option(help="where to write the model JSON")] = None,
) -> None:
    """Fit the geodesic estimate to the city's road graph and print its held-out error."""
    from rehabus.dispatch.settings import get_settings  # noqa: PLC0415
    from rehabus.dispatch.travel import (  # noqa: PLC0415
        RoadGraphProvider,
        calibrate_geodesic,
        load_road_graph,
        road_graph_path,
    )

    graph = load_road_graph(road_graph_path(city))
    model = calibrate_geodesic(RoadGraphProvider(graph), n_points=points, seed=seed)
    target = out or get_settings().user_data_dir / "calibration" / f"{city.lower()}_geodesic.json"
    model.save(target)
    summary = {"out": str(target), "circuity": model.circuity, "speeds_kph": model.speeds_kph}
    summary["held_out"] = model.calibration["held_out"]
    typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
