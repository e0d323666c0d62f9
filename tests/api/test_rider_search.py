"""Finding a rider while they are on the phone (``GET /v1/riders/search``): by name, phone,
certificate number or national identification number, best matches first, a page at a time;
for dispatchers and admins only; a query with nothing to look for is a 422 naming it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from _api import World, assert_error

from rehabus.service.services.rider_import import with_check_digit


def _stem() -> str:
    """A name part no other test's riders have (letters the search takes as a name)."""
    return "".join("甲乙丙丁戊己庚辛壬癸"[int(c, 16) % 10] for c in uuid.uuid4().hex[:6])


def _digits(n: int) -> str:
    return f"{uuid.uuid4().int % 10**n:0{n}d}"


def register(world: World, name: str, **fields: Any) -> dict[str, Any]:
    body = {"name": name, "birth_date": "1951-07-08", "mobility": "walks", **fields}
    response = world.client.post("/v1/riders", json=body, headers=world.headers("dispatcher"))
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def search(world: World, who: str = "dispatcher", **params: Any) -> Any:
    return world.client.get("/v1/riders/search", params=params, headers=world.headers(who))


def found(world: World, q: str, **params: Any) -> dict[str, Any]:
    response = search(world, q=q, **params)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def ids(page: dict[str, Any]) -> list[str]:
    return [r["id"] for r in page["items"]]


def test_by_name_the_name_itself_first_then_its_start_then_anywhere(world: World) -> None:
    stem = _stem()
    inside = register(world, f"王{stem}華")["id"]
    starts = register(world, f"{stem}明")["id"]
    exact = register(world, stem)["id"]
    page = found(world, stem)
    assert page["matched_as"] == ["name"]
    assert ids(page) == [exact, starts, inside]
    assert page["total"] == 3
    # Latin letters in any case; the characters % and _ are themselves, not wildcards.
    latin = f"Lin {uuid.uuid4().hex[:5]}"
    rider = register(world, latin)["id"]
    assert ids(found(world, latin.upper())) == [rider]
    assert found(world, f"{stem}%")["total"] == 0


def test_by_phone_whole_start_or_last_digits(world: World) -> None:
    number = f"09{_digits(8)}"
    shown = f"{number[:4]}-{number[4:7]}-{number[7:]}"
    rider = register(world, f"電話{_stem()}", phone=shown)
    for q in (number, shown, f"+886 {number[1:4]} {number[4:]}", number[:7], number[-6:]):
        page = found(world, q)
        assert "phone" in page["matched_as"], q
        assert rider["id"] in ids(page), q
    assert ids(found(world, number))[0] == rider["id"]  # the whole number first
    assert rider["phone"] == shown  # as typed at registration


def test_by_certificate_number_whole_or_start(world: World) -> None:
    number = f"KH{_digits(8)}"
    rider = register(world, f"證明{_stem()}", certificate_level="mild", certificate_number=number)
    for q in (number, number.lower(), number[:6]):
        page = found(world, q)
        assert "certificate_number" in page["matched_as"]
        assert rider["id"] in ids(page), q
    assert ids(found(world, number)) == [rider["id"]]


def test_by_national_identification_number_exactly(world: World) -> None:
    number = with_check_digit(f"D1{_digits(7)}")
    rider = register(world, f"身分{_stem()}", national_id=number)
    page = found(world, number.lower())
    assert (page["matched_as"], ids(page)) == (["national_id"], [rider["id"]])
    assert page["items"][0]["national_id_masked"] == f"{number[:3]}****{number[-3:]}"
    # A number whose check digit is wrong is not a number: looked for as text, finds nobody.
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    other = found(world, wrong)
    assert "national_id" not in other["matched_as"]
    assert rider["id"] not in ids(other)
    # Part of the number finds nothing: it is never stored readable.
    assert rider["id"] not in ids(found(world, number[:6]))


def test_pages_are_disjoint_stable_and_counted(world: World) -> None:
    stem = _stem()
    made = {register(world, f"{stem}{k:02d}")["id"] for k in range(23)}
    seen: list[str] = []
    for number in (1, 2, 3):
        page = found(world, stem, page=number, page_size=10)
        assert (page["total"], page["page"], page["page_size"]) == (23, number, 10)
        assert len(page["items"]) == (10 if number < 3 else 3)
        seen += ids(page)
    assert len(seen) == len(set(seen)) == 23 and set(seen) == made
    names = [r["name"] for r in found(world, stem, page_size=23)["items"]]
    assert names == sorted(names)
    beyond = found(world, stem, page=4, page_size=10)
    assert (beyond["total"], beyond["items"]) == (23, [])


def test_results_show_what_the_call_taker_needs(world: World) -> None:
    stem = _stem()
    register(
        world,
        stem,
        phone="0912000111",
        certificate_level="severe",
        certificate_number=f"TN{_digits(8)}",
        certificate_expiry="2099-01-31",
        national_id=with_check_digit(f"R2{_digits(7)}"),
    )
    item = found(world, stem)["items"][0]
    for field in (
        "name",
        "phone",
        "national_id_masked",
        "certificate_level",
        "certificate_expiry",
        "certificate_expired",
        "cancellation_points",
        "suspended_until",
    ):
        assert field in item, field
    assert "national_id" not in item


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "!!?"}, "q"),
        ({"q": "12"}, "q"),
        ({"q": "x" * 65}, "q"),
        ({"q": "王", "page": 0}, "page"),
        ({"q": "王", "page": "two"}, "page"),
        ({"q": "王", "page_size": 0}, "page_size"),
        ({"q": "王", "page_size": 101}, "page_size"),
    ],
)
def test_a_bad_query_or_page_names_the_field(
    world: World, params: dict[str, Any], field: str
) -> None:
    detail = assert_error(search(world, **params), 422, field)
    assert detail["loc"][0] == "query"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("rider", 403),
        ("caregiver", 403),
        ("other_caregiver", 403),
        ("planner", 403),
        ("driver", 403),
        (None, 401),
    ],
)
def test_only_dispatchers_and_admins_search(world: World, who: str | None, status: int) -> None:
    response = world.client.get(
        "/v1/riders/search", params={"q": "林阿嬤"}, headers=world.headers(who)
    )
    assert_error(response, status)


def test_dispatchers_and_admins_find_the_worlds_riders(world: World) -> None:
    for who in ("dispatcher", "admin"):
        response = search(world, who, q="林阿嬤")
        assert response.status_code == 200
        assert world.rider_id in ids(response.json())
