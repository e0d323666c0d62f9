"""``rehabus riders generate`` and ``rehabus riders import``: made-up riders in a CSV file and
riders loaded in bulk, their numbers encrypted as the API stores them; a bad row stops the
import before anything is written, naming its line and field."""

from __future__ import annotations

import csv
import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from rehabus.cli import app as cli
from rehabus.dispatch.booking import check_national_id
from rehabus.service.db import make_engine, session_factory
from rehabus.service.db.models import Rider
from rehabus.service.identity import IdentityVault
from rehabus.service.services.rider_import import synthetic_riders
from rehabus.service.services.rider_search import search_riders
from rehabus.service.settings import get_api_settings

runner = CliRunner()
N = 3000


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'register.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_api_settings.cache_clear()
    yield url
    get_api_settings.cache_clear()


def test_made_up_riders_are_realistic_and_distinct() -> None:
    today = dt.date(2026, 12, 1)
    rows = list(synthetic_riders(N, seed=7, today=today))
    assert rows == list(synthetic_riders(N, seed=7, today=today))  # fixed by the seed
    numbers = [r["national_id"] for r in rows]
    assert len(set(numbers)) == N
    assert all(check_national_id(n) == n for n in numbers)
    assert 0.01 < sum(n[1] in "89" for n in numbers) / N < 0.06  # new resident certificates
    phones = [r["phone"].replace("-", "") for r in rows]
    assert len(set(phones)) == N and all(p.startswith("09") and len(p) == 10 for p in phones)
    expiries = [r["certificate_expiry"] for r in rows]
    expired = sum(1 for e in expiries if e and dt.date.fromisoformat(e) < today)
    assert 0.05 < expired / N < 0.11
    assert 0.07 < expiries.count("") / N < 0.13
    assert {r["certificate_level"] for r in rows} == {"mild", "moderate", "severe", "profound"}
    surnames = [r["name"][0] for r in rows]
    assert surnames.count("陳") > surnames.count("林") > surnames.count("翁")


def test_generate_then_import_then_find(tmp_path: Path, database: str) -> None:
    path = tmp_path / "riders.csv"
    made = runner.invoke(cli, ["riders", "generate", str(N), "--out", str(path), "--seed", "3"])
    assert made.exit_code == 0, made.output
    with path.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == N
    started = time.perf_counter()
    loaded = runner.invoke(cli, ["riders", "import", str(path), "--no-progress"])
    assert loaded.exit_code == 0, loaded.output
    assert f"imported {N:,} riders" in loaded.output
    assert time.perf_counter() - started < 60
    engine = make_engine(database)
    try:
        sessions = session_factory(engine)
        vault = IdentityVault.from_settings(get_api_settings())
        with sessions() as session:
            assert session.scalar(select(func.count()).select_from(Rider)) == N
            dump = " ".join(
                str(v) for row in session.execute(text("SELECT * FROM riders")) for v in row
            )
            assert not any(r["national_id"] in dump for r in rows[:200])
            wanted = rows[N // 2]
            started = time.perf_counter()
            by_id = search_riders(session, vault, wanted["national_id"].lower(), 1, 20)
            by_phone = search_riders(session, vault, wanted["phone"], 1, 20)
            by_name = search_riders(session, vault, wanted["name"], 1, 20)
            elapsed = time.perf_counter() - started
            assert [r.name for r in by_id.riders] == [wanted["name"]]
            assert by_phone.riders[0].name == wanted["name"]
            assert by_name.riders[0].name == wanted["name"] or by_name.total > 1
            assert elapsed < 3  # three searches among thousands: well under a second each
    finally:
        engine.dispose()
    again = runner.invoke(cli, ["riders", "import", str(path), "--no-progress"])
    assert again.exit_code == 0, again.output
    assert "imported 0 riders" in again.output and f"{N:,} left out" in again.output


def test_a_bad_row_stops_the_import_naming_line_and_field(tmp_path: Path, database: str) -> None:
    path = tmp_path / "bad.csv"
    rows = list(synthetic_riders(3, seed=1))
    rows[1]["national_id"] = "A123456788"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = runner.invoke(cli, ["riders", "import", str(path), "--no-progress"])
    assert result.exit_code == 2
    assert "bad.csv line 3: national_id: the check digit does not match" in result.output
    assert not Path(database.removeprefix("sqlite:///")).exists()  # nothing written at all
