"""Importing a road graph from an OpenStreetMap extract, on an extract made from shipped data.

`_osm_extract` writes the shipped Tainan core graph back out as OSM nodes and ways (as .osm and
.osm.pbf), plus ways the import must drop: a footway, private and parking service roads, an area,
a road closed to motor vehicles, and a primary road in Taipei.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import osmnx as ox
import pytest
from _osm_extract import (
    ExtraWays,
    OsmData,
    extra_ways,
    graph_to_osm,
    load_graph,
    write_osm,
)

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.settings import get_settings
from rehabus.dispatch.travel.osm_import import HIGHWAY_SPEEDS_KPH, ImportReport, import_osm

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "geo" / "tainan_core_drive.graphml.gz"

ONE_WAY = (369, 370)
"""An edge of 中正路 (114 m) that the shipped graph has only in this direction."""


@dataclass(frozen=True)
class Extract:
    osm: Path
    pbf: Path
    extras: ExtraWays
    n_ways: int


@dataclass(frozen=True)
class Imported:
    report: ImportReport
    graph: nx.MultiDiGraph


@pytest.fixture(scope="module")
def shipped() -> nx.MultiDiGraph:
    return load_graph(SHIPPED)


@pytest.fixture(scope="module")
def extract(shipped: nx.MultiDiGraph, tmp_path_factory: pytest.TempPathFactory) -> Extract:
    folder = tmp_path_factory.mktemp("extract")
    data = graph_to_osm(shipped)
    extras = extra_ways(data)
    return Extract(
        osm=write_osm(data, folder / "tainan_core.osm"),
        pbf=write_osm(data, folder / "tainan_core.osm.pbf"),
        extras=extras,
        n_ways=len(data.ways),
    )


@pytest.fixture(scope="module", params=["osm", "pbf"])
def imported(
    request: pytest.FixtureRequest, extract: Extract, tmp_path_factory: pytest.TempPathFactory
) -> Imported:
    source = extract.osm if request.param == "osm" else extract.pbf
    out = tmp_path_factory.mktemp("graph") / "tainan_drive.graphml.gz"
    report = import_osm(source, "tainan", out, progress=request.param == "osm")
    return Imported(report, load_graph(out))


@pytest.fixture
def user_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("REHABUS_USER_DATA_DIR", str(tmp_path / "user"))
    get_settings.cache_clear()
    yield tmp_path / "user"
    get_settings.cache_clear()


def _osmids(data: dict[str, Any]) -> set[int]:
    osmid = data["osmid"]
    return set(osmid) if isinstance(osmid, list) else {int(osmid)}


def test_report_describes_the_graph_written(imported: Imported, extract: Extract) -> None:
    report, graph = imported.report, imported.graph
    assert report.city == "tainan"
    assert report.out.is_file()
    assert (report.nodes, report.edges) == (graph.number_of_nodes(), graph.number_of_edges())
    assert report.ways_read == extract.n_ways  # every way of the extract has a highway tag
    assert report.ways_kept == extract.n_ways - len(extract.extras.way_ids)
    assert report.seconds > 0
    assert graph.graph["crs"] == "epsg:4326"
    assert "OpenStreetMap" in graph.graph["license"]


def test_node_count_close_to_the_shipped_graph(
    imported: Imported, shipped: nx.MultiDiGraph
) -> None:
    """The import simplifies the graph and keeps its largest weakly connected component.

    The shipped graph is unsimplified (a node wherever OSM ways meet or split) and keeps a few
    tiny disconnected pieces, so the import has fewer nodes (3,399 against 3,716): exactly as
    many as osmnx's simplification of the shipped graph's largest component.
    """
    graph = imported.graph
    assert abs(graph.number_of_nodes() - len(shipped)) <= 0.10 * len(shipped)
    expected = ox.simplify_graph(ox.truncate.largest_component(shipped, strongly=False))
    assert abs(graph.number_of_nodes() - len(expected)) <= 0.01 * len(expected)
    assert abs(graph.number_of_edges() - expected.number_of_edges()) <= 0.01 * len(expected)
    total_m = sum(length for *_, length in graph.edges(data="length"))
    expected_m = sum(length for *_, length in expected.edges(data="length"))
    assert total_m == pytest.approx(expected_m, rel=0.01)


def test_one_way_streets_stay_one_way(imported: Imported, shipped: nx.MultiDiGraph) -> None:
    u, v = ONE_WAY
    assert shipped[u][v][0]["oneway"] and not shipped.has_edge(v, u)  # the premise
    graph = imported.graph
    assert graph.has_edge(u, v)
    assert not graph.has_edge(v, u)

    one_way = [
        (a, b, data["length"])
        for a, b, data in shipped.edges(data=True)
        if data["oneway"] and not shipped.has_edge(b, a) and a in graph and b in graph
    ]
    assert len(one_way) > 800
    for a, b, length_m in one_way:
        assert graph.has_edge(a, b)
        # b -> a may exist as a longer road around a one-way loop, never as the same street
        back = graph.get_edge_data(b, a, default={})
        assert all(abs(data["length"] - length_m) > 1.0 for data in back.values())


def test_every_edge_has_length_speed_and_travel_time(imported: Imported) -> None:
    speeds = set(HIGHWAY_SPEEDS_KPH.values())
    for *_, data in imported.graph.edges(data=True):
        assert data["length"] > 0 and math.isfinite(data["length"])
        assert data["speed_kph"] in speeds
        assert data["travel_time"] == pytest.approx(data["length"] / (data["speed_kph"] / 3.6))


def test_non_drivable_and_far_away_ways_are_dropped(imported: Imported, extract: Extract) -> None:
    graph = imported.graph
    dropped = set(extract.extras.way_ids.values())
    for *_, data in graph.edges(data=True):
        assert not _osmids(data) & dropped
    assert not set(graph.nodes) & extract.extras.new_nodes
    assert max(x for _, x in graph.nodes(data="x")) < 121.0  # nothing in Taipei
    assert max(y for _, y in graph.nodes(data="y")) < 23.5


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    missing = tmp_path / "taiwan-latest.osm.pbf"
    with pytest.raises(InputError, match=r"taiwan-latest\.osm\.pbf: no such file"):
        import_osm(missing, "tainan", tmp_path / "g.graphml.gz", progress=False)


def test_unknown_extension_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "roads.geojson"
    path.write_text("{}")
    with pytest.raises(InputError, match=r"roads\.geojson: unknown OSM file type"):
        import_osm(path, "tainan", tmp_path / "g.graphml.gz", progress=False)


def test_unreadable_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.osm.pbf"
    path.write_bytes(b"\x00\x00\xff\xffnot a pbf" * 100)
    with pytest.raises(InputError, match=r"broken\.osm\.pbf: cannot read"):
        import_osm(path, "tainan", tmp_path / "g.graphml.gz", progress=False)


def test_unknown_city_is_an_input_error(extract: Extract, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="taipei"):
        import_osm(extract.pbf, "taipei", tmp_path / "g.graphml.gz", progress=False)


def test_extract_with_nothing_in_the_city_is_an_input_error(tmp_path: Path) -> None:
    taipei = OsmData(
        nodes={1: (121.5600, 25.0330), 2: (121.5620, 25.0335)},
        ways={1: ([1, 2], {"highway": "primary", "name": "信義路五段"})},
    )
    path = write_osm(taipei, tmp_path / "taipei.osm.pbf")
    out = tmp_path / "g.graphml.gz"
    with pytest.raises(InputError, match=r"taipei\.osm\.pbf: no drivable road inside tainan"):
        import_osm(path, "tainan", out, progress=False)
    assert not out.exists()


def test_tainan_extract_has_nothing_in_kaohsiung(extract: Extract, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no drivable road inside kaohsiung"):
        import_osm(extract.pbf, "高雄市", tmp_path / "g.graphml.gz", progress=False)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the command line (imported here, so a broken CLI fails only these tests)."""
    from rehabus.cli import main  # noqa: PLC0415

    try:
        main(list(argv))
        status = 0
    except SystemExit as exit_:
        status = exit_.code if isinstance(exit_.code, int) else 1
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_cli_writes_the_default_graph_and_prints_a_summary(
    extract: Extract, user_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = _run(capsys, "data", "import-osm", str(extract.pbf), "--no-progress")
    graph_file = user_data_dir / "graphs" / "tainan_drive.graphml.gz"
    assert status == 0
    assert out.startswith("Imported the tainan road graph")
    assert str(graph_file) in out
    assert len(load_graph(graph_file)) > 3000


def test_cli_prints_json_on_request(
    extract: Extract, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "tainan.graphml.gz"
    argv = ["data", "import-osm", str(extract.osm), "--out", str(out_file), "--no-progress"]
    status, out, _ = _run(capsys, *argv, "--json")
    assert status == 0
    report = json.loads(out)
    assert report["out"] == str(out_file) and out_file.is_file()
    assert report["nodes"] > 3000 and report["ways_kept"] < report["ways_read"]


def test_cli_missing_file_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = _run(capsys, "data", "import-osm", str(tmp_path / "nowhere.osm.pbf"))
    assert (status, out) == (2, "")
    assert len(err.strip().splitlines()) == 1
    assert "nowhere.osm.pbf: no such file" in err
