"""``rehabus demo``: a tour of what the project knows about a city."""

from __future__ import annotations

from typing import Annotated

import typer

from rehabus.dispatch.geo.point import Point

# Landmarks for the Tainan tour (coordinates read off OpenStreetMap by hand).
TAINAN_PLACES = {
    "臺南火車站 Tainan Station": Point(22.99717, 120.21264),
    "成大醫院 NCKU Hospital": Point(23.00182, 120.21920),
    "衛福部臺南醫院 Tainan Hospital (MOHW)": Point(22.99370, 120.20900),
    "郭綜合醫院 Kuo General Hospital": Point(22.99300, 120.19900),
    "奇美醫院 Chi Mei Medical Center (永康)": Point(23.02060, 120.22140),
}


def demo(
    city: Annotated[str, typer.Option("--city", help="tainan or kaohsiung")] = "tainan",
) -> None:
    """Show the city's configuration, districts, and road travel times between hospitals."""
    from rehabus.dispatch.city import load_city  # noqa: PLC0415  (slow imports, only when used)
    from rehabus.dispatch.geo import load_districts, locate  # noqa: PLC0415
    from rehabus.dispatch.travel import city_provider  # noqa: PLC0415

    config = load_city(city)
    districts = load_districts(config.id)
    typer.echo(
        f"{config.name_zh} {config.name_en}: {len(districts)} districts, service "
        f"{config.service_hours.start:%H:%M}-{config.service_hours.end:%H:%M}"
    )
    for region in config.regions:
        depots = ", ".join(d.name for d in config.depots_in(region.id))
        typer.echo(
            f"  region {region.name_zh} ({region.id}): {len(region.districts)} districts; "
            f"depots: {depots}"
        )
    oldest = sorted(districts, key=lambda d: d.population_65_plus, reverse=True)[:5]
    typer.echo(
        "  most residents aged 65+: "
        + ", ".join(f"{d.name_zh} {d.population_65_plus:,}" for d in oldest)
    )
    if config.id != "tainan":
        return
    provider = city_provider(config.id)
    names = list(TAINAN_PLACES)
    points = list(TAINAN_PLACES.values())
    matrix = provider.matrix(points)
    typer.echo(
        "\nTravel times (minutes) by the road graph where it covers both ends, "
        "else the calibrated estimate (*):"
    )
    for i, name in enumerate(names):
        district = locate(config.id, points[i]).name_zh
        cells = []
        for j in range(len(names)):
            covered = provider.primary.covers(points[i]) and provider.primary.covers(points[j])
            if not matrix.reachable[i, j]:
                cells.append("   -- ")
                continue
            minutes = matrix.duration_s[i, j] / 60
            cells.append(f"{minutes:5.1f}{' ' if covered else '*'}")
        typer.echo(f"  {i + 1}. {''.join(cells)}  {name}, {district}")
