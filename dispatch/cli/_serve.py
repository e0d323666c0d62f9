"""``rehabus demo`` and ``rehabus serve``: the booking and dispatch service."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

HOST = typer.Option("--host", help="address to listen on")
PORT = typer.Option("--port", help="port to listen on")


def _say(message: str) -> None:
    typer.echo(message)
    sys.stdout.flush()


def _run(host: str, port: int, *, demo: bool, bookings: int, serve: bool) -> None:
    _say("rehabus 啟動中 starting…")
    import uvicorn  # noqa: PLC0415  (slow imports, only when used)

    from api.app import create_app  # noqa: PLC0415
    from api.demo import DEMO_ACCOUNTS, seed_demo  # noqa: PLC0415
    from api.deps import AppState  # noqa: PLC0415
    from api.settings import get_api_settings  # noqa: PLC0415

    settings = get_api_settings()

    def startup(state: AppState) -> None:
        typer.echo(f"database: {settings.database_url}")
        typer.echo(f"cities: {', '.join(state.cities)}")
        if not demo:
            return
        summary = seed_demo(state.sessions, state.days, state.cities, n_bookings=bookings)
        if summary is None:
            typer.echo("demo data: already there (kept)")
        else:
            typer.echo(
                f"demo day {summary.service_date}: {summary.bookings} bookings decided: "
                f"{summary.accepted} accepted, {summary.waitlisted} waitlisted, "
                f"{summary.refused} refused"
            )
        typer.echo("demo sign-ins (local demo only):")
        for username, password, role in DEMO_ACCOUNTS:
            typer.echo(f"  {role.value:<10} {username} / {password}")
        if serve:
            base = f"http://{host}:{port}"
            typer.echo(f"\nRider page (乘客預約): {base}/rider")
            typer.echo(f"Dispatcher console (調度台): {base}/console")
            typer.echo(f"Interactive API docs: {base}/docs  (Ctrl+C stops)")

    app = create_app(settings, on_startup=startup, report=_say)
    if serve:
        uvicorn.run(app, host=host, port=port, log_level="warning")
        return
    from fastapi.testclient import TestClient  # noqa: PLC0415

    with TestClient(app):  # runs the lifespan: migrations, fleet, demo data; then stops
        pass


def demo(
    host: Annotated[str, HOST] = "127.0.0.1",
    port: Annotated[int, PORT] = 8000,
    bookings: Annotated[int, typer.Option(help="demo trips to book")] = 120,
    serve: Annotated[bool, typer.Option(help="keep serving after the demo day is booked")] = True,
) -> None:
    """Start the service with Tainan loaded and a demo day of bookings."""
    _run(host, port, demo=True, bookings=bookings, serve=serve)


def serve(
    host: Annotated[str, HOST] = "127.0.0.1",
    port: Annotated[int, PORT] = 8000,
) -> None:
    """Start the service (no demo data); configure it with REHABUS_* and DATABASE_URL."""
    _run(host, port, demo=False, bookings=0, serve=True)
