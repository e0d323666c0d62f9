"""Checks on a peer's or a reader's routes given as instance node ids."""

from __future__ import annotations

from rehabus.dispatch.instances import DarpInstance, PdptwInstance


def covers_each_request_once(
    instance: DarpInstance | PdptwInstance, routes: list[list[int]]
) -> None:
    """Every pickup and delivery node is visited once, each delivery after its pickup on the
    same route."""
    visits = [node for route in routes for node in route]
    assert sorted(visits) == sorted(node for pair in instance.pairs for node in pair)
    for route in routes:
        where = {node: k for k, node in enumerate(route)}
        for p, d in instance.pairs:
            if p in where or d in where:
                assert where[p] < where[d], f"{d} delivered before {p} picked up"
