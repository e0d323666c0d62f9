"""Commands that import data: build a city's road graph from an OpenStreetMap extract."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from rehabus.dispatch.travel.osm_import import ImportReport
from rehabus.dispatch.travel.osm_import import import_osm as import_osm_file

__all__ = ["import_osm"]


def import_osm(
    file: Annotated[
        Path,
        typer.Argument(
            help="OpenStreetMap extract: .osm.pbf (e.g. all of Taiwan), .osm, .osm.gz, .osm.bz2."
        ),
    ],
    city: Annotated[
        str, typer.Option("--city", help="City to build the graph of: tainan or kaohsiung.")
    ] = "tainan",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Graph file to write (default: the user data folder, where the city's "
            "travel times look first).",
        ),
    ] = None,
    no_progress: Annotated[
        bool, typer.Option("--no-progress", help="Do not show progress bars.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Build a city's drivable road graph from an OpenStreetMap extract of Taiwan."""
    report = import_osm_file(file, city, out, progress=not no_progress)
    typer.echo(_as_json(report) if as_json else _summary(report))


def _summary(report: ImportReport) -> str:
    return (
        f"Imported the {report.city} road graph from {report.source}: "
        f"{report.nodes:,} nodes and {report.edges:,} edges, from {report.ways_kept:,} drivable "
        f"ways of the {report.ways_read:,} highway ways read, in {report.seconds:.1f} s. "
        f"Wrote {report.out}."
    )


def _as_json(report: ImportReport) -> str:
    fields = asdict(report)
    fields.update(source=str(report.source), out=str(report.out), seconds=round(report.seconds, 3))
    return json.dumps(fields, ensure_ascii=False, indent=2)
