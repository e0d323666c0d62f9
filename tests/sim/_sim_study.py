"""Helpers of the fleet-study tests: a local Dask cluster of two workers, and a quick
``rehabus simulate fleet`` run on it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from dask.distributed import LocalCluster

from rehabus.cli import main


@contextmanager
def two_workers() -> Iterator[LocalCluster]:
    """A local Dask cluster of two single-threaded worker processes (no dashboard)."""
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as running:
        yield running


def simulate_fleet(cluster: LocalCluster, out: Path, *options: str) -> None:
    """``rehabus simulate fleet`` with ``options``, quick (20 solver iterations, no
    re-optimizing during the day), on ``cluster``, writing the study to ``out``: it must
    succeed."""
    with pytest.raises(SystemExit) as stop:
        main(
            [
                "simulate",
                "fleet",
                *options,
                "--solve-iterations",
                "20",
                "--reoptimize-hours",
                "0",
                "--scheduler",
                cluster.scheduler_address,
                "--out",
                str(out),
            ]
        )
    assert stop.value.code == 0
