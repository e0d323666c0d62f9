"""The three layers (docs/architecture.md): each module imports only the layers below it.

Read from the source with `ast`, so an import inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "rehabus"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def _offending(folder: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    out = {}
    for path in _modules(folder):
        bad = sorted(m for m in _imports(path) if m.startswith(forbidden))
        if bad:
            out[str(path.relative_to(PACKAGE))] = bad
    return out


def test_every_layer_has_modules() -> None:
    for folder in ("dispatch", "service", "cli"):
        assert len(_modules(folder)) > 2, folder


@pytest.mark.parametrize(
    ("folder", "forbidden"),
    [
        ("dispatch", ("rehabus.service", "rehabus.cli", "fastapi", "sqlalchemy", "starlette")),
        ("service", ("rehabus.cli",)),
    ],
)
def test_no_module_reaches_up_a_layer(folder: str, forbidden: tuple[str, ...]) -> None:
    assert _offending(folder, forbidden) == {}


def test_the_domain_model_imports_nothing_but_itself_and_its_errors() -> None:
    allowed = ("rehabus.dispatch.model", "rehabus.dispatch.errors")
    for path in _modules("dispatch/model"):
        ours = {m for m in _imports(path) if m.startswith("rehabus")}
        assert {m for m in ours if not m.startswith(allowed)} == set(), path.name


def _private_imports_from_outside(root: Path, prefix: str) -> list[str]:
    """Imports of a private module (a name part starting with one underscore) by a module
    outside the package that holds it."""
    out = []
    for path in sorted(root.rglob("*.py")):
        here = ".".join((prefix, *path.relative_to(root).with_suffix("").parts))
        for name in _imports(path):
            parts = name.split(".")
            for k, part in enumerate(parts):
                if part.startswith("_") and not part.startswith("__"):
                    owner = ".".join(parts[:k])
                    if not here.startswith(owner + "."):
                        out.append(f"{path.relative_to(root.parent)}: {name}")
                    break
    return out


def test_no_private_module_is_imported_from_outside_its_package() -> None:
    assert _private_imports_from_outside(PACKAGE, "rehabus") == []
    benchmarks = PACKAGE.parent / "benchmarks"
    assert [
        line
        for line in _private_imports_from_outside(benchmarks, "benchmarks")
        if ": rehabus." in line
    ] == []
