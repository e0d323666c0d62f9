"""The benchmarks' generated instance sets.

- ``python -m benchmarks.instances generate [--out DIR] [--seed S]`` writes Cordeau-style
  instances (`rehabus.dispatch.instances.generate_darp`) into ``benchmarks/instances/generated/``;
- ``python -m benchmarks.instances planted [--out DIR] [--seed S]`` writes whole days with 8-hour
  duties known to be feasible (`rehabus.dispatch.instances.generate_planted_day`, 24-144
  requests on 3-13 buses, issue 13) into ``benchmarks/instances/generated_planted/``, with
  ``planted.csv``: each day's planted plan and its cost, an upper bound on its optimum.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from rehabus.dispatch.instances import (
    cost_double,
    generate_darp,
    generate_planted_day,
    write_cordeau,
)

__all__ = [
    "GENERATED_DIR",
    "GENERATED_SET",
    "PLANTED_DIR",
    "PLANTED_SET",
    "generate_planted_set",
    "generate_set",
    "main",
]

GENERATED_DIR = Path(__file__).resolve().parent / "instances" / "generated"
PLANTED_DIR = Path(__file__).resolve().parent / "instances" / "generated_planted"

PLANTED_SET: tuple[tuple[int, int], ...] = (
    (3, 24),
    (5, 48),
    (7, 72),
    (9, 96),
    (11, 120),
    (13, 144),
)
"""(vehicles, requests) of the planted days: the sizes of issue 13's instances of this kind."""

GENERATED_SET: tuple[tuple[int, int], ...] = (
    (5, 60),
    (6, 72),
    (7, 84),
    (8, 96),
    (8, 120),
    (10, 150),
)
"""(vehicles, requests) of the generated set, written for both the ``a`` and ``b`` types."""


def generate_set(out: Path, seed: int) -> list[Path]:
    """Write the `GENERATED_SET`, ``a`` and ``b`` types, as ``g-a8-96.txt`` and so on."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    kinds: tuple[Literal["a", "b"], ...] = ("a", "b")
    for kind in kinds:
        for k, n in GENERATED_SET:
            instance = generate_darp(n, k, seed, kind=kind)
            path = out / f"{instance.name}.txt"
            write_cordeau(instance, path)
            written.append(path)
    return written


def generate_planted_set(out: Path, seed: int) -> list[Path]:
    """Write the `PLANTED_SET` as ``g-planted13-144.txt`` and so on, and ``planted.csv``
    (instance, vehicles, planted_cost, routes: the planted plan's node ids, ``|`` between
    routes)."""
    out.mkdir(parents=True, exist_ok=True)
    written, rows = [], ["instance,n_vehicles,planted_cost,routes"]
    for k, n in PLANTED_SET:
        instance, planted = generate_planted_day(n, k, seed)
        path = out / f"{instance.name}.txt"
        write_cordeau(instance, path)
        written.append(path)
        routes = "|".join(" ".join(str(node) for node in route) for route in planted)
        rows.append(f"{instance.name},{k},{cost_double(instance, planted):.4f},{routes}")
    (out / "planted.csv").write_text("\n".join(rows) + "\n")
    return written


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m benchmarks.instances generate|planted [--out DIR] [--seed S]``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.instances")
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write the generated Cordeau-style instance set")
    gen.add_argument("--out", type=Path, default=GENERATED_DIR)
    gen.add_argument("--seed", type=int, default=1)
    planted = sub.add_parser("planted", help="write the planted whole days (issue 13)")
    planted.add_argument("--out", type=Path, default=PLANTED_DIR)
    planted.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    make = generate_set if args.command == "generate" else generate_planted_set
    for path in make(args.out, args.seed):
        print(path)


if __name__ == "__main__":
    main()
