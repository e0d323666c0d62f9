"""The ``rehabus`` command line.

Each group of commands lives in its own private module; this one only assembles them and turns
the project's errors into a one-line message and exit status 2.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer

from rehabus.cli import _data as _data
from rehabus.cli import _demo as _demo
from rehabus.cli import _geo as _geo
from rehabus.cli import _riders as _riders
from rehabus.cli import _serve as _serve
from rehabus.cli import _simulate as _simulate
from rehabus.cli import _travel as _travel
from rehabus.cli import _users as _users
from rehabus.dispatch.errors import InputError, RoutingError

__all__ = ["app", "main"]

app = typer.Typer(
    name="rehabus",
    help="Dispatch optimizer for Taiwan's rehabilitation buses (復康巴士).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
data_app = typer.Typer(
    help="Import and prepare data (road graphs, calibrations).", no_args_is_help=True
)
app.add_typer(data_app, name="data")
app.add_typer(_simulate.app, name="simulate")
app.add_typer(_users.app, name="users")
app.add_typer(_riders.app, name="riders")

app.command("demo")(_serve.demo)
app.command("serve")(_serve.serve)
app.command("tour")(_demo.demo)
app.command("districts")(_geo.districts)
app.command("locate")(_geo.locate)
app.command("route")(_travel.route)
data_app.command("import-osm")(_data.import_osm)
data_app.command("calibrate-geodesic")(_travel.calibrate_geodesic)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line; the project's errors end in one line on stderr and exit status 2.

    Usage errors are typer's own (a usage line and the problem, exit status 2).
    """
    try:
        app(args=list(argv) if argv is not None else None, prog_name="rehabus")
    except (InputError, RoutingError) as exc:
        print(f"rehabus: error: {exc}", file=sys.stderr)
        sys.exit(2)
