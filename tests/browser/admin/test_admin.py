"""The administration in a real browser: log in, create a place by clicking the map, edit it,
and resolve a conflict with another editor's save."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.admin.conftest import ADMIN
from tests.browser.helpers import assert_accessible, guard

pytestmark = pytest.mark.browser


def _log_in(page: Page, base: str) -> None:
    page.goto(base + "/admin/places")
    expect(page).to_have_url(base + "/admin/login?next=/admin/places")
    page.get_by_label("E-Mail-Adresse").fill(ADMIN[0])
    page.get_by_label("Passwort", exact=True).fill(ADMIN[1])
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", name="Orte", level=1)).to_be_visible()


def test_log_in_create_a_place_by_clicking_the_map_and_edit_it(page: Page, admin_server):
    base = admin_server.url
    # A refused form answers 422 or 409, which Chromium logs as a console error.
    watch = guard(page, base, allow_console_errors=True)
    _log_in(page, base)
    assert_accessible(page)
    page.get_by_role("link", name="Neuer Ort").click()
    expect(page.locator("#place-map[data-ready=true]")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Musikschule am Dom")
    page.get_by_label("Hauptkategorie").select_option("musikschule")
    box = page.locator("#place-map").bounding_box()
    page.locator("#place-map").click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    expect(page.get_by_label("Längengrad (lon)")).not_to_have_value("")
    lon = float(page.get_by_label("Längengrad (lon)").input_value())
    lat = float(page.get_by_label("Breitengrad (lat)").input_value())
    assert 9.40 <= lon <= 10.15 and 50.30 <= lat <= 50.85
    assert_accessible(page, exclude=[".leaflet-container"])
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status")).to_have_text("Gespeichert.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Musikschule am Dom")

    page.get_by_label("Öffnungszeiten", exact=False).fill("montags 8-16")
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator("#opening_hours-error")).to_contain_text("opening_hours syntax")
    page.get_by_label("Öffnungszeiten", exact=False).fill("Mo-Fr 14:00-19:00")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status")).to_have_text("Gespeichert.")
    page.get_by_role("button", name="Veröffentlichen").click()
    expect(page.get_by_text("veröffentlicht · Version 3")).to_be_visible()
    page.get_by_role("link", name="Verlauf").click()
    expect(page.locator("table.history tbody tr")).to_have_count(3)
    watch.check()


def test_resolve_a_conflict(page: Page, browser, admin_server):
    base = admin_server.url
    # A refused form answers 422 or 409, which Chromium logs as a console error.
    watch = guard(page, base, allow_console_errors=True)
    _log_in(page, base)
    page.get_by_label("Suche").fill("Domschule")
    page.get_by_role("button", name="Filtern").click()
    page.locator("table.places a").first.click()
    edit_url = page.url

    other = browser.new_page(locale="de-DE")
    _log_in(other, base)
    other.goto(edit_url)
    other.get_by_label("Telefon").fill("0661 111")
    other.get_by_role("button", name="Speichern").click()
    expect(other.get_by_role("status")).to_have_text("Gespeichert.")
    other.close()

    page.get_by_label("Telefon").fill("0661 222")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Jemand anderes hat diesen Ort inzwischen geändert")
    row = page.locator("table.conflict tr", has_text="phone")
    expect(row).to_contain_text("0661 222")
    expect(row).to_contain_text("0661 111")
    assert_accessible(page)
    page.get_by_role("button", name="Meine Fassung speichern").click()
    expect(page.get_by_role("status")).to_have_text("Gespeichert.")
    expect(page.get_by_label("Telefon")).to_have_value("0661 222")
    watch.check()
