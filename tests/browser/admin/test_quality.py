"""Categories management and the data-quality page in a real browser, checked with axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.admin.conftest import ADMIN
from tests.browser.helpers import assert_accessible, guard
from tests.browser.admin.conftest import log_in

pytestmark = pytest.mark.browser


def test_categories_and_data_quality_pages_work_and_pass_axe(page: Page, admin_server):
    base = admin_server.url
    # The refused new category answers 422 (Chromium logs it as a console error).
    watch = guard(page, base, allow_console_errors=True)
    log_in(page, base, ADMIN, "/admin/quality")
    expect(page.get_by_role("heading", name="Datenqualität", level=1)).to_be_visible()
    assert_accessible(page)
    unverified = page.locator("[data-list=unverified] li").first
    name = unverified.get_by_role("link").first.inner_text()
    unverified.get_by_role("button", name="Heute als geprüft markieren").click()
    expect(page.get_by_role("status")).to_have_text("Als heute geprüft gespeichert.")
    expect(page.locator("[data-list=unverified]")).not_to_contain_text(name)
    assert_accessible(page)

    page.get_by_role("link", name="Kategorien").click()
    expect(page.get_by_role("heading", name="Kategorien", level=1)).to_be_visible()
    assert_accessible(page)
    page.locator("#cat-kita summary").click()
    page.get_by_label("Name (en)").first.fill("Nursery")
    page.locator("#cat-kita").get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status")).to_have_text("Gespeichert.")
    assert_accessible(page)
    # Open the new-category form's error state too: a colour white text is unreadable on.
    page.locator("#new-slug").fill("lernwerkstatt")
    page.locator("#new-name-de").fill("Lernwerkstatt")
    page.locator("#new-colour").fill("#fde047")
    page.get_by_role("button", name="Kategorie anlegen").click()
    expect(page.get_by_role("alert")).to_contain_text("contrast")
    assert_accessible(page)
    english = page.request.get(base + "/api/categories?lang=en").json()["stages"][0]
    assert english["categories"][0]["name"] == "Nursery"
    watch.check()
