"""The SQLite engine's guards (rehabus/service/db/engine.py): a transaction's turn is waited for a
bounded
time, and one process at a time holds an SQLite file."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from rehabus.service.db.engine import FairRLock, TurnTimeoutError, hold_database


def _in_thread(lock: FairRLock, timeout: float | None) -> tuple[threading.Thread, list[object]]:
    """Acquire ``lock`` in another thread, release it at once; what happened goes in the list."""
    said: list[object] = []

    def run() -> None:
        try:
            holder = lock.acquire(timeout=timeout)
        except TurnTimeoutError as exc:
            said.append(exc)
            return
        said.append("turn")
        lock.release(holder)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, said


def test_a_turn_not_given_in_time_raises_and_leaves_the_queue() -> None:
    lock = FairRLock()
    holder = lock.acquire()
    impatient, impatient_said = _in_thread(lock, timeout=0.05)
    impatient.join(timeout=30)
    assert len(impatient_said) == 1 and isinstance(impatient_said[0], TurnTimeoutError)
    patient, patient_said = _in_thread(lock, timeout=None)
    lock.release(holder)  # the turn goes to the waiting thread, not to the one that gave up
    patient.join(timeout=30)
    assert patient_said == ["turn"]
    assert lock.acquire(timeout=0) == threading.get_ident()  # and nobody holds it after


def _hold_in_another_process(url: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import sys\n"
        "from rehabus.service.db.engine import DatabaseInUseError, hold_database\n"
        "try:\n"
        f"    with hold_database({url!r}): pass\n"
        "except DatabaseInUseError as exc:\n"
        "    sys.exit(str(exc))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )


def test_one_process_holds_an_sqlite_file(tmp_path: Path) -> None:
    database = tmp_path / "held.sqlite3"
    url = f"sqlite:///{database}"
    with hold_database(url), hold_database(url):  # apps of one process share the hold
        refused = _hold_in_another_process(url)
        assert refused.returncode != 0
        assert "Another rehabus server process" in refused.stderr
        assert str(database) in refused.stderr and "PostgreSQL" in refused.stderr
        assert "DATABASE_URL" in refused.stderr
    assert _hold_in_another_process(url).returncode == 0  # released at the end
    assert (tmp_path / "held.sqlite3.lock").exists()


def test_databases_without_a_file_need_no_hold() -> None:
    for url in ("sqlite://", "sqlite:///:memory:", "postgresql+psycopg://u@127.0.0.1/db"):
        with hold_database(url), hold_database(url):
            pass
