"""A place's own page and the accessibility statement in a real Chromium."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import assert_accessible, guard
from tests.pages.factories import add_place

pytestmark = pytest.mark.browser

LANGUAGES = ("de", "en", "uk", "ar")
XSS_NAME = "<img src=x onerror=alert(1)>"
XSS_DESCRIPTION = "</script><script>alert(1)</script>"


@pytest.fixture(scope="module")
def school(live_server) -> dict:
    return httpx.get(f"{live_server.url}/api/places", params={"q": "Uttrichshausen"}
                     ).json()["features"][0]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_place_page_is_accessible_in_every_language(page: Page, live_server, school, lang):
    watch = guard(page, live_server.url)
    page.goto(f"{live_server.url}/orte/{school['id']}?lang={lang}")
    expect(page.locator("#place-map.leaflet-container")).to_be_attached()
    expect(page.locator("h1")).to_have_text(school["properties"]["name"])
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    assert_accessible(page)
    watch.check()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_statement_is_accessible_in_every_language(page: Page, live_server, lang):
    watch = guard(page, live_server.url)
    page.goto(f"{live_server.url}/barrierefreiheit?lang={lang}")
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page)
    watch.check()


def test_place_page_is_complete_without_javascript(browser: Browser, live_server, school):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    watch = guard(page, live_server.url)
    page.goto(f"{live_server.url}/orte/{school['id']}?lang=de")
    props = school["properties"]
    expect(page.locator("h1")).to_have_text(props["name"])
    main = page.locator("main")
    expect(main).to_contain_text(props["street"])
    expect(main).to_contain_text(f"{props['postcode']} {props['city']}")
    expect(main).to_contain_text("Koordinaten:")
    lon, lat = school["geometry"]["coordinates"]
    expect(page.get_by_role("link", name="Route planen (OpenStreetMap)")).to_have_attribute(
        "href", f"https://www.openstreetmap.org/directions?to={lat}%2C{lon}")
    # The map needs JavaScript; without it its box takes no room.
    expect(page.locator("#place-map")).to_be_hidden()
    watch.check()
    context.close()


def test_keyboard_reaches_the_skip_link_then_the_content(page: Page, live_server, school):
    page.goto(f"{live_server.url}/orte/{school['id']}?lang=en")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Back to the map")).to_be_focused()


def test_language_switch_remembers_the_choice(page: Page, live_server, school):
    page.goto(f"{live_server.url}/orte/{school['id']}")
    page.get_by_role("link", name="العربية").click()
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    page.goto(f"{live_server.url}/barrierefreiheit")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")


def test_typed_markup_stays_inert(page: Page, pg, fresh_db, fresh_url, start_server):
    place_id = add_place(pg, fresh_db, name=XSS_NAME, description=XSS_DESCRIPTION)
    server = start_server(fresh_url)
    try:
        watch = guard(page, server.url)
        page.goto(f"{server.url}/orte/{place_id}")
        expect(page.locator("#place-map.leaflet-container")).to_be_attached()
        expect(page.locator("h1")).to_have_text(XSS_NAME)
        expect(page.locator("main .lead")).to_have_text(XSS_DESCRIPTION)
        assert page.title().startswith(XSS_NAME)
        assert page.locator("main img").count() == 0
        watch.check()  # no dialog opened, no page error
    finally:
        server.stop()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_broken_link_is_an_accessible_page_that_leads_back_to_the_map(page: Page, live_server,
                                                                        lang):
    # The navigation's own 400 is logged as a console error by Chromium.
    watch = guard(page, live_server.url, allow_console_errors=True)
    response = page.goto(f"{live_server.url}/liste?offset=zehn&lang={lang}")
    assert response is not None and response.status == 400
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("main p").first).to_contain_text("offset")
    assert_accessible(page)
    page.locator("main a").last.click()
    expect(page).to_have_url(f"{live_server.url}/?lang={lang}")
    watch.check()
