"""Security headers (rehabus/service/security_headers.py): nothing is sniffed, nothing of the API is
cached but the open map layers, and HTML pages (the printable manifest among them) carry a
strict content policy, refuse framing and send no referrer."""

from __future__ import annotations

from _api import World, service_day
from httpx import Response

PAGE_HEADERS = ("Content-Security-Policy", "X-Frame-Options", "Referrer-Policy")


def _assert_page(response: Response) -> None:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split("; ")}
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]  # no inline script, no eval, no other host
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_api_answers_are_never_stored(world: World) -> None:
    day = service_day(3).isoformat()
    answers = [
        world.client.get("/v1/me", headers=world.headers("rider")),
        world.client.get("/v1/bookings", headers=world.headers("rider")),
        world.client.get(f"/v1/riders/{world.rider_id}", headers=world.headers("caregiver")),
        world.client.get(f"/v1/dispatch/days/tainan/{day}", headers=world.headers("dispatcher")),
        world.client.get("/v1/bookings"),  # an error answer too
        world.client.get(f"/v1/riders/{world.rider_id}", headers=world.headers("other_rider")),
    ]
    for response in answers:
        assert response.headers["Cache-Control"] == "no-store", response.request.url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Content-Security-Policy" not in response.headers  # JSON, not a page


def test_the_open_map_layers_may_be_cached(world: World) -> None:
    for layer in ("districts", "roads"):
        response = world.client.get(f"/v1/geo/tainan/{layer}")
        assert response.status_code == 200
        assert response.headers["Cache-Control"].startswith("public, max-age=")
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_printable_manifest_is_a_protected_page(world: World) -> None:
    day = service_day(3).isoformat()
    response = world.client.get(
        f"/v1/dispatch/days/tainan/{day}/vehicles/TA-east-108/manifest.html",
        headers=world.headers("dispatcher"),
    )
    _assert_page(response)
    assert response.headers["Cache-Control"] == "no-store"  # riders' names and phones


def test_the_web_pages_are_protected(world: World) -> None:
    for path in ("/", "/rider", "/console"):
        _assert_page(world.client.get(path))


def test_everything_else_is_not_sniffed(world: World) -> None:
    for path in ("/healthz", "/web/app.css", "/web/vendor/leaflet/leaflet.js", "/nowhere"):
        response = world.client.get(path)
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert "Content-Security-Policy" not in response.headers, path


def test_the_api_docs_are_left_to_their_own_policy(world: World) -> None:
    for path in ("/docs", "/redoc"):
        response = world.client.get(path)
        assert response.status_code == 200, path
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        if "Content-Security-Policy" in response.headers:  # their own, if any: not the pages'
            assert "script-src 'self';" not in response.headers["Content-Security-Policy"]
