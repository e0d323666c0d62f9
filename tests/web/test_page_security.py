"""The pages work under their Content Security Policy (rehabus/service/security_headers.py): the
other browser tests bypass the policy to inject axe-core; this one keeps it, and fails on any
violation Chromium reports, in the pages and in the manifest window the console opens. Signing
out on a page revokes its token."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest
from _web import CSP_VIOLATION, Server, Tab, open_device
from playwright.sync_api import Browser, expect


@pytest.fixture
def strict_tab(browser: Browser, server: Server) -> Iterator[tuple[Tab, list[str]]]:
    """A tab that enforces the pages' policy, with every violation reported in any of its
    windows."""
    with open_device(browser, server, phone=False, axe=False, violations_fail=False) as device:
        yield device.tab, device.violations


def _revoked(server: Server, token: str, wait_s: float = 60.0) -> bool:
    """Whether ``token`` is refused within ``wait_s`` (the page does not wait for its answer)."""
    deadline = time.monotonic() + wait_s
    while True:
        me = httpx.get(f"{server.url}/v1/me", headers={"Authorization": f"Bearer {token}"})
        if me.status_code == 401:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)


def test_the_pages_work_under_their_policy(
    strict_tab: tuple[Tab, list[str]], server: Server
) -> None:
    tab, violations = strict_tab
    page = tab.page
    tab.open("/")
    expect(page.get_by_role("link", name=re.compile("乘客預約"))).to_be_visible()

    tab.open("/rider")
    tab.sign_in("rider", "rider-demo")
    tab.wait_for_map()
    expect(page.locator("#map path").first).to_be_attached()  # districts and roads drawn

    token = page.evaluate("sessionStorage.getItem('rehabus.token')")
    assert httpx.get(f"{server.url}/v1/me", headers={"Authorization": f"Bearer {token}"}).is_success
    # The page reloads once the service has answered the sign-out and the page has forgotten
    # what it kept for offline reading. The next page is opened after that reload, which would
    # otherwise cut its navigation short.
    with page.expect_navigation(), page.expect_request(lambda r: r.url.endswith("/v1/auth/logout")):
        page.get_by_role("button", name="登出").click()
    assert _revoked(server, token)
    tab.open(f"/console?date={server.service_date}")
    tab.sign_in("dispatcher", "dispatcher-demo")
    tab.wait_for_map()
    expect(page.locator("#map")).to_have_attribute("data-paths", re.compile(r"\d"))
    expect(page.locator("#timeline .stop").first).to_be_visible()  # inline-styled marks
    lane = page.locator("#timeline .lane button").first
    lane.click()
    with tab.context.expect_page() as popup:
        page.get_by_role("button", name="列印行車單").click()
    manifest = popup.value
    expect(manifest.locator("h1")).to_contain_text("行車單")
    # The manifest's own print style applies (inline <style>): its table has borders.
    border = manifest.locator("th").first.evaluate("e => getComputedStyle(e).borderTopStyle")
    assert border == "solid"
    manifest.close()
    assert not violations, violations

    # The policy is really enforced in these tabs, and its violations are seen: an image from
    # another host is refused (never fetched).
    with page.expect_console_message(lambda m: bool(CSP_VIOLATION.search(m.text))) as refused:
        page.evaluate(
            "document.body.insertAdjacentHTML('beforeend',"
            ' \'<img alt="" src="https://example.invalid/x.png">\')'
        )
    assert "img-src" in refused.value.text
