"""The API documents itself, offline.

``/docs`` (Swagger UI) and ``/redoc`` (ReDoc) load only the service's own files: the libraries
vendored in ``rehabus/service/web/vendor/`` (see its README for versions and licences), no CDN, no
web fonts, no remote favicon. The pages are self-contained HTML with an inline start-up script.

The OpenAPI document declares the one error body (`rehabus.service.errors.ErrorBody`) for every
error an operation can answer, worked out in one place from each route rather than in every router:
400 where it takes a body (one that is not UTF-8 cannot be parsed), 401 where the route needs a
token, 403 where it is limited to roles, 404 where its path names something, 409 where it can
conflict (declared by its router, or a retry of an ``Idempotency-Key`` still running), 422
where it takes input (instead of FastAPI's own validation shape, which the service never
answers), 503 on every ``/v1`` operation (the service sheds load), and whatever else a router
declares (429 for a locked sign-in).
"""

from __future__ import annotations

import http
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import fastapi.routing
from fastapi import APIRouter, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

from rehabus.service.deps import current_user, require
from rehabus.service.errors import ErrorBody

__all__ = ["ERROR_DESCRIPTIONS", "install_api_docs", "router"]

VENDOR = "/web/vendor"
SWAGGER_JS = f"{VENDOR}/swagger-ui/swagger-ui-bundle.js"
SWAGGER_CSS = f"{VENDOR}/swagger-ui/swagger-ui.css"
REDOC_JS = f"{VENDOR}/redoc/redoc.standalone.js"
NO_FAVICON = "data:,"
"""An empty icon: the browser asks no host (not even this one) for a favicon."""

ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "The body cannot be read: JSON must be UTF-8 text (無法讀取請求內容).",
    401: "Not signed in, or the token is invalid or has expired (請先登入).",
    403: "Signed in, but this needs another role (沒有權限).",
    404: "Not found, or not yours to see: a rider never learns that another rider's records "
    "exist (找不到).",
    409: "Conflicts with the current state, e.g. a booking already cancelled, a username "
    "taken, or a retry while the first request with its Idempotency-Key is still running "
    "(與目前狀態衝突).",
    422: "The request is invalid or a rule refuses it: each item names the field at fault "
    "(輸入值不正確).",
    429: "Too many attempts: retry after the seconds in Retry-After (請稍後再試).",
    503: "The service is busy, or its database is unavailable for now: retry after the "
    "seconds in Retry-After (系統忙碌中).",
}
"""What each documented error status means, whatever the route."""
LOAD_SHEDDING = (503,)
"""What any ``/v1`` operation may answer when the service sheds load
(`rehabus.service.load_shedding`) or
its database is down; 429 only where a router declares it (sign-in lockout)."""
ERROR_REF = "#/components/schemas/ErrorBody"
_ROLE_CHECK = require().__code__
"""The code of every ``require(...)`` check: a route depending on one is limited to roles."""
_GENERIC = {"Additional Response", "Validation Error"} | {
    http.HTTPStatus(status).phrase for status in ERROR_DESCRIPTIONS
}
"""Descriptions FastAPI writes by itself, replaced by ours."""

router = APIRouter(include_in_schema=False)


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI on this service's OpenAPI document, from the vendored files."""
    app: FastAPI = request.app
    root = _root(request)
    return get_swagger_ui_html(
        openapi_url=root + str(app.openapi_url),
        title=f"{app.title} - Swagger UI",
        swagger_js_url=root + SWAGGER_JS,
        swagger_css_url=root + SWAGGER_CSS,
        swagger_favicon_url=NO_FAVICON,
        swagger_ui_parameters={"validatorUrl": None},  # no badge from validator.swagger.io
    )


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    """ReDoc on this service's OpenAPI document, from the vendored file, in system fonts."""
    app: FastAPI = request.app
    root = _root(request)
    return get_redoc_html(
        openapi_url=root + str(app.openapi_url),
        title=f"{app.title} - ReDoc",
        redoc_js_url=root + REDOC_JS,
        redoc_favicon_url=NO_FAVICON,
        with_google_fonts=False,
    )


def install_api_docs(app: FastAPI) -> None:
    """Serve ``/docs`` and ``/redoc`` from the vendored files, and document every error in
    ``app``'s OpenAPI document. Build ``app`` with ``docs_url=None, redoc_url=None``."""
    app.include_router(router)
    generate = app.openapi
    lock = threading.Lock()

    def openapi() -> dict[str, Any]:
        with lock:  # nobody reads the document before its errors are added
            if app.openapi_schema is None:
                document_errors(generate(), _operations(app))
            return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]


Operation = tuple[str, str, Dependant | None]
"""A path (as the document writes it), a method, and the route's dependencies."""


def _operations(app: FastAPI) -> Iterator[Operation]:
    """Every (path, method, dependant) of ``app``. FastAPI 0.16x keeps included routers
    nested and gives each route with what its routers add; earlier versions list them flat."""
    walk: Callable[[Any], Any] | None = getattr(fastapi.routing, "iter_route_contexts", None)
    routes = walk(app.routes) if walk is not None else app.routes
    for route in routes:
        path = getattr(route, "path_format", None)
        for method in getattr(route, "methods", None) or ():
            if path is not None:
                yield path, method.lower(), getattr(route, "dependant", None)


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def _statuses(path: str, operation: dict[str, Any], dependant: Dependant | None) -> set[int]:
    """The errors an operation can answer."""
    statuses = {int(s) for s in operation.get("responses", {}) if s.isdigit() and int(s) >= 400}
    calls = list(_calls(dependant)) if dependant is not None else []
    if current_user in calls:
        statuses.add(401)
    if any(getattr(call, "__code__", None) is _ROLE_CHECK for call in calls):
        statuses |= {401, 403}
    if "{" in path:
        statuses |= {404, 422}
    parameters = operation.get("parameters", [])
    if parameters or "requestBody" in operation:
        statuses.add(422)
    if "requestBody" in operation:
        statuses.add(400)
    if any(p.get("in") == "header" and p.get("name") == "Idempotency-Key" for p in parameters):
        statuses.add(409)
    if path.startswith("/v1/"):
        statuses.update(LOAD_SHEDDING)
    return statuses


def document_errors(document: dict[str, Any], operations: Iterator[Operation]) -> None:
    """Declare `ErrorBody` in ``document`` for every error each operation can answer."""
    paths = document.get("paths", {})
    for path, method, dependant in operations:
        operation = paths.get(path, {}).get(method)
        if operation is None:  # not in the document (the pages, HEAD)
            continue
        responses = operation.setdefault("responses", {})
        for status in sorted(_statuses(path, operation, dependant)):
            response = responses.setdefault(str(status), {})
            description = response.get("description")
            if not description or description in _GENERIC:
                response["description"] = ERROR_DESCRIPTIONS.get(
                    status, http.HTTPStatus(status).phrase
                )
            response["content"] = {"application/json": {"schema": {"$ref": ERROR_REF}}}
        operation["responses"] = dict(sorted(responses.items()))
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    body = ErrorBody.model_json_schema(
        ref_template="#/components/schemas/{model}", mode="serialization"
    )
    schemas.update(body.pop("$defs", {}))
    schemas["ErrorBody"] = body
    for unused in ("HTTPValidationError", "ValidationError"):  # FastAPI's, never answered
        if f'"#/components/schemas/{unused}"' not in json.dumps(document):
            schemas.pop(unused, None)
    document["components"]["schemas"] = dict(sorted(schemas.items()))
