"""The HTML faces of the OGC API and the open-data page in a real browser: accessible, no
scripts from elsewhere, no page errors."""

from __future__ import annotations

import pytest

from tests.browser.helpers import assert_accessible, guard

pytestmark = pytest.mark.browser

PAGES = ["/ogc", "/ogc/conformance", "/ogc/collections", "/ogc/collections/schule",
         "/ogc/collections/lernorte/items", "/ogc/collections/lernorte/queryables?f=html",
         "/ogc/api?f=html", "/downloads"]


@pytest.mark.parametrize("path", PAGES)
def test_page_is_accessible_and_self_contained(page, live_server, path):
    watch = guard(page, live_server.url)
    page.goto(live_server.url + path)
    assert page.locator("h1").count() == 1
    watch.check()
    assert_accessible(page)


def test_a_person_walks_from_the_landing_page_to_a_place_with_the_keyboard(page, live_server):
    watch = guard(page, live_server.url)
    page.goto(live_server.url + "/ogc")
    page.get_by_role("link", name="the feature collections").click()
    page.get_by_role("link", name="Schule", exact=True).click()
    page.get_by_role("link", name="Orte dieser Sammlung ansehen").focus()
    page.keyboard.press("Enter")
    first = page.locator("tbody tr a").first
    name = first.inner_text()
    first.click()
    assert page.locator("h1").inner_text() == name
    watch.check()
