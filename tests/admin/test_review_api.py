"""The admin JSON API's review queue and data-quality lists: the same service functions and
rules as the pages (session, CSRF on changes, an editor's municipalities, versions)."""

from __future__ import annotations

import json

from tests.admin.conftest import ADMIN, EDITOR, HUENFELD, TOWN_EDITOR
from tests.conftest import sql

NEW = {"name": "Stadtbibliothek Fulda", "street": "Heinrich-von-Bibra-Platz 12",
       "postcode": "36037", "city": "Fulda", "website": "https://www.fulda.de"}


def _suggest(pg, db, fields: dict, *, place_id: int | None = None, seen: dict | None = None,
             category: str | None = "bibliothek") -> int:
    """A suggestion as the public form stores it (the form itself is tested elsewhere)."""
    payload = {"fields": fields, "seen": seen or {}, "category": category}
    return sql(pg, db, "INSERT INTO suggestions (place_id, payload, message, client_hash) "
                       "VALUES (%s, %s, 'bitte', 'test') RETURNING id",
               (place_id, json.dumps(payload)))[0][0]


def _correction(pg, db, where: str, params: tuple = ()) -> tuple[int, int, int]:
    """A citizen's new phone number for a published place: (suggestion, place, version)."""
    place_id, version, phone = sql(pg, db, "SELECT id, version, phone FROM places WHERE "
                                           f"status = 'published' AND {where} ORDER BY id LIMIT 1",
                                   params)[0]
    suggestion_id = _suggest(pg, db, {"phone": "0661 12345"}, place_id=place_id,
                             seen={"phone": phone}, category=None)
    return suggestion_id, place_id, version


def _status(pg, db, suggestion_id: int) -> str:
    return sql(pg, db, "SELECT status FROM suggestions WHERE id = %s", (suggestion_id,))[0][0]


def test_open_suggestions_are_listed_and_a_new_place_is_accepted_as_a_draft(logged_in, pg,
                                                                           fresh_db):
    new_id = _suggest(pg, fresh_db, {**NEW, "name": "<script>alert(1)</script>"})
    correction_id, place_id, _ = _correction(pg, fresh_db, "true")
    closed = _suggest(pg, fresh_db, NEW)
    sql(pg, fresh_db, "UPDATE suggestions SET status = 'rejected' WHERE id = %s", (closed,))
    editor = logged_in(EDITOR)
    queue = editor.get("/api/admin/suggestions")
    assert queue.status_code == 200
    listed = {x["id"]: x for x in queue.json()}
    assert set(listed) == {new_id, correction_id}  # open ones only
    assert listed[new_id]["fields"]["name"] == "<script>alert(1)</script>"  # text stays text
    assert listed[correction_id]["place_id"] == place_id
    assert listed[correction_id]["changes"] == {"phone": "0661 12345"}

    accepted = editor.post(f"/api/admin/suggestions/{new_id}/accept")
    assert accepted.status_code == 200, accepted.text
    new_place = accepted.json()["place_id"]
    place = editor.get(f"/api/admin/places/{new_place}").json()["place"]
    assert place["status"] == "draft" and place["categories"] == ["bibliothek"]
    assert sql(pg, fresh_db, "SELECT action FROM revisions WHERE place_id = %s",
               (new_place,)) == [(f"suggestion:{new_id}",)]
    assert editor.post(f"/api/admin/suggestions/{new_id}/accept").status_code == 404
    assert [x["id"] for x in editor.get("/api/admin/suggestions").json()] == [correction_id]


def test_a_correction_needs_the_current_version_and_a_rejection_closes_it(logged_in, pg,
                                                                          fresh_db):
    suggestion_id, place_id, version = _correction(pg, fresh_db, "true")
    admin = logged_in(ADMIN)
    stale = admin.post(f"/api/admin/suggestions/{suggestion_id}/accept",
                       json={"version": version - 1})
    assert stale.status_code == 409 and stale.json()["current"]["version"] == version
    assert _status(pg, fresh_db, suggestion_id) == "open"
    accepted = admin.post(f"/api/admin/suggestions/{suggestion_id}/accept",
                          json={"version": version})
    assert accepted.json() == {"suggestion_id": suggestion_id, "place_id": place_id}
    assert sql(pg, fresh_db, "SELECT phone, version FROM places WHERE id = %s",
               (place_id,)) == [("0661 12345", version + 1)]

    other = _suggest(pg, fresh_db, NEW)
    assert admin.post(f"/api/admin/suggestions/{other}/reject").status_code == 204
    assert _status(pg, fresh_db, other) == "rejected"
    assert admin.post(f"/api/admin/suggestions/{other}/reject").status_code == 404
    assert admin.post("/api/admin/suggestions/2147483647/reject").status_code == 404
    assert admin.post("/api/admin/suggestions/2147483648/reject").status_code == 422


def test_a_town_editor_may_accept_only_corrections_inside_the_town(logged_in, pg, fresh_db):
    outside, outside_place, version = _correction(pg, fresh_db, "ags NOT LIKE %s",
                                                  (HUENFELD + "%",))
    inside, inside_place, inside_version = _correction(pg, fresh_db, "ags LIKE %s",
                                                       (HUENFELD + "%",))
    town = logged_in(TOWN_EDITOR)
    refused = town.post(f"/api/admin/suggestions/{outside}/accept", json={"version": version})
    assert refused.status_code == 403
    assert _status(pg, fresh_db, outside) == "open"
    assert sql(pg, fresh_db, "SELECT version FROM places WHERE id = %s",
               (outside_place,)) == [(version,)]
    accepted = town.post(f"/api/admin/suggestions/{inside}/accept",
                         json={"version": inside_version})
    assert accepted.status_code == 200, accepted.text
    assert _status(pg, fresh_db, inside) == "accepted"


def test_changes_without_csrf_token_or_session_are_refused(logged_in, make_client, accounts,
                                                          pg, fresh_db):
    suggestion_id = _suggest(pg, fresh_db, NEW)
    editor = logged_in(EDITOR)
    del editor.headers["X-CSRF-Token"]
    assert editor.post(f"/api/admin/suggestions/{suggestion_id}/accept").status_code == 403
    assert editor.post(f"/api/admin/suggestions/{suggestion_id}/reject").status_code == 403
    assert editor.get("/api/admin/suggestions").status_code == 200  # reading needs no token
    assert _status(pg, fresh_db, suggestion_id) == "open"
    stranger = make_client(accounts)
    assert stranger.get("/api/admin/suggestions").status_code == 401
    assert stranger.get("/api/admin/quality").status_code == 401


def test_quality_lists_with_counts_limited_to_the_editors_town(logged_in, pg, fresh_db):
    sql(pg, fresh_db, "UPDATE places SET last_verified = current_date WHERE ags LIKE %s "
                      "AND id = (SELECT min(id) FROM places WHERE ags LIKE %s)",
        (HUENFELD + "%", HUENFELD + "%"))
    everything = logged_in(EDITOR).get("/api/admin/quality")
    assert everything.status_code == 200
    lists = everything.json()
    drafts = sorted(r[0] for r in sql(pg, fresh_db, "SELECT id FROM places WHERE geom IS NULL"))
    assert lists["needs_location"]["count"] == len(drafts) == 5
    assert sorted(p["id"] for p in lists["needs_location"]["places"]) == drafts
    unverified = sql(pg, fresh_db, "SELECT count(*) FROM places WHERE status <> 'archived' AND "
                                   "(last_verified IS NULL OR last_verified < current_date - "
                                   "interval '12 months')")[0][0]
    assert lists["unverified"]["count"] == unverified
    assert set(lists["duplicates"]) == {"count", "pairs"} and lists["limit"] == 100

    town = logged_in(TOWN_EDITOR).get("/api/admin/quality").json()
    in_town = sql(pg, fresh_db, "SELECT count(*) FROM places WHERE status <> 'archived' AND "
                                "ags LIKE %s AND (last_verified IS NULL OR last_verified < "
                                "current_date - interval '12 months')", (HUENFELD + "%",))[0][0]
    assert 0 < town["unverified"]["count"] == in_town < lists["unverified"]["count"]
    shown = [p["id"] for key in ("needs_location", "unverified", "no_contact")
             for p in town[key]["places"]]
    assert shown and sql(pg, fresh_db, "SELECT id FROM places WHERE id = ANY(%s) AND "
                                       "coalesce(ags, '') NOT LIKE %s",
                         (shown, HUENFELD + "%")) == []
