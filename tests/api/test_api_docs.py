"""``/docs`` and ``/redoc`` work offline: their pages load only the service's own files (Swagger
UI and ReDoc vendored in rehabus/service/web/vendor/), never a CDN, a font host or a remote favicon.
(In a browser with every other host cut off: tests/web/test_api_docs_offline.py.)"""

from __future__ import annotations

import re

import pytest
from _api import World

URL = re.compile(r"""(?:https?:)?//[^\s"'<>`)]+""", re.IGNORECASE)
"""An absolute or protocol-relative address."""
LINKS = re.compile(r"""\b(?:src|href|spec-url)\s*=\s*["']([^"']+)["']|\burl:\s*'([^']+)'""")
"""What a page loads: scripts, style sheets, icons, and the OpenAPI document."""
TYPES = {".js": "javascript", ".css": "text/css", ".json": "application/json"}


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_pages_load_nothing_from_another_host(world: World, page: str) -> None:
    answer = world.client.get(page)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    html = answer.text
    own = str(world.client.base_url).rstrip("/")
    foreign = [url for url in URL.findall(html) if not url.startswith(own + "/")]
    assert not foreign, f"{page} loads from other hosts: {foreign}"
    links = [a or b for a, b in LINKS.findall(html)]
    loaded = [link for link in links if not link.startswith("data:")]
    assert len(loaded) >= 2, links  # the script (and style sheet), and the OpenAPI document
    for link in loaded:
        assert link.startswith("/") and not link.startswith("//"), link
        suffix = link[link.rfind(".") :]
        assert suffix in TYPES, link
        served = world.client.get(link)
        assert served.status_code == 200, (link, served.status_code)
        assert TYPES[suffix] in served.headers["content-type"], (link, served.headers)
        assert served.content


def test_swagger_ui_has_its_script_and_style_and_redoc_its_script(world: World) -> None:
    docs = world.client.get("/docs").text
    assert "/web/vendor/swagger-ui/swagger-ui-bundle.js" in docs
    assert "/web/vendor/swagger-ui/swagger-ui.css" in docs
    redoc = world.client.get("/redoc").text
    assert "/web/vendor/redoc/redoc.standalone.js" in redoc
    assert "fonts.googleapis.com" not in redoc
