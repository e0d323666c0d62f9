"""What the pages read besides bookings: hospitals and clinics, a rider's saved places, and the
map's layers (district boundaries and the road graph as GeoJSON), through the real server."""

from __future__ import annotations

import itertools

import httpx
from _web import Server

from rehabus.service.services.places import facilities


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_facilities_are_hospitals_and_rehab_clinics_placed_honestly(server: Server) -> None:
    token = server.token("rider", "rider-demo")
    everything = server.get("/v1/facilities?city=tainan", token)
    # MOHW 2023-12-31: Tainan's 32 hospitals and 42 clinics with a rehabilitation department.
    assert len(everything) == 74
    assert sum(f["hospital"] for f in everything) == 32
    assert all(f["hospital"] or f["rehabilitation"] for f in everything)
    ncku = next(f for f in everything if f["name"] == "國立成功大學醫學院附設醫院")
    # Where the NHIA publishes it (data/geo/medical_institution_coordinates_nhia_2024.csv).
    assert (ncku["lat"], ncku["lon"], ncku["located"]) == (23.00221, 120.21923, "nhia")
    assert ncku["district"] == "北區" and "勝利路" in ncku["address"]
    chimei = next(f for f in everything if f["name"] == "奇美醫療財團法人奇美醫院")
    assert (chimei["lat"], chimei["lon"], chimei["located"]) == (23.020605, 120.22189, "nhia")
    # All but two of the 74 stand where the NHIA says; 永和醫院 is not on its map and its point
    # for 永川醫院 lies outside the district of its address: both say they are stand-ins.
    stand_ins = {f["name"]: f["located"] for f in everything if f["located"] != "nhia"}
    assert stand_ins == {"永和醫院": "district", "永川醫院": "district"}
    assert all(22.8 < f["lat"] < 23.5 and 120.0 < f["lon"] < 120.7 for f in everything)
    found = server.get("/v1/facilities?city=tainan&q=奇美", token)
    assert found and all("奇美" in f["name"] + f["address"] for f in found)
    assert len(facilities("kaohsiung")) == 140


def test_saved_places_belong_to_their_rider(server: Server) -> None:
    rider = server.token("rider", "rider-demo")
    me = server.get("/v1/me", rider)
    path = f"{server.url}/v1/riders/{me['rider_id']}/places"
    before = server.get(f"/v1/riders/{me['rider_id']}/places", rider)
    assert [p["label"] for p in before][:2] == ["家 Home", "成大醫院 NCKU Hospital"]
    made = httpx.post(
        path,
        json={"label": "女兒家", "lat": 22.9921, "lon": 120.2049, "address": "南門路"},
        headers=_headers(rider),
    )
    assert made.status_code == 201, made.text
    place = made.json()
    caregiver = server.token("caregiver", "caregiver-demo")
    # The caregiver is not linked to this rider: nothing to learn (404), nothing to delete.
    assert httpx.get(path, headers=_headers(caregiver)).status_code == 404
    gone = httpx.delete(f"{path}/{place['id']}", headers=_headers(caregiver))
    assert gone.status_code == 404
    assert httpx.delete(f"{path}/{place['id']}", headers=_headers(rider)).status_code == 204
    assert httpx.delete(f"{path}/{place['id']}", headers=_headers(rider)).status_code == 404
    bad = httpx.post(path, json={"label": "", "lat": 91, "lon": 0}, headers=_headers(rider))
    assert bad.status_code == 422
    fields = {d["field"] for d in bad.json()["detail"]}
    assert fields == {"label", "lat"}
    assert all(d["message_zh"] and d["message_en"] for d in bad.json()["detail"])


def test_map_layers_come_from_the_projects_own_data(server: Server) -> None:
    districts = httpx.get(f"{server.url}/v1/geo/tainan/districts").json()
    assert districts["type"] == "FeatureCollection"
    assert len(districts["features"]) == 37
    names = {f["properties"]["name_zh"] for f in districts["features"]}
    assert {"中西區", "北區", "永康區"} <= names
    assert {f["geometry"]["type"] for f in districts["features"]} <= {"Polygon", "MultiPolygon"}
    roads = httpx.get(f"{server.url}/v1/geo/tainan/roads").json()
    lines = roads["features"]
    # The shipped core graph: 9,409 directed edges, each street segment drawn once.
    assert 4000 < len(lines) < 9409
    assert all(f["geometry"]["type"] == "LineString" for f in lines)
    xs = [x for f in lines for x, _ in f["geometry"]["coordinates"]]
    ys = [y for f in lines for _, y in f["geometry"]["coordinates"]]
    assert 120.18 < min(xs) < max(xs) < 120.23
    assert 22.97 < min(ys) < max(ys) < 23.02
    assert httpx.get(f"{server.url}/v1/geo/kaohsiung/roads").status_code == 404  # not loaded


def test_legs_follow_the_roads(server: Server) -> None:
    token = server.token("dispatcher", "dispatcher-demo")
    station, ncku, far = (22.99717, 120.21264), (23.00182, 120.2192), (23.1, 120.3)
    answer = httpx.post(
        f"{server.url}/v1/geo/tainan/paths",
        json={"legs": [[*station, *ncku], [*ncku, *far], [*ncku, *ncku]]},
        headers=_headers(token),
    )
    assert answer.status_code == 200, answer.text
    along, off_graph, standing = answer.json()["paths"]
    assert along[0] == list(station) and along[-1] == list(ncku)
    assert len(along) > 5  # the streets' bends, not a straight line
    # Each step between points is short: the line follows streets, it does not jump.
    steps = [abs(a[0] - b[0]) + abs(a[1] - b[1]) for a, b in itertools.pairwise(along)]
    assert max(steps) < 0.01
    assert off_graph == [list(ncku), list(far)]  # off the core graph: straight
    assert standing == [list(ncku), list(ncku)]
    bad = httpx.post(
        f"{server.url}/v1/geo/tainan/paths", json={"legs": [[1, 2, 3]]}, headers=_headers(token)
    )
    assert bad.status_code == 422


def test_pages_and_assets_are_served_with_a_strict_policy(server: Server) -> None:
    for path in ("/", "/rider", "/console"):
        page = httpx.get(server.url + path)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert "http" not in page.text.replace("http-equiv", "")  # no outside address
    script = httpx.get(f"{server.url}/web/vendor/leaflet/leaflet.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    for bad in ("/web/..%2Fapp.py", "/web/vendor/..%2F..%2Frouters/web.py", "/web/missing.js"):
        assert httpx.get(server.url + bad).status_code in (404, 422), bad
