"""Helpers of the rider page's browser tests: choosing a place in the page's place search (a
combobox per end of the trip)."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect


def suggestion(page: Page, end: str, name: str) -> Locator:
    """The suggestion named exactly ``name`` in the ``end`` ("pickup", "dropoff") list."""
    label = page.locator(".option-label", has_text=re.compile(f"^{re.escape(name)}( |$)"))
    return page.locator(f"#{end}-options [role=option]").filter(has=label).first


def choose_place(page: Page, end: str, typed: str | None, name: str, *, tap: bool = False) -> None:
    """Choose ``name`` as the trip's ``end``: type ``typed`` in its search field (or, with
    ``None``, open the rider's saved places with the down arrow) and tap or click the
    suggestion."""
    field = page.locator(f"#{end}-place")
    if typed is None:
        field.fill("")
        field.focus()
        field.press("ArrowDown")
    else:
        field.fill(typed)
    option = suggestion(page, end, name)
    if tap:
        option.tap()
    else:
        option.click()
    expect(field).to_have_value(name)
    expect(page.locator(f"#{end}-options")).to_be_hidden()
