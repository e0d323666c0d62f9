"""The jobs' worker processes (rehabus/service/jobs/_processes.py) end with their users: the last
`JobRunner` to shut down stops them, and a server process that exits, or is killed in the
middle of a job, leaves none of them behind.

A process counts as gone once it no longer exists or is a zombie (dead, waiting for whoever
adopted it to reap it). These tests read ``/proc``: Linux only, as the service is.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rehabus.service.db import make_engine, session_factory, upgrade
from rehabus.service.jobs import JobRunner
from rehabus.service.jobs._processes import DISPATCH, PLANNING, Handle, WorkerProcesses
from rehabus.service.services.days import DayRegistry

GONE_WITHIN_S = 30.0
"""Loose bound: a worker notices its parent's end within a second; a busy machine is slow."""

PARENT = textwrap.dedent(
    """
    import json, os, sys
    from rehabus.service.jobs._processes import DISPATCH, PLANNING, Handle, WorkerProcesses

    out, how = sys.argv[1:]
    workers = WorkerProcesses()
    handle = Handle(workers)  # starts the manager of the flags and queues
    workers.submit(PLANNING, os.getpid).result()  # an idle worker
    if how == "kill":  # and one at work, as a solve is, spinning until its process ends
        code = "started.set()\\nwhile True: pass"
        workers.submit(DISPATCH, exec, code, {"started": handle.cancel})
        assert handle.cancel.wait(120), "the busy worker never started"
    else:  # idle too: an exit waits for running work (a runner's shutdown cancels it first)
        workers.submit(DISPATCH, os.getpid).result()
    with open(out + ".part", "w") as f:
        json.dump({"parent": os.getpid(), "workers": workers.pids()}, f)
    os.replace(out + ".part", out)
    if how == "kill":
        sys.stdin.read()  # until killed
    """
)


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")  # the state after the name


def _wait_gone(pids: list[int], within_s: float = GONE_WITHIN_S) -> None:
    deadline = time.monotonic() + within_s
    while alive := [pid for pid in pids if _alive(pid)]:
        assert time.monotonic() < deadline, f"still running after {within_s} s: {alive}"
        time.sleep(0.05)


def _kill(pids: list[int]) -> None:
    """Whatever a failed test left running."""
    for pid in pids:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    upgrade(url)
    yield url


def _started(workers: WorkerProcesses) -> list[int]:
    """Start both worker processes and the manager; their pids."""
    Handle(workers)
    assert workers.submit(DISPATCH, os.getpid).result(timeout=120) > 0
    assert workers.submit(PLANNING, os.getpid).result(timeout=120) > 0
    pids = workers.pids()
    assert len(pids) == 3 and all(_alive(pid) for pid in pids)
    return pids


def test_the_last_runner_to_shut_down_stops_the_worker_processes(database: str) -> None:
    workers = WorkerProcesses()
    engine = make_engine(database)
    runners = [
        JobRunner(session_factory(engine), DayRegistry({}, {}), processes=workers) for _ in range(2)
    ]
    pids = _started(workers)
    try:
        runners[0].shutdown()
        assert all(_alive(pid) for pid in pids), "another runner still uses them"
        runners[0].shutdown()  # twice: still only one user less
        assert all(_alive(pid) for pid in pids)
        runners[1].shutdown()
        _wait_gone(pids)
        assert workers.pids() == []
    finally:
        for runner in runners:
            runner.shutdown()
        workers.shutdown()
        engine.dispose()
        _kill(pids)


def test_shutdown_stops_the_worker_processes_and_a_next_job_starts_them_again() -> None:
    workers = WorkerProcesses()
    try:
        first = _started(workers)
        workers.shutdown()
        _wait_gone(first)
        second = _started(workers)
        assert not set(first) & set(second)
        workers.shutdown()
        _wait_gone(second)
    finally:
        workers.shutdown()


def _parent(tmp_path: Path, how: str) -> tuple[subprocess.Popen[bytes], list[int]]:
    """A process that starts workers (one of them at work) and then exits (``how='exit'``) or
    waits to be killed; it and its workers' pids."""
    out = tmp_path / "pids.json"
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(out), how], stdin=subprocess.PIPE)
    deadline = time.monotonic() + 180  # imports the solvers: slow on a busy machine
    while not out.exists():
        if parent.poll() is not None and not out.exists():
            pytest.fail(f"the parent exited with {parent.returncode} before starting workers")
        if time.monotonic() > deadline:
            parent.kill()
            pytest.fail("the parent did not start its workers in time")
        time.sleep(0.05)
    started = json.loads(out.read_text())
    assert started["parent"] == parent.pid
    return parent, started["workers"]


@pytest.mark.slow
def test_workers_end_when_their_parent_is_killed(tmp_path: Path) -> None:
    parent, pids = _parent(tmp_path, "kill")
    try:
        assert len(pids) == 3 and all(_alive(pid) for pid in pids)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=30)
        _wait_gone(pids)
    finally:
        parent.kill()
        parent.wait()
        _kill(pids)


@pytest.mark.slow
def test_workers_end_when_their_parent_exits_without_stopping_them(tmp_path: Path) -> None:
    parent, pids = _parent(tmp_path, "exit")
    try:
        assert len(pids) == 3
        parent.wait(timeout=GONE_WITHIN_S)
        _wait_gone(pids)
    finally:
        parent.kill()
        parent.wait()
        _kill(pids)
