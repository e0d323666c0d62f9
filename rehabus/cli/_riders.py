"""``rehabus riders``: riders in bulk, for a city's register moved over or a realistic
demonstration (tens of thousands of made-up riders)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Riders of the service in bulk (on DATABASE_URL).", no_args_is_help=True)


@app.command("generate")
def generate(
    count: Annotated[int, typer.Argument(min=1, max=1_000_000, help="how many riders")],
    out: Annotated[Path, typer.Option("--out", "-o", help="the CSV file to write")],
    seed: Annotated[int, typer.Option(help="the same seed makes the same riders")] = 2026,
    city: Annotated[str, typer.Option(help="the riders' city")] = "tainan",
) -> None:
    """Write a CSV file of made-up riders: common Taiwanese names, valid national
    identification numbers, mobile numbers, certificates of every level with expiries (about
    8 % expired). For tests and demonstrations only."""
    from rehabus.service.services.rider_import import (  # noqa: PLC0415  (slow imports)
        synthetic_riders,
        write_riders_csv,
    )

    written = write_riders_csv(out, synthetic_riders(count, seed=seed, city=city))
    typer.echo(f"已產生 wrote {written:,} made-up riders to {out}")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="a CSV file of riders")],
    batch: Annotated[int, typer.Option(min=1, max=50_000, help="rows per statement")] = 2000,
    progress: Annotated[bool, typer.Option(help="show a progress bar")] = True,
) -> None:
    """Load riders from a CSV file (columns: name, phone, birth_date, mobility, city,
    certificate_level, certificate_type, certificate_number, certificate_expiry, national_id,
    low_income, medical_wheelchair_certificate) into the service's database (migrated first),
    many rows to a statement. The whole file is checked before anything is written; a rider
    whose national identification number is already on record is left out."""
    from tqdm import tqdm  # noqa: PLC0415  (slow imports, only when used)

    from rehabus.service.db import make_engine, session_factory, upgrade  # noqa: PLC0415
    from rehabus.service.identity import IdentityVault  # noqa: PLC0415
    from rehabus.service.services.rider_import import (  # noqa: PLC0415
        import_riders,
        read_riders_csv,
    )
    from rehabus.service.settings import get_api_settings  # noqa: PLC0415

    settings = get_api_settings()
    vault = IdentityVault.from_settings(settings)
    from rehabus.dispatch.errors import InputError  # noqa: PLC0415

    try:
        rows = list(read_riders_csv(file))  # every row checked before any is written
    except InputError as exc:
        typer.echo(f"rehabus: error: {exc}", err=True)
        raise typer.Exit(2) from None
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with tqdm(total=len(rows), desc="riders", unit="rider", disable=not progress) as bar:
            outcome = import_riders(
                session_factory(engine), vault, rows, batch=batch, progress=bar.update
            )
    finally:
        engine.dispose()
    typer.echo(
        f"已匯入 imported {outcome.imported:,} riders; "
        f"{outcome.duplicates:,} left out (national_id already on record)"
    )
