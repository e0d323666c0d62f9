"""Support code shared by the tests, and reused by the benchmarks (``benchmarks/`` may import
from here; the tests never import from ``benchmarks/``).

Imported as ``tests.support``: the project root is on ``sys.path`` (``pythonpath`` in
``pyproject.toml`` for pytest; the current folder for ``python -m benchmarks.<name>``).
"""
