"""Citizens' suggestions: the public form's defences, and the review queue's accept/reject."""

from __future__ import annotations

import re

from tests.admin.conftest import ADMIN, EDITOR, log_in
from tests.conftest import sql

TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
NEW = {"name": "Stadtbibliothek Fulda", "category": "bibliothek", "street": "Heinrich-von-Bibra-Platz 12",
       "postcode": "36037", "city": "Fulda", "website": "https://www.fulda.de",
       "message": "Die Bibliothek fehlt auf der Karte."}


def _suggest(client, data: dict, url: str = "/vorschlag"):
    token = TOKEN.search(client.get(url).text).group(1)
    return client.post("/vorschlag", data={"form_token": token, **data}, follow_redirects=False)


def _stored(pg, db) -> list[tuple]:
    return sql(pg, db, "SELECT place_id, payload, message, status FROM suggestions ORDER BY id")


def test_the_form_speaks_four_languages_and_prefills_a_correction(make_client, accounts, pg,
                                                                  fresh_db):
    client = make_client(accounts)
    assert "Ort vorschlagen / Fehler melden" in client.get("/vorschlag").text
    assert "Suggest a place" in client.get("/vorschlag?lang=en").text
    assert "Запропонувати місце" in client.get("/vorschlag?lang=uk").text
    arabic = client.get("/vorschlag?lang=ar").text
    assert 'dir="rtl"' in arabic and "اقتراح مكان" in arabic
    place_id, name = sql(pg, fresh_db, "SELECT id, name FROM places WHERE status = 'published' "
                                       "ORDER BY id LIMIT 1")[0]
    page = client.get(f"/vorschlag?place={place_id}").text
    assert f'name="place_id" value="{place_id}"' in page and 'id="s-category"' not in page
    draft = sql(pg, fresh_db, "SELECT id FROM places WHERE status = 'draft' LIMIT 1")[0][0]
    assert 'name="place_id"' not in client.get(f"/vorschlag?place={draft}").text
    # An old or mangled link gets the form for a new place and says why, never an error page.
    for broken in (str(draft), "abc", "99999999999"):
        answer = client.get(f"/vorschlag?place={broken}&lang=en")
        assert answer.status_code == 200
        assert "not (or no longer) on the map" in answer.text
        assert 'name="place_id"' not in answer.text and 'id="s-category"' in answer.text
    assert "no longer" not in client.get("/vorschlag?place=&lang=en").text
    assert 'href="/vorschlag"' in client.get("/").text
    assert f'href="/vorschlag?place={place_id}"' in client.get(f"/orte/{place_id}").text


def test_bots_are_kept_out_without_third_parties(make_client, accounts, pg, fresh_db):
    patient = make_client(accounts, suggestion_min_fill_s=0, suggestions_per_hour=2)
    honeypot = _suggest(patient, {**NEW, "homepage": "http://spam.example"})
    assert honeypot.status_code == 303 and _stored(pg, fresh_db) == []
    forged = patient.post("/vorschlag", data={**NEW, "form_token": "1700000000.forged"})
    assert forged.status_code == 403 and _stored(pg, fresh_db) == []
    hasty = _suggest(make_client(accounts), NEW)  # sent at once, default minimum fill time
    assert hasty.status_code == 422 and "sehr schnell" in hasty.text
    assert 'value="Stadtbibliothek Fulda"' in hasty.text  # the person's input is kept
    assert _stored(pg, fresh_db) == []
    assert _suggest(patient, NEW).status_code == 303
    assert _suggest(patient, NEW).status_code == 303
    limited = _suggest(patient, NEW)
    assert limited.status_code == 429 and limited.headers["retry-after"] == "3600"
    assert len(_stored(pg, fresh_db)) == 2


def test_invalid_input_is_shown_at_its_field(make_client, accounts, pg, fresh_db):
    client = make_client(accounts, suggestion_min_fill_s=0)
    response = _suggest(client, {**NEW, "name": "", "website": "javascript:alert(1)"})
    assert response.status_code == 422
    assert 'id="name-error"' in response.text and 'id="website-error"' in response.text
    assert _stored(pg, fresh_db) == []


def test_an_editor_accepts_a_new_place_as_a_draft_recorded_in_its_history(
        make_client, logged_in, accounts, pg, fresh_db):
    citizen = make_client(accounts, suggestion_min_fill_s=0)
    evil = "<script>alert(1)</script>"
    assert _suggest(citizen, {**NEW, "message": evil}).status_code == 303
    assert "Vielen Dank" in citizen.get("/vorschlag?sent=1").text
    editor = logged_in(EDITOR)
    queue = editor.get("/admin/suggestions").text
    assert "Stadtbibliothek Fulda" in queue and "<script>alert(1)" not in queue
    suggestion_id = sql(pg, fresh_db, "SELECT id FROM suggestions")[0][0]
    page = editor.get(f"/admin/suggestions/{suggestion_id}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    accepted = editor.post(f"/admin/suggestions/{suggestion_id}/accept", data={},
                           follow_redirects=False)
    assert accepted.status_code == 303
    place_id = int(accepted.headers["location"].split("?")[0].rsplit("/", 1)[1])
    place = editor.get(f"/api/admin/places/{place_id}").json()["place"]
    assert place["status"] == "draft" and place["categories"] == ["bibliothek"]
    assert place["website"] == "https://www.fulda.de"
    assert sql(pg, fresh_db, "SELECT action FROM revisions WHERE place_id = %s",
               (place_id,)) == [(f"suggestion:{suggestion_id}",)]
    assert sql(pg, fresh_db, "SELECT status, result_place_id FROM suggestions") == [
        ("accepted", place_id)]
    # Accepting twice (another editor's stale page) changes nothing.
    again = editor.post(f"/admin/suggestions/{suggestion_id}/accept", data={})
    assert again.status_code == 404
    assert sql(pg, fresh_db, "SELECT count(*) FROM places WHERE name = 'Stadtbibliothek Fulda'") \
        == [(1,)]


def test_a_correction_changes_only_what_the_citizen_changed(make_client, logged_in, accounts,
                                                            pg, fresh_db):
    place_id, phone = sql(pg, fresh_db, "SELECT id, phone FROM places WHERE status = 'published' "
                                        "ORDER BY id LIMIT 1")[0]
    citizen = make_client(accounts, suggestion_min_fill_s=0)
    page = citizen.get(f"/vorschlag?place={place_id}").text
    values = {name: re.search(rf'name="{name}" value="([^"]*)"', page).group(1)
              for name in ("name", "street", "postcode", "city")}
    sent = _suggest(citizen, {**values, "place_id": str(place_id), "phone": "0661 12345",
                              "message": "neue Telefonnummer"}, f"/vorschlag?place={place_id}")
    assert sent.status_code == 303
    admin = logged_in(ADMIN)
    # Meanwhile an editor changes the street: accepting must not undo it.
    current = admin.get(f"/api/admin/places/{place_id}").json()["place"]
    saved = admin.put(f"/api/admin/places/{place_id}",
                      json={**current, "street": "Neue Straße 1", "confirm": True})
    assert saved.status_code == 200, saved.text
    suggestion_id = sql(pg, fresh_db, "SELECT id FROM suggestions")[0][0]
    review = admin.get(f"/admin/suggestions/{suggestion_id}").text
    assert "0661 12345" in review
    version = admin.get(f"/api/admin/places/{place_id}").json()["place"]["version"]
    accepted = admin.post(f"/admin/suggestions/{suggestion_id}/accept",
                          data={"version": str(version)}, follow_redirects=False)
    assert accepted.status_code == 303
    place = admin.get(f"/api/admin/places/{place_id}").json()["place"]
    assert place["phone"] == "0661 12345" and place["street"] == "Neue Straße 1"
    assert place["status"] == "published" and place["phone"] != phone


def test_reject_and_a_post_without_csrf_token(make_client, accounts, pg, fresh_db):
    citizen = make_client(accounts, suggestion_min_fill_s=0)
    _suggest(citizen, NEW)
    suggestion_id = sql(pg, fresh_db, "SELECT id FROM suggestions")[0][0]
    editor = make_client(accounts)
    log_in(editor, *EDITOR)
    token = editor.headers.pop("X-CSRF-Token")
    assert editor.post(f"/admin/suggestions/{suggestion_id}/reject").status_code == 403
    rejected = editor.post(f"/admin/suggestions/{suggestion_id}/reject",
                           data={"csrf_token": token}, follow_redirects=False)
    assert rejected.status_code == 303
    assert sql(pg, fresh_db, "SELECT status FROM suggestions") == [("rejected",)]
    assert "Keine Vorschläge" in editor.get("/admin/suggestions").text
