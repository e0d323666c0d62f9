"""``rehabus users``: accounts for a real deployment, without the demo (the first administrator
above all: the API's account routes need one to exist)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

app = typer.Typer(help="Accounts of the service (on DATABASE_URL).", no_args_is_help=True)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("password 密碼", hide_input=True, confirmation_prompt=True))


@app.command("create")
def create(
    username: Annotated[str, typer.Argument(help="the sign-in name")],
    role: Annotated[
        str,
        typer.Option("--role", help="admin, dispatcher, planner or driver (riders: the API)"),
    ] = "admin",
    vehicle: Annotated[
        str | None, typer.Option("--vehicle", help="a driver's bus (drivers only)")
    ] = None,
    display_name: Annotated[str, typer.Option("--name", help="the name shown")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
) -> None:
    """Create an account on the service's database (migrated first if new). The password is
    asked for twice, hidden, or read from standard input with --password-stdin."""
    from pydantic import ValidationError  # noqa: PLC0415  (slow imports, only when used)

    from rehabus.service.db import make_engine, session_factory, upgrade  # noqa: PLC0415
    from rehabus.service.errors import ApiError  # noqa: PLC0415
    from rehabus.service.schemas import UserCreate  # noqa: PLC0415
    from rehabus.service.services.accounts import create_account  # noqa: PLC0415
    from rehabus.service.settings import get_api_settings  # noqa: PLC0415

    if role in ("rider", "caregiver"):
        _fail(
            "role",
            "乘客與照顧者帳號請經由 API 登記",
            "register riders and caregivers through the API",
        )
    password = _password(password_stdin)
    try:
        body = UserCreate.model_validate(
            {
                "username": username,
                "password": password,
                "role": role,
                "display_name": display_name,
                "vehicle_id": vehicle,
            }
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(p) for p in error["loc"]) or "input"
        _fail(field, "輸入值不正確", error["msg"])
    url = get_api_settings().database_url
    upgrade(url)
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            user = create_account(session, body)
    except ApiError as exc:
        _fail(exc.field or "input", exc.message_zh, exc.message_en)
    finally:
        engine.dispose()
    typer.echo(f"已建立帳號 created {user.role} account {user.username!r} (id {user.id})")


@app.command("list")
def list_accounts() -> None:
    """Every account: id, role, username, whether active (never a password)."""
    from sqlalchemy import select  # noqa: PLC0415

    from rehabus.service.db import make_engine, session_factory, upgrade  # noqa: PLC0415
    from rehabus.service.db.models import User  # noqa: PLC0415
    from rehabus.service.settings import get_api_settings  # noqa: PLC0415

    url = get_api_settings().database_url
    upgrade(url)
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            for user in session.scalars(select(User).order_by(User.id)):
                state = "active" if user.active else "inactive"
                typer.echo(f"{user.id}\t{user.role}\t{user.username}\t{state}")
    finally:
        engine.dispose()


def _fail(field: str, zh: str, en: str) -> None:
    typer.echo(f"rehabus: error: {field}: {zh} / {en}", err=True)
    raise typer.Exit(2)
