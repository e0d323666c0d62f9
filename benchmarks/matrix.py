"""Travel-time matrix performance: ``python -m benchmarks.matrix``.

Times an N×N matrix (snapping, edge splitting and the many-to-many searches) for N = 500, 1000
and 2000 random points on the real Tainan core graph and on a generated road-like graph of over
100,000 nodes, and the time to add one location to an existing 2000-point matrix. Writes
benchmarks/results/matrix.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numba
import numpy as np
import shapely
from tqdm import tqdm

from benchmarks._machine import machine_info
from benchmarks._road_like import road_like_graph
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.settings import get_settings
from rehabus.dispatch.travel import RoadGraph, RoadGraphProvider, load_road_graph

RESULTS = Path(__file__).resolve().parent / "results" / "matrix.json"
SIZES = (500, 1000, 2000)
ADD_REPEATS = 30


def random_road_points(graph: RoadGraph, n: int, rng: np.random.Generator) -> list[Point]:
    """Points at random positions along random edges: addresses on streets."""
    edges = rng.choice(graph.snappable, size=n, replace=True)
    fractions = rng.uniform(0, 1, size=n)
    xy = shapely.line_interpolate_point(graph.edge_lines[edges], fractions, normalized=True)
    lon, lat = graph._to_wgs84.transform(shapely.get_x(xy), shapely.get_y(xy))
    # Move each point up to 30 m off the street, as a doorway is.
    lat = lat + rng.uniform(-30, 30, size=n) / 110_800
    return [Point(float(a), float(o)) for a, o in zip(lat, lon, strict=True)]


def bench_graph(name: str, graph: RoadGraph, seed: int, progress: tqdm) -> dict[str, object]:
    provider = RoadGraphProvider(graph)
    rng = np.random.default_rng(seed)
    provider.matrix(random_road_points(graph, 10, rng))  # load the compiled kernels
    result: dict[str, object] = {"graph": name, "nodes": graph.n_nodes, "edges": graph.n_edges}
    largest = None
    for n in SIZES:
        points = random_road_points(graph, n, rng)
        start = time.perf_counter()
        matrix = provider.matrix(points)
        seconds = time.perf_counter() - start
        result[f"matrix_{n}_s"] = round(seconds, 3)
        result[f"matrix_{n}_unreachable_share"] = round(len(matrix.unreachable_pairs()) / n**2, 5)
        largest = matrix
        progress.update()
    assert largest is not None
    add_times = []
    for point in random_road_points(graph, ADD_REPEATS, rng):
        start = time.perf_counter()
        provider.add_location(largest, point)
        add_times.append(time.perf_counter() - start)
    progress.update()
    result["add_location_to_2000_ms"] = {
        "median": round(statistics.median(add_times) * 1000, 1),
        "p95": round(float(np.percentile(add_times, 95)) * 1000, 1),
        "max": round(max(add_times) * 1000, 1),
        "repeats": ADD_REPEATS,
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=330, help="grid side of the generated graph")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    progress = tqdm(total=2 * (len(SIZES) + 1) + 1, desc="matrix benchmark", unit="step")
    core = load_road_graph(get_settings().shipped_data_dir / "geo" / "tainan_core_drive.graphml.gz")
    runs = [bench_graph("tainan_core_drive (real OSM)", core, args.seed, progress)]
    start = time.perf_counter()
    big = RoadGraph(road_like_graph(args.side, seed=args.seed), name="generated road-like grid")
    build_s = time.perf_counter() - start
    progress.update()
    big_run = bench_graph("generated road-like grid", big, args.seed, progress)
    big_run["compile_graph_s"] = round(build_s, 1)
    runs.append(big_run)
    progress.close()
    report = {
        "machine": machine_info(),
        "threads": numba.get_num_threads(),
        "targets": {"matrix_2000_on_100k_nodes_s": 20.0, "add_location_ms": 100.0},
        "runs": runs,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
