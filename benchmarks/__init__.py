"""Benchmarks: run each with ``python -m benchmarks.NAME``; results go to benchmarks/results/."""
