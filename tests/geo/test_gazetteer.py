"""Finding a place by typing (rehabus/dispatch/geo/gazetteer.py, city_places.py): Chinese text
folded (台/臺, full-width, spaces, section numbers), matches ranked exact > prefix > substring >
address > abbreviation, then by kind and size; a rider's saved places first; a typed address
read as district + street. On a hand-made gazetteer, then on Tainan's real data."""

from __future__ import annotations

import numpy as np
import pytest

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.geo.city_places import load_gazetteer
from rehabus.dispatch.geo.gazetteer import Gazetteer, Place, fold
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.travel import load_road_graph, road_graph_path

HERE = Point(22.99, 120.2)


def _place(label: str, kind: str = "street", district: str = "中西區", **more: object) -> Place:
    return Place(
        id=f"{kind}:{district}:{label}",
        label=label,
        kind=kind,  # type: ignore[arg-type]
        district=district,
        point=HERE,
        located=more.pop("located", "osm"),  # type: ignore[arg-type]
        **more,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("台南市", "臺南市"),
        ("ＮＡＮＭＥＮ　Ｒｏａｄ", "nanmenroad"),
        ("中華路1段", "中華路一段"),
        ("中華路１段", "中華路一段"),
        ("公園路 321 巷", "公園路321巷"),
        ("成大・醫院", "成大醫院"),
        ("勝利路１３８號", "勝利路138號"),
    ],
)
def test_text_is_folded(typed: str, folded: str) -> None:
    assert fold(typed) == folded


def test_exact_before_prefix_before_substring_then_kind_then_size() -> None:
    places = [
        _place("新南門路", size=5000),  # substring
        _place("南門路31巷", size=100),  # prefix
        _place("南門路", size=900),  # exact
        _place("南門里", "village", size=3000, located="village_centre"),  # prefix, a village
        _place("南門路237巷", size=300),  # prefix, longer lane first
    ]
    found = Gazetteer(places).search("南門路")
    assert [f.place.label for f in found] == ["南門路", "南門路237巷", "南門路31巷", "新南門路"]
    assert [f.match for f in found] == ["exact", "prefix", "prefix", "substring"]
    # Equal matches: a village before a street, whatever their size.
    assert [f.place.label for f in Gazetteer(places).search("南門")][:2] == ["南門里", "南門路"]


def test_saved_places_come_first_and_the_limit_holds() -> None:
    city = Gazetteer([_place("南門路"), _place("南門路31巷")])
    home = _place("南門路的家", "saved", located="saved")
    found = city.search("南門路", 2, first=[home])
    assert [f.place.label for f in found] == ["南門路的家", "南門路"]
    assert [f.place.label for f in city.search("北門", first=[home])] == []


def test_an_address_is_read_as_district_then_street() -> None:
    places = [
        _place("永康區", "district", "永康區", located="district_centre"),
        _place("北區", "district", "北區", located="district_centre"),
        _place("中華路", district="永康區"),
        _place("中華路", district="北區"),
        _place("奇美醫院", "hospital", "永康區", located="nhia", address="臺南市永康區中華路901號"),
    ]
    city = Gazetteer(places, city_names=["臺南市"])
    found = city.search("台南市永康區中華路901號")
    assert [(f.place.label, f.place.district, f.match) for f in found] == [
        ("中華路", "永康區", "exact"),
        ("奇美醫院", "永康區", "address"),
        ("永康區", "永康區", "district"),  # the district itself, last
    ]
    assert [f.place.label for f in city.search("北區中華路")] == ["中華路", "北區"]


def test_abbreviations_are_for_long_names_only() -> None:
    places = [
        _place("國立成功大學醫學院附設醫院", "hospital", "北區", located="nhia"),
        _place("南門路231巷"),
    ]
    city = Gazetteer(places)
    assert [f.match for f in city.search("成大醫院")] == ["abbreviation"]
    assert city.search("成大") == []  # two characters: too short to read as one
    assert city.search("南門路31巷") == []  # numbers are not abbreviated


@pytest.mark.parametrize("query", ["", "   ", "・、", "路" * 65])
def test_blank_or_long_queries_are_refused(query: str) -> None:
    with pytest.raises(InputError, match="q:"):
        Gazetteer([_place("南門路")]).search(query)


def test_a_place_needs_a_name_and_a_known_kind() -> None:
    with pytest.raises(InputError, match="label"):
        _place("  ")
    with pytest.raises(InputError, match="kind"):
        _place("南門路", "shop")


# ---- Tainan's real data ----


@pytest.fixture(scope="module")
def tainan() -> Gazetteer:
    return load_gazetteer("tainan")


def test_tainan_holds_every_kind_from_the_shipped_data(tainan: Gazetteer) -> None:
    counts = tainan.counts()
    # MOI: 37 districts, 649 villages; MOHW 2023-12-31: 2,038 institutions, 32 hospitals.
    assert (counts["district"], counts["village"]) == (37, 649)
    assert (counts["hospital"], counts["hospital"] + counts["clinic"]) == (32, 2038)
    # The core road graph's named streets and lanes, once per district they run through.
    assert 900 < counts["street"] < 1100
    # Named squares, roundabouts and bridges of the core (no points of interest shipped).
    assert 10 <= counts["landmark"] <= 30
    labels = {p.label for p in tainan.places if p.kind == "landmark"}
    assert {"民生綠園", "西門圓環", "東門圓環", "河樂廣場"} <= labels


def test_a_street_is_found_on_itself(tainan: Gazetteer) -> None:
    best = tainan.search("南門路")[0]
    assert (best.place.label, best.place.kind, best.place.district, best.match) == (
        "南門路",
        "street",
        "中西區",
        "exact",
    )
    assert best.place.located == "osm" and not best.place.approximate
    # Its point is a node of the road graph at an end of an edge named 南門路.
    graph = load_road_graph(road_graph_path("tainan"))
    node = np.flatnonzero(
        (np.abs(graph.node_lat - best.place.point.lat) < 1e-6)
        & (np.abs(graph.node_lon - best.place.point.lon) < 1e-6)
    )
    assert len(node) == 1
    edges = np.flatnonzero((graph.tail == node[0]) | (graph.head == node[0]))
    assert "南門路" in {graph.edge_names[e] for e in edges}


@pytest.mark.parametrize(
    ("typed", "label", "match"),
    [
        ("台南醫院", "衛生福利部臺南醫院", "substring"),
        ("成大醫院", "國立成功大學醫學院附設醫院", "abbreviation"),
        ("奇美", "奇美醫療財團法人奇美醫院", "prefix"),  # the largest of the three 奇美
        ("勝利路１３８號", "國立成功大學醫學院附設醫院", "address"),
        ("Nanmen Road", "南門路", "exact"),
        ("臺南市北區公園路", "公園路", "exact"),
        ("民生綠園", "民生綠園", "exact"),
        ("永康", "永康區", "prefix"),
    ],
)
def test_tainan_ranks_what_riders_type(
    tainan: Gazetteer, typed: str, label: str, match: str
) -> None:
    best = tainan.search(typed)[0]
    assert (best.place.label, best.match) == (label, match)


def test_a_typed_address_stays_in_its_district(tainan: Gazetteer) -> None:
    found = tainan.search("永康區中華路901號", 50)
    assert found[0].place.label == "奇美醫療財團法人奇美醫院"
    assert {f.place.district for f in found} == {"永康區"}
    assert found[-1].place.label == "永康區" and found[-1].match == "district"


def test_villages_and_districts_say_they_are_centres(tainan: Gazetteer) -> None:
    village = tainan.search("大港里")[0]
    assert (village.place.kind, village.place.district) == ("village", "北區")
    assert village.place.located == "village_centre" and village.place.approximate
    district = tainan.search("安南區")[0]
    assert district.place.located == "district_centre" and district.place.approximate
    # Most populous first among equal matches: 永康區 is Tainan's largest district.
    assert district.place.size > 190_000
