"""A rider's national identification number and disability certificate through the API: checked
when registered or changed, stored so that the database does not show it (encrypted, found by a
keyed digest), answered masked; an expired certificate refused at registration and when booking.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from _api import World, assert_error, service_day, trip
from cryptography.fernet import Fernet
from sqlalchemy import text

from rehabus.dispatch.errors import ConfigError
from rehabus.service.identity import IdentityVault
from rehabus.service.services.rider_import import with_check_digit
from rehabus.service.settings import ApiSettings


def fresh_id(letter: str = "D", second: str = "2") -> str:
    """A valid number no other test uses (random middle digits)."""
    return with_check_digit(f"{letter}{second}{uuid.uuid4().int % 10**7:07d}")


def register(world: World, **fields: Any) -> Any:
    body = {"name": "身分測試", "birth_date": "1948-02-03", "mobility": "walks", **fields}
    return world.client.post("/v1/riders", json=body, headers=world.headers("dispatcher"))


def raw_row(world: World, rider_id: str) -> str:
    """Every column of the rider's row as the database holds it, as one text (a dump's view)."""
    with world.app.state.rehabus.engine.connect() as connection:
        row = connection.execute(
            text("SELECT * FROM riders WHERE id = :id"), {"id": rider_id}
        ).one()
    return " ".join(str(value) for value in row)


def test_registered_number_is_masked_encrypted_and_found(world: World) -> None:
    number = fresh_id()
    typed = f" {number[:4].lower()} {number[4:]} "
    response = register(
        world,
        national_id=typed,
        certificate_level="severe",
        certificate_type="physical",
        certificate_number="tn 1234-5678",
        certificate_expiry=(dt.date.today() + dt.timedelta(days=400)).isoformat(),
    )
    assert response.status_code == 201, response.text
    rider = response.json()
    assert rider["national_id_masked"] == f"{number[:3]}****{number[-3:]}"
    assert rider["certificate_number"] == "TN1234-5678"
    assert rider["certificate_expired"] is False
    assert number not in response.text and 'national_id"' not in response.text
    # The database holds neither the number nor its distinctive digits.
    stored = raw_row(world, rider["id"])
    assert number not in stored and number[1:] not in stored
    # The list and the rider's own answer show it masked too.
    one = world.client.get(f"/v1/riders/{rider['id']}", headers=world.headers("dispatcher"))
    assert one.json()["national_id_masked"] == rider["national_id_masked"]
    assert number not in one.text
    # Searching by the number (as typed, any case) finds this rider alone.
    for q in (number, number.lower(), f"{number[:5]} {number[5:]}"):
        found = world.client.get(
            "/v1/riders/search", params={"q": q}, headers=world.headers("dispatcher")
        ).json()
        assert found["matched_as"] == ["national_id"]
        assert [r["id"] for r in found["items"]] == [rider["id"]], q
        assert number not in json.dumps(found)


def test_a_second_rider_with_the_same_number_is_refused(world: World) -> None:
    number = fresh_id("R", "1")
    assert register(world, national_id=number).status_code == 201
    again = register(world, name="另一人", national_id=number.lower())
    detail = assert_error(again, 409, "national_id")
    assert detail["type"] == "national_id_taken"


@pytest.mark.parametrize(
    ("number", "says"),
    [
        ("A123456788", "check digit"),
        ("A12345678", "10 characters"),
        ("1123456789", "first character"),
        ("AE01234567", "not a national identification number"),
    ],
)
def test_a_bad_number_is_refused_naming_the_field(world: World, number: str, says: str) -> None:
    detail = assert_error(register(world, national_id=number), 422, "national_id")
    assert says in detail["message_en"]
    assert "身分證" in detail["message_zh"]


def test_the_new_and_old_resident_certificates_are_taken(world: World) -> None:
    for second in ("8", "9", "A", "D"):
        number = fresh_id("E", second)
        response = register(world, national_id=number)
        assert response.status_code == 201, (number, response.text)


def test_an_expired_certificate_is_refused_at_registration(world: World) -> None:
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    detail = assert_error(
        register(world, certificate_level="mild", certificate_expiry=yesterday),
        422,
        "certificate_expiry",
    )
    assert "到期" in detail["message_zh"]
    assert f"expired on {yesterday}" in detail["message_en"]
    # A number or expiry without the certificate's level makes no certificate.
    assert_error(
        register(world, certificate_expiry=(dt.date.today() + dt.timedelta(days=9)).isoformat()),
        422,
    )
    assert_error(register(world, certificate_level="mild", certificate_number="!!"), 422)


def test_booking_after_the_certificate_expires_is_refused_with_the_reason(world: World) -> None:
    day = service_day(3)
    expiry = day - dt.timedelta(days=1)
    response = register(
        world,
        national_id=fresh_id(),
        certificate_level="moderate",
        certificate_expiry=expiry.isoformat(),
    )
    assert response.status_code == 201, response.text
    rider = response.json()
    assert rider["certificate_expired"] is False  # still valid today
    refused = world.book("dispatcher", trip(day, "10:00", rider_id=rider["id"]))
    assert refused.status_code == 201, refused.text
    answer = refused.json()
    assert answer["status"] == "refused"
    assert answer["reason"] == "eligibility.certificate_expired"
    assert expiry.isoformat() in answer["message_zh"] and "到期" in answer["message_zh"]
    assert f"expired on {expiry.isoformat()}" in answer["message_en"]
    # On the expiry day itself the certificate is still good.
    fine = world.book("dispatcher", trip(expiry, "10:00", rider_id=rider["id"]))
    assert fine.json()["reason"] != "eligibility.certificate_expired", fine.text
    # Renewed: booking works again.
    renewed = world.client.patch(
        f"/v1/riders/{rider['id']}",
        json={"certificate_expiry": (day + dt.timedelta(days=365)).isoformat()},
        headers=world.headers("dispatcher"),
    )
    assert renewed.status_code == 200, renewed.text
    again = world.book("dispatcher", trip(day, "10:00", rider_id=rider["id"]))
    assert again.json()["reason"] != "eligibility.certificate_expired", again.text


def test_an_expired_certificate_on_record_shows_and_refuses(world: World) -> None:
    rider_id = register(world, certificate_level="severe").json()["id"]
    with world.app.state.rehabus.engine.begin() as connection:  # as an import records it
        connection.execute(
            text("UPDATE riders SET certificate_expiry = :day WHERE id = :id"),
            {"day": dt.date.today() - dt.timedelta(days=30), "id": rider_id},
        )
    shown = world.client.get(f"/v1/riders/{rider_id}", headers=world.headers("dispatcher"))
    assert shown.json()["certificate_expired"] is True
    answer = world.book("dispatcher", trip(service_day(2), "09:00", rider_id=rider_id)).json()
    assert (answer["status"], answer["reason"]) == ("refused", "eligibility.certificate_expired")


def test_changing_a_riders_record(world: World) -> None:
    rider_id = register(world, national_id=fresh_id()).json()["id"]
    other = fresh_id()
    changed = world.client.patch(
        f"/v1/riders/{rider_id}",
        json={
            "national_id": other,
            "phone": "06-234-5678",
            "certificate_level": "mild",
            "certificate_type": "urinary",
            "certificate_number": "KH00000123",
        },
        headers=world.headers("dispatcher"),
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["national_id_masked"] == f"{other[:3]}****{other[-3:]}"
    assert (body["phone"], body["certificate_type"]) == ("06-234-5678", "urinary")
    found = world.client.get(
        "/v1/riders/search", params={"q": "062345678"}, headers=world.headers("dispatcher")
    ).json()
    assert rider_id in {r["id"] for r in found["items"]}
    # Another rider's number is refused; clearing the number forgets it.
    taken = fresh_id()
    register(world, national_id=taken)
    assert_error(
        world.client.patch(
            f"/v1/riders/{rider_id}",
            json={"national_id": taken},
            headers=world.headers("dispatcher"),
        ),
        409,
        "national_id",
    )
    cleared = world.client.patch(
        f"/v1/riders/{rider_id}", json={"national_id": None}, headers=world.headers("admin")
    )
    assert cleared.json()["national_id_masked"] is None
    with world.app.state.rehabus.engine.connect() as connection:
        stored = connection.execute(
            text("SELECT national_id_encrypted, national_id_index FROM riders WHERE id = :id"),
            {"id": rider_id},
        ).one()
    assert tuple(stored) == (None, None)
    assert_error(
        world.client.patch(
            f"/v1/riders/{rider_id}", json={"name": None}, headers=world.headers("admin")
        ),
        422,
    )
    assert_error(
        world.client.patch(
            f"/v1/riders/{rider_id}",
            json={"certificate_level": None},
            headers=world.headers("admin"),
        ),
        422,
        "certificate_level",
    )
    missing = world.client.patch(
        f"/v1/riders/{uuid.uuid4()}", json={"phone": "0900000000"}, headers=world.headers("admin")
    )
    assert_error(missing, 404)


def test_riders_and_caregivers_cannot_change_a_record(world: World) -> None:
    for who in ("rider", "caregiver", "planner", "driver"):
        response = world.client.patch(
            f"/v1/riders/{world.rider_id}",
            json={"phone": "0911111111"},
            headers=world.headers(who),
        )
        assert_error(response, 403)


def test_a_riders_trips_to_come_and_past(world: World) -> None:
    rider_id = register(world, certificate_level="severe", mobility="wheelchair").json()["id"]
    later = world.accepted("dispatcher", trip(service_day(4), "15:00", rider_id=rider_id))
    sooner = world.accepted("dispatcher", trip(service_day(2), "15:00", rider_id=rider_id))
    trips = world.client.get(
        f"/v1/riders/{rider_id}/trips", headers=world.headers("dispatcher")
    ).json()
    assert [b["id"] for b in trips["upcoming"]] == [sooner["id"], later["id"]]
    assert trips["recent"] == []
    # Strangers learn nothing of them (404, as for a rider that does not exist).
    for who in ("other_rider", "other_caregiver", "planner"):
        assert_error(
            world.client.get(f"/v1/riders/{rider_id}/trips", headers=world.headers(who)), 404
        )
    own = world.client.get(
        f"/v1/riders/{world.rider_id}/trips?upcoming=1", headers=world.headers("caregiver")
    )
    assert own.status_code == 200
    assert len(own.json()["upcoming"]) <= 1


# The vault on its own ---------------------------------------------------------------------


def test_keys_from_the_settings(tmp_path: Path) -> None:
    data, index = Fernet.generate_key().decode(), "i" * 40
    settings = ApiSettings(data_key=data, index_key=index, key_file=tmp_path / "unused.json")
    vault = IdentityVault.from_settings(settings)
    sealed = vault.seal("A123456789")
    assert "A123456789" not in sealed.encrypted and len(sealed.index) == 64
    assert vault.open(sealed.encrypted) == "A123456789"
    assert vault.masked(sealed.encrypted) == "A12****789"
    assert not (tmp_path / "unused.json").exists()
    # The same number always has the same digest (exact search), never the same token.
    assert vault.index("A123456789") == sealed.index
    assert vault.seal("A123456789").encrypted != sealed.encrypted
    # Another index key: another digest (the digest alone reveals nothing without the key).
    other = IdentityVault([data], b"j" * 40)
    assert other.index("A123456789") != sealed.index


def test_a_new_data_key_still_opens_what_the_old_one_sealed() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed = IdentityVault([old], b"k" * 32).seal("F131104093")
    rotated = IdentityVault([new, old], b"k" * 32)
    assert rotated.open(sealed.encrypted) == "F131104093"
    assert IdentityVault([new], b"k" * 32).open(sealed.encrypted) is None
    assert IdentityVault([new], b"k" * 32).masked(sealed.encrypted) == "*" * 10


def test_a_key_file_is_made_once_for_the_owner_alone(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "data-keys.json"
    first = IdentityVault.from_settings(ApiSettings(key_file=path))
    assert path.stat().st_mode & 0o777 == 0o600
    second = IdentityVault.from_settings(ApiSettings(key_file=path))
    assert second.open(first.seal("A123456789").encrypted) == "A123456789"


@pytest.mark.parametrize(
    ("data_key", "index_key"),
    [("not-a-key", "i" * 40), (None, "i" * 40), ("FERNET", "short")],
)
def test_bad_keys_are_refused(tmp_path: Path, data_key: str | None, index_key: str) -> None:
    if data_key == "FERNET":
        data_key = Fernet.generate_key().decode()
    settings = ApiSettings(data_key=data_key, index_key=index_key, key_file=tmp_path / "k.json")
    with pytest.raises(ConfigError):
        IdentityVault.from_settings(settings)
