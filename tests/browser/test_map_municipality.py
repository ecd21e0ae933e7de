"""The full map filtered by municipality, as the embed's "open the full map" link opens it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_accessible
from tests.browser.test_map import list_names, open_map

pytestmark = pytest.mark.browser


def test_a_municipality_link_narrows_the_map_and_the_filter_can_be_removed(page: Page, live_server):
    hunfeld = page.request.get(live_server.url + "/api/places?municipality=H%C3%BCnfeld&limit=100")
    expected = [f["properties"]["name"] for f in hunfeld.json()["features"]]
    assert len(expected) == 8

    watch = open_map(page, live_server, "?municipality=H%C3%BCnfeld&lang=de")
    expect(page.locator("#result-count")).to_have_text("8 Lernorte gefunden")
    assert list_names(page) == expected
    indication = page.get_by_role("group", name="Gemeinde: Hünfeld")
    expect(indication).to_be_visible()
    # The category counts are those of Hünfeld, too.
    page.locator("summary", has_text="Schule").first.click()
    total = sum(int(c.strip("()")) for c in
                page.locator(".stage > summary .count").all_text_contents())
    assert total == 8
    assert_accessible(page)

    # By keyboard: Tab reaches the button, Enter removes the filter.
    remove = indication.get_by_role("button", name="Filter entfernen")
    remove.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#result-count")).to_have_text("87 Lernorte gefunden")
    assert len(list_names(page)) == 87
    expect(indication).to_be_hidden()
    expect(page.locator("#categories-heading")).to_be_focused()
    assert "municipality" not in parse_qs(urlsplit(page.url).query)

    # Back brings the filter back, as any other filter.
    page.go_back()
    expect(page.locator("#result-count")).to_have_text("8 Lernorte gefunden")
    expect(indication).to_be_visible()
    watch.check()


def test_a_municipality_name_is_shown_as_text(page: Page, live_server):
    watch = open_map(page, live_server, "?municipality=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&lang=de")
    expect(page.locator("#result-count")).to_have_text("Keine Lernorte gefunden")
    expect(page.get_by_role("group", name="Gemeinde: <img src=x onerror=alert(1)>")).to_be_visible()
    assert page.locator(".municipality-filter img").count() == 0
    watch.check()
