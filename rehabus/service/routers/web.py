"""The web pages: a landing page at ``/``, the rider's booking page at ``/rider``, the
dispatcher's console at ``/console``, the call-takers' desk at ``/desk`` and the driver's page
at ``/driver``, with their scripts, styles and vendored libraries under ``/web/``. Static files
only: every page signs in and talks to the ``/v1`` API itself. Nothing is fetched from another
host (no CDN, no map tiles)."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter
from fastapi import Path as PathParam
from fastapi.responses import FileResponse

from rehabus.service.errors import not_found

__all__ = ["WEB_DIR", "router"]

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
"""Where the pages live (``rehabus/service/web``)."""

router = APIRouter(include_in_schema=False)

FileName = Annotated[str, PathParam(max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
}


def _file(relative: str, cache_s: int) -> FileResponse:
    try:
        path = (WEB_DIR / relative).resolve()
        found = path.is_relative_to(WEB_DIR) and path.is_file()
    except (OSError, ValueError):  # a NUL byte, a name too long
        found = False
    if not found:
        raise not_found("檔案", "file")
    media = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "text/plain"
    # The pages' policy (their own origin only) is added by rehabus/service/security_headers.py.
    headers = {"Cache-Control": f"public, max-age={cache_s}"}
    if media.startswith("text/") or media.endswith("javascript"):
        media += "; charset=utf-8"
    return FileResponse(path, media_type=media, headers=headers)


@router.get("/")
def landing() -> FileResponse:
    """A small page linking the rider's page and the dispatcher's console."""
    return _file("index.html", 0)


@router.get("/rider")
def rider_page() -> FileResponse:
    """The rider's (and caregiver's) booking page."""
    return _file("rider.html", 0)


@router.get("/rider/sw.js")
def rider_service_worker() -> FileResponse:
    """The rider page's service worker (``web/sw.js``): it keeps the page and the rider's last
    known upcoming trips for use offline. Served beside the page with the
    ``Service-Worker-Allowed`` header so that its scope can be ``/rider`` itself (a worker's
    scope is otherwise its own folder, ``/rider/``, which leaves the page out); never cached
    by HTTP, so a new version is picked up at once."""
    response = _file("sw.js", 0)
    response.headers["Service-Worker-Allowed"] = "/rider"
    response.headers["Cache-Control"] = "no-cache"
    return response


@router.get("/console")
def console_page() -> FileResponse:
    """The dispatcher's console."""
    return _file("console.html", 0)


@router.get("/desk")
def desk_page() -> FileResponse:
    """The call-takers' desk: find a rider by name, phone or number and book for them."""
    return _file("desk.html", 0)


@router.get("/driver")
def driver_page() -> FileResponse:
    """The driver's page: the bus's stops, one tap per event, the position sent on its own."""
    return _file("driver.html", 0)


@router.get("/web/{name}")
def asset(name: FileName) -> FileResponse:
    """A script or style sheet of the pages."""
    return _file(name, 300)


@router.get("/web/vendor/{package}/{name}")
def vendored(package: FileName, name: FileName) -> FileResponse:
    """A file of a vendored library (``rehabus/service/web/vendor/<package>``, with its licence)."""
    return _file(f"vendor/{package}/{name}", 86400)
