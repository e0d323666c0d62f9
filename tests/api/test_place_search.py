"""GET /v1/places/search: a place found by typing, through the real app; a rider's own saved
places first for those who may see that rider; approximate points said so; a clear 422 for a
query that cannot be searched."""

from __future__ import annotations

from _api import World, assert_error

SEARCH = "/v1/places/search"


def test_a_rider_finds_streets_hospitals_and_their_own_places_first(world: World) -> None:
    saved = world.client.post(
        f"/v1/riders/{world.rider_id}/places",
        json={"label": "南門路女兒家", "lat": 22.9854, "lon": 120.2046, "address": "南門路"},
        headers=world.headers("rider"),
    )
    assert saved.status_code == 201, saved.text
    mine = {"q": "南門路", "rider_id": world.rider_id}
    for who in ("rider", "caregiver", "dispatcher"):
        answer = world.client.get(SEARCH, params=mine, headers=world.headers(who))
        assert answer.status_code == 200, (who, answer.text)
        first, second = answer.json()[:2]
        assert (first["id"], first["kind"], first["located"]) == (
            f"saved:{saved.json()['id']}",
            "saved",
            "saved",
        )
        assert first["district"] == "中西區" and not first["approximate"]
        assert (second["label"], second["kind"], second["match"]) == ("南門路", "street", "exact")
        assert second["note_en"].startswith("at the middle of the street")
    # Without the rider, or as a stranger to them, the saved place is not there.
    plain = world.client.get(SEARCH, params={"q": "南門路"}, headers=world.headers("rider"))
    assert "saved" not in {p["kind"] for p in plain.json()}
    stranger = world.client.get(SEARCH, params=mine, headers=world.headers("other_rider"))
    assert_error(stranger, 404)


def test_approximate_points_are_said_so(world: World) -> None:
    answer = world.client.get(
        SEARCH, params={"q": "大港里", "limit": 1}, headers=world.headers("rider")
    )
    [village] = answer.json()
    assert (village["kind"], village["located"], village["approximate"]) == (
        "village",
        "village_centre",
        True,
    )
    assert village["note_zh"] == "位置為村里中心"
    assert village["note_en"] == "located at the village centre"
    hospital = world.client.get(
        SEARCH, params={"q": "台南醫院", "limit": 1}, headers=world.headers("rider")
    ).json()[0]
    assert (hospital["label"], hospital["located"], hospital["note_zh"]) == (
        "衛生福利部臺南醫院",
        "nhia",
        "",
    )
    assert hospital["address"] == "臺南市中西區中山路125號"
    typed = world.client.get(
        SEARCH, params={"q": "永康區中華路", "limit": 50}, headers=world.headers("caregiver")
    ).json()
    assert {p["district"] for p in typed} == {"永康區"}


def test_queries_that_cannot_be_searched_are_refused(world: World) -> None:
    rider = world.headers("rider")
    for params, field in (
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "　 "}, "q"),  # a full-width space and a space: nothing to search
        ({"q": "路" * 65}, "q"),
        ({"q": "南門", "limit": 0}, "limit"),
        ({"q": "南門", "city": "atlantis"}, "city"),
    ):
        assert_error(world.client.get(SEARCH, params=params, headers=rider), 422, field)
    blank = world.client.get(SEARCH, params={"q": "   "}, headers=rider).json()["detail"][0]
    assert blank["message_en"] == "type part of a place's name or of an address"
    # A city configured but not served here.
    unserved = world.client.get(SEARCH, params={"q": "鹽埕", "city": "kaohsiung"}, headers=rider)
    assert_error(unserved, 404)
    assert_error(
        world.client.get(SEARCH, params={"q": "南門"}, headers=world.headers("planner")), 403
    )
