"""The benchmarks' generated instance set: ``python -m benchmarks.instances generate [--out DIR]
[--seed S]`` writes Cordeau-style instances (`rehabus.dispatch.instances.generate_darp`) into
``benchmarks/instances/generated/``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from rehabus.dispatch.instances import generate_darp, write_cordeau

__all__ = ["GENERATED_DIR", "GENERATED_SET", "generate_set", "main"]

GENERATED_DIR = Path(__file__).resolve().parent / "instances" / "generated"

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


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m benchmarks.instances generate [--out DIR] [--seed S]``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.instances")
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write the generated Cordeau-style instance set")
    gen.add_argument("--out", type=Path, default=GENERATED_DIR)
    gen.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    for path in generate_set(args.out, args.seed):
        print(path)


if __name__ == "__main__":
    main()
