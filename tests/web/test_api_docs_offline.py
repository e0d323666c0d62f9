"""The interactive API docs on a machine without internet: Chromium loads ``/docs`` (Swagger UI)
and ``/redoc`` (ReDoc) with every request to another host than the service cut off, and still
shows every operation. (The pages' HTML and assets one by one: tests/api/test_api_docs.py.)"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from _web import Tab
from playwright.sync_api import Route, expect

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@pytest.mark.parametrize(
    ("page", "operation"),
    [
        ("/docs", "#operations-bookings-create_booking_v1_bookings_post"),
        ("/redoc", "[id='tag/bookings/operation/create_booking_v1_bookings_post']"),
    ],
)
def test_the_api_docs_render_with_no_other_host(tab: Tab, page: str, operation: str) -> None:
    elsewhere: list[str] = []

    def only_loopback(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    tab.page.route("**/*", only_loopback)
    tab.open(page)
    expect(tab.page.locator(operation).first).to_be_visible()
    expect(tab.page.locator(operation).first).to_contain_text("/v1/bookings")
    expect(tab.page.locator("body")).to_contain_text("/v1/bookings/{booking_id}/cancel")
    tab.shot(f"api-docs{page.replace('/', '-')}", full_page=False)
    assert not elsewhere, f"{page} asked other hosts: {elsewhere}"
