"""The first start says what it is doing while the solver compiles (it used to be silent for
about 42 s on a fresh install)."""

from __future__ import annotations

import pytest

from rehabus.dispatch.travel import city_provider
from rehabus.service import warmup


def test_the_warm_up_says_it_is_preparing_the_solver_then_that_it_is_ready(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    heard: list[str] = []
    monkeypatch.setattr(warmup, "TICK_S", 0.001)  # every pause of the warm-up is reported
    warmup.warm_up(city_provider("tainan"), heard.append)
    assert "preparing the solver" in heard[0] and "準備求解器" in heard[0]
    assert "about a minute" in heard[0]
    assert heard[-1].startswith("求解器就緒 solver ready")
    assert any("still preparing" in line for line in heard[1:-1])


def test_without_a_listener_the_warm_up_is_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    warmup.warm_up(city_provider("tainan"))
    assert capsys.readouterr().out == ""
