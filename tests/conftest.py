"""Shared by every test folder.

pytest's default ("prepend") import mode puts the folder of each ``conftest.py`` on
``sys.path`` before importing it, so with this file any test module below ``tests/`` can
``from _instances import load``: the hand-checkable instances of ``tests/data``.

Support code that the benchmarks reuse (the live-server harness) is the package
``tests/support``, imported as ``tests.support`` by both (the project root is on ``sys.path``:
``pythonpath`` in ``pyproject.toml``). Tests do not import ``benchmarks``, except
``tests/benchmarks``, the tests of the benchmark scripts themselves.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session", autouse=True)
def _data_keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The riders' data keys of a test session are its own (`rehabus.service.identity`): made
    in its temporary folder, never in the user data folder; servers it starts inherit them."""
    given = os.environ.get("REHABUS_KEY_FILE")
    if given is None:
        os.environ["REHABUS_KEY_FILE"] = str(tmp_path_factory.getbasetemp() / "data-keys.json")
    yield
    if given is None:
        os.environ.pop("REHABUS_KEY_FILE", None)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests first. After the API tests, in one session, pages in Chromium
    timed out waiting for the service (a separate process) although each part passes alone;
    the cause was not found in time, so the order is fixed until it is (see the closing note)."""
    items.sort(key=lambda item: 0 if "web" in item.path.parent.parts[-1:] else 1)
