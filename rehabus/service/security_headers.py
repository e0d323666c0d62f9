"""Security headers on every answer of the service (an ASGI middleware).

- ``X-Content-Type-Options: nosniff`` on everything.
- ``Cache-Control: no-store`` on everything under ``/v1/``: answers carry riders' health data
  and must not stay in a browser's or a proxy's cache. Only the open map layers
  (``/v1/geo/<city>/districts`` and ``/roads``) keep their own public caching.
- On HTML pages (``/``, ``/rider``, ``/console``, the printable manifest): a Content Security
  Policy that lets a page use only its own origin (its scripts, style sheets and the vendored
  Leaflet, and the API), refuses framing (``X-Frame-Options: DENY``) and sends no referrer.
  Inline ``style`` attributes are allowed: the console's timeline and the manifest's print
  style use them; inline scripts are not. ``/docs`` and ``/redoc`` are left out of the policy
  for now (they are being moved to locally served assets). A page that sets a policy of its
  own keeps it (``/line/link``: no scripts at all, and its form may lead on to LINE).
"""

from __future__ import annotations

import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CONTENT_SECURITY_POLICY", "SecurityHeaders"]

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
"""What the pages need and nothing more (tried in a browser: tests/web/test_page_security.py)."""

_PUBLIC_LAYERS = re.compile(r"^/v1/geo/[^/]+/(districts|roads)$")
_NO_POLICY = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})


class SecurityHeaders:
    """Adds the headers above to every HTTP answer of ``app``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                if path.startswith("/v1/") and not _PUBLIC_LAYERS.match(path):
                    headers["Cache-Control"] = "no-store"
                html = headers.get("content-type", "").startswith("text/html")
                if html and path not in _NO_POLICY:
                    # A page with a policy of its own keeps it (LINE's linking page: stricter,
                    # and its form may lead on to LINE).
                    if "content-security-policy" not in headers:
                        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
                    headers["X-Frame-Options"] = "DENY"
                    headers["Referrer-Policy"] = "no-referrer"
            await send(message)

        await self.app(scope, receive, send_with_headers)
