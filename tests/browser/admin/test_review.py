"""Citizens' suggestions in a real browser: a citizen suggests a place, an editor accepts it,
gives it a location, publishes it, and it is on the public map."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.admin.conftest import ADMIN, EDITOR, add_user
from tests.browser.admin.conftest import log_in
from tests.browser.helpers import assert_accessible, guard

pytestmark = pytest.mark.browser


@pytest.fixture
def review_server(start_server, pg, fresh_db, fresh_url):
    add_user(pg, fresh_db, *EDITOR, "editor")
    return start_server(fresh_url, LERNORTE_SUGGESTION_MIN_FILL_S="0")




def test_a_citizen_suggests_a_place_and_an_editor_accepts_and_publishes_it(
        page: Page, browser, review_server):
    base = review_server.url
    watch = guard(page, base)
    page.goto(base + "/")
    page.get_by_role("link", name="Ort vorschlagen / Fehler melden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ort vorschlagen / Fehler melden")
    assert_accessible(page)
    page.get_by_label("Name").fill("Musikschule <b>Rhön</b>")
    page.get_by_label("Art des Lernorts").select_option("musikschule")
    page.get_by_label("Straße und Hausnummer").fill("Am Markt 1")
    page.get_by_label("Was ist falsch").fill("Fehlt noch auf der Karte.")
    page.get_by_role("button", name="Vorschlag senden").click()
    expect(page.get_by_role("status")).to_contain_text("Ihr Vorschlag ist angekommen")
    watch.check()

    editor = browser.new_page(locale="de-DE")
    editor_watch = guard(editor, base)
    log_in(editor, base, EDITOR, "/admin/suggestions")
    expect(editor.get_by_role("heading", name="Vorschläge", level=1)).to_be_visible()
    assert_accessible(editor)
    editor.get_by_role("link", name="Musikschule <b>Rhön</b>").click()
    expect(editor.locator("ins", has_text="Am Markt 1")).to_be_visible()
    assert_accessible(editor)
    editor.get_by_role("button", name="Annehmen (als Entwurf anlegen)").click()
    expect(editor.get_by_role("heading", level=1)).to_have_text("Musikschule <b>Rhön</b>")
    expect(editor.locator("#place-map[data-ready=true]")).to_be_visible()
    box = editor.locator("#place-map").bounding_box()
    editor.locator("#place-map").click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    editor.get_by_role("button", name="Speichern").click()
    expect(editor.get_by_role("status")).to_have_text("Gespeichert.")
    editor.get_by_role("button", name="Veröffentlichen").click()
    expect(editor.get_by_text("veröffentlicht")).to_be_visible()
    editor.get_by_role("link", name="Orte", exact=True).click()
    editor.get_by_label("Suche").fill("Rhön")
    editor.get_by_role("button", name="Filtern").click()
    expect(editor.locator("table.places")).to_contain_text("Musikschule <b>Rhön</b>")
    editor_watch.check()

    # The map reads /api/places: the published place is there, its name still plain text.
    features = page.request.get(base + "/api/places?q=Musikschule").json()["features"]
    assert "Musikschule <b>Rhön</b>" in [f["properties"]["name"] for f in features]


def test_the_new_admin_pages_pass_axe(page: Page, admin_server):
    base = admin_server.url
    # The preview of a file whose columns are not mapped yet answers 422 (a console error).
    watch = guard(page, base, allow_console_errors=True)
    log_in(page, base, ADMIN, "/admin/overview")
    expect(page.get_by_role("heading", name="Übersicht", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Import und Export").click()
    assert_accessible(page)
    page.get_by_label("Datei").set_input_files(files=[{
        "name": "orte.csv", "mimeType": "text/csv",
        "buffer": "Bezeichnung;Art\r\nBücherei;bibliothek\r\nOhne Art;\r\n".encode("cp1252")}])
    page.get_by_role("button", name="Vorschau anzeigen").click()
    page.get_by_label("Bezeichnung").select_option("name")
    page.get_by_label("Art", exact=True).select_option("categories")
    page.get_by_role("button", name="Zuordnung anwenden").click()
    expect(page.get_by_role("status")).to_have_text(
        "1 neu, 0 geändert, 0 unverändert, 1 abgelehnt.")
    assert_accessible(page)
    page.get_by_role("button", name="Jetzt importieren").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Importiert")
    watch.check()
