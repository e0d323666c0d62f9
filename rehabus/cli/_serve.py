"""``rehabus demo`` and ``rehabus serve``: the booking and dispatch service."""

from __future__ import annotations

import sys
import threading
import time
from contextlib import ExitStack
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rehabus.service.settings import ApiSettings

HOST = typer.Option("--host", help="address to listen on")
PORT = typer.Option("--port", help="port to listen on")
GRACEFUL_SHUTDOWN_S = 5
"""On SIGTERM or Ctrl+C, requests still being answered get this long, then are cancelled."""


def _say(message: str) -> None:
    typer.echo(message)
    sys.stdout.flush()


def _run(
    host: str,
    port: int,
    *,
    demo: bool,
    bookings: int,
    serve: bool,
    whole_city: bool = False,
    live_speed: float | None = None,
) -> None:
    _say("rehabus 啟動中 starting…")
    from rehabus.service.db.engine import DatabaseInUseError, hold_database  # noqa: PLC0415
    from rehabus.service.settings import get_api_settings  # noqa: PLC0415

    settings = get_api_settings()
    with ExitStack() as held:
        try:  # before the slow start: a second process on one SQLite file ends here, at once
            held.enter_context(hold_database(settings.database_url))
        except DatabaseInUseError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
        _start(
            settings,
            host,
            port,
            demo=demo,
            bookings=bookings,
            serve=serve,
            whole_city=whole_city,
            live_speed=live_speed,
        )


def _start(
    settings: ApiSettings,
    host: str,
    port: int,
    *,
    demo: bool,
    bookings: int,
    serve: bool,
    whole_city: bool,
    live_speed: float | None,
) -> None:
    import uvicorn  # noqa: PLC0415  (slow imports, only when used)

    from rehabus.service.app import create_app  # noqa: PLC0415
    from rehabus.service.deps import AppState  # noqa: PLC0415
    from rehabus.service.services.demo import DEMO_ACCOUNTS, seed_demo  # noqa: PLC0415

    def startup(state: AppState) -> None:
        typer.echo(f"database: {settings.database_url}")
        typer.echo(f"cities: {', '.join(state.cities)}")
        if not demo:
            return
        summary = seed_demo(
            state.sessions, state.days, state.cities, n_bookings=bookings, whole_city=whole_city
        )
        if summary is None:
            typer.echo("demo data: already there (kept)")
        else:
            typer.echo(
                f"demo day {summary.service_date}: {summary.bookings} bookings decided: "
                f"{summary.accepted} accepted, {summary.waitlisted} waitlisted, "
                f"{summary.refused} refused"
            )
            if summary.city_day is not None:
                c = summary.city_day
                typer.echo(
                    f"whole city's day: {c.bookings} bookings of {c.riders} riders: "
                    f"{c.accepted} accepted, {c.waitlisted} waitlisted, {c.refused} refused"
                )
        typer.echo("demo sign-ins (local demo only):")
        for username, password, role in DEMO_ACCOUNTS:
            typer.echo(f"  {role.value:<10} {username} / {password}")
        if serve:
            base = f"http://{host}:{port}"
            typer.echo(f"\nRider page (乘客預約): {base}/rider")
            typer.echo(f"Dispatcher console (調度台): {base}/console")
            typer.echo(f"Driver's page (司機): {base}/driver")
            typer.echo(f"Interactive API docs: {base}/docs  (Ctrl+C stops)")

    app = create_app(settings, on_startup=startup, report=_say)
    if serve and live_speed is not None:
        threading.Thread(
            target=_drive_the_demo_day,
            args=(f"http://{host}:{port}", live_speed),
            name="live-demo",
            daemon=True,
        ).start()
    if serve:
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level="warning",
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        )
        return
    from fastapi.testclient import TestClient  # noqa: PLC0415

    with TestClient(app):  # runs the lifespan: migrations, fleet, demo data; then stops
        pass


def _drive_the_demo_day(url: str, speed: float) -> None:
    """The demo day played through the service itself once it answers
    (`rehabus.cli.live_replay`), ``speed`` simulated seconds a second: buses move on the
    console, drivers report, riders are told."""
    import datetime as dt  # noqa: PLC0415

    import httpx  # noqa: PLC0415

    from rehabus.cli.live_replay import replay_day  # noqa: PLC0415
    from rehabus.dispatch.city import load_city  # noqa: PLC0415

    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(1)
    day = dt.datetime.now(load_city("tainan").zone).date() + dt.timedelta(days=1)
    _say(f"實況演示 live demo: {day} driven through the service at {speed:g}× (0: at once)")
    try:
        outcome = replay_day(url, "tainan", day, speed=speed, say=_say)
    except Exception as exc:  # the service goes on; the demo says why the drive stopped
        _say(f"live demo stopped: {type(exc).__name__}: {exc}")
        return
    live = outcome.live
    _say(
        f"live demo done: {live['pickups']} pickups, "
        f"{100 * float(live['pickups_in_window_share']):.1f} % in the promised window, "
        f"{100 * float(live['appointments_kept_share']):.1f} % of appointments kept; "
        f"{outcome.moved} moved"
    )


def demo(
    host: Annotated[str, HOST] = "127.0.0.1",
    port: Annotated[int, PORT] = 8000,
    bookings: Annotated[int, typer.Option(help="demo trips to book")] = 120,
    serve: Annotated[bool, typer.Option(help="keep serving after the demo day is booked")] = True,
    whole_city: Annotated[
        bool,
        typer.Option(
            help="also book the demand model's day of the whole city (about 1,000 trips, "
            "all 37 districts; some minutes)"
        ),
    ] = False,
    live: Annotated[
        bool,
        typer.Option(
            help="drive the demo day through the service as it serves: buses move on the "
            "console, drivers report, riders are told"
        ),
    ] = False,
    speed: Annotated[
        float, typer.Option(min=0, help="with --live: simulated seconds a second (0: at once)")
    ] = 60.0,
) -> None:
    """Start the service with Tainan loaded and a demo day of bookings."""
    _run(
        host,
        port,
        demo=True,
        bookings=bookings,
        serve=serve,
        whole_city=whole_city,
        live_speed=speed if live else None,
    )


def serve(
    host: Annotated[str, HOST] = "127.0.0.1",
    port: Annotated[int, PORT] = 8000,
) -> None:
    """Start the service (no demo data); configure it with REHABUS_* and DATABASE_URL."""
    _run(host, port, demo=False, bookings=0, serve=True)
