"""The data-quality page: its four lists, the editor's municipalities, and "mark verified today"."""

from __future__ import annotations

import datetime as dt
import re

from tests.admin.conftest import ADMIN, EDITOR, HUENFELD, TOWN_EDITOR
from tests.conftest import sql


def _count(page: str, key: str) -> int:
    return int(re.search(rf'data-count="{key}">(\d+)<', page).group(1))


def _listed(page: str, key: str) -> list[int]:
    section = re.search(rf'data-list="{key}">(.*?)</ul>', page, re.S)
    return [int(i) for i in re.findall(r'data-place="(\d+)"', section.group(1))] if section else []


def test_places_without_a_location_link_to_the_location_field(logged_in, pg, fresh_db):
    page = logged_in(EDITOR).get("/admin/quality").text
    drafts = [r[0] for r in sql(pg, fresh_db, "SELECT id FROM places WHERE geom IS NULL")]
    assert _count(page, "needs_location") == len(drafts) == 5
    assert sorted(_listed(page, "needs_location")) == sorted(drafts)
    assert f'href="/admin/places/{drafts[0]}#f-lon"' in page
    assert 'href="/admin/quality"' in page  # in the admin navigation


def test_places_not_verified_for_twelve_months(logged_in, pg, fresh_db):
    old, recent, never = (r[0] for r in sql(
        pg, fresh_db, "SELECT id FROM places WHERE status = 'published' ORDER BY id LIMIT 3"))
    today = dt.date.today()
    sql(pg, fresh_db, "UPDATE places SET last_verified = %s WHERE id = %s",
        (today - dt.timedelta(days=400), old))
    sql(pg, fresh_db, "UPDATE places SET last_verified = %s WHERE id = %s",
        (today - dt.timedelta(days=30), recent))
    sql(pg, fresh_db, "UPDATE places SET last_verified = NULL WHERE id = %s", (never,))
    page = logged_in(EDITOR).get("/admin/quality").text
    listed = _listed(page, "unverified")
    assert old in listed and never in listed and recent not in listed
    expected = sql(pg, fresh_db, "SELECT count(*) FROM places WHERE status <> 'archived' AND "
                                 "(last_verified IS NULL OR last_verified < current_date - 365)")
    assert _count(page, "unverified") == expected[0][0]


def test_places_without_phone_email_or_website(logged_in, pg, fresh_db):
    bare, with_phone = (r[0] for r in sql(
        pg, fresh_db, "SELECT id FROM places WHERE status = 'published' ORDER BY id LIMIT 2"))
    sql(pg, fresh_db, "UPDATE places SET phone = NULL, email = ' ', website = NULL WHERE id = %s",
        (bare,))
    sql(pg, fresh_db, "UPDATE places SET phone = '0661 1234', email = NULL, website = NULL "
                      "WHERE id = %s", (with_phone,))
    page = logged_in(EDITOR).get("/admin/quality").text
    listed = _listed(page, "no_contact")
    assert bare in listed and with_phone not in listed
    assert f'href="/admin/places/{bare}#f-phone"' in page


def test_likely_duplicates_are_similar_names_within_fifty_metres(logged_in, pg, fresh_db):
    before = _listed(logged_in(ADMIN).get("/admin/quality").text, "duplicates")
    place_id, name = sql(pg, fresh_db, "SELECT id, name FROM places WHERE status = 'published' "
                                       "ORDER BY id LIMIT 1")[0]
    near, far = (sql(pg, fresh_db, f"""
        INSERT INTO places (name, geom, status)
        SELECT upper(name), ST_Project(geom::geography, {metres}, radians(90))::geometry, 'draft'
        FROM places WHERE id = %s RETURNING id""", (place_id,))[0][0] for metres in (30, 120))
    page = logged_in(ADMIN).get("/admin/quality").text
    pair = re.search(rf'<li data-place="{place_id}">(.*?)</li>', page.split('data-list="duplicates"')[1])
    assert pair, page
    assert f'href="/admin/places/{near}"' in pair.group(1)
    assert f'href="/admin/places/{place_id}">{name}<' in pair.group(1)
    assert "30 m" in pair.group(1)
    assert f'href="/admin/places/{far}"' not in page.split('data-list="duplicates"')[1]
    assert _count(page, "duplicates") == len(before) + 1


def test_an_editor_limited_to_a_town_sees_only_its_places(logged_in, pg, fresh_db):
    page = logged_in(TOWN_EDITOR).get("/admin/quality").text
    ids = {int(i) for i in re.findall(r'data-place="(\d+)"', page)}
    assert ids
    outside = sql(pg, fresh_db, "SELECT id FROM places WHERE id = ANY(%s) AND "
                                "coalesce(ags, '') NOT LIKE %s", (list(ids), HUENFELD + "%"))
    assert outside == []
    everyone = logged_in(EDITOR).get("/admin/quality").text
    assert _count(everyone, "unverified") > _count(page, "unverified")


def test_mark_verified_today_keeps_version_and_history(logged_in, pg, fresh_db):
    editor = logged_in(EDITOR)
    place_id, version = sql(pg, fresh_db, "SELECT id, version FROM places WHERE status = "
                                          "'published' AND last_verified IS NULL ORDER BY id "
                                          "LIMIT 1")[0]
    assert place_id in _listed(editor.get("/admin/quality").text, "unverified")
    stale = editor.post(f"/admin/quality/{place_id}/verified", data={"version": version - 1})
    assert stale.status_code == 409
    response = editor.post(f"/admin/quality/{place_id}/verified", data={"version": version},
                           follow_redirects=False)
    assert response.status_code == 303
    assert sql(pg, fresh_db, "SELECT last_verified, version FROM places WHERE id = %s",
               (place_id,)) == [(dt.date.today(), version + 1)]
    history = editor.get(f"/api/admin/places/{place_id}/history").json()
    assert history[0]["action"] == "verify" and history[0]["user"] == EDITOR[0]
    assert history[0]["version"] == version + 1
    assert [c["field"] for c in history[0]["changes"]] == ["last_verified"]
    page = editor.get(response.headers["location"]).text
    assert place_id not in _listed(page, "unverified") and 'role="status"' in page


def test_mark_verified_needs_csrf_and_the_right_town(logged_in, pg, fresh_db):
    outside_id, version = sql(pg, fresh_db, "SELECT id, version FROM places WHERE ags NOT LIKE "
                                            "%s ORDER BY id LIMIT 1", (HUENFELD + "%",))[0]
    town = logged_in(TOWN_EDITOR)
    assert town.post(f"/admin/quality/{outside_id}/verified",
                     data={"version": version}).status_code == 403
    editor = logged_in(EDITOR)
    del editor.headers["X-CSRF-Token"]
    assert editor.post(f"/admin/quality/{outside_id}/verified",
                       data={"version": version}).status_code == 403
    assert sql(pg, fresh_db, "SELECT version, last_verified FROM places WHERE id = %s",
               (outside_id,)) == [(version, None)]


def test_a_chosen_municipality_narrows_every_list(logged_in, pg, fresh_db):
    everything = logged_in(ADMIN).get("/admin/quality").text
    page = logged_in(ADMIN).get("/admin/quality", params={"municipality": "Hünfeld"}).text
    assert 'value="Hünfeld"' in page
    ids = {int(i) for i in re.findall(r'data-place="(\d+)"', page)}
    assert ids and sql(pg, fresh_db, "SELECT id FROM places WHERE id = ANY(%s) AND 'Hünfeld' "
                                     "NOT IN (coalesce(municipality, ''), coalesce(city, ''))",
                       (list(ids),)) == []
    assert 0 < _count(page, "unverified") < _count(everything, "unverified")
    api = logged_in(ADMIN).get("/api/admin/quality", params={"municipality": "hunfeld"}).json()
    assert api["unverified"]["count"] == 0  # not a spelling of Hünfeld (that is "huenfeld")
    api = logged_in(ADMIN).get("/api/admin/quality", params={"municipality": "huenfeld"}).json()
    assert api["unverified"]["count"] == _count(page, "unverified")


def test_over_too_many_places_duplicates_ask_for_a_municipality(logged_in, pg, fresh_db):
    # A national directory: comparing every place with its neighbours would take minutes, so
    # beyond the limit the page says so instead of timing out, and one municipality works.
    place_id = sql(pg, fresh_db, "SELECT id FROM places WHERE status = 'published' AND ags LIKE %s "
                                 "ORDER BY id LIMIT 1", (HUENFELD + "%",))[0][0]
    sql(pg, fresh_db, """INSERT INTO places (name, geom, status, ags)
        SELECT upper(name), ST_Project(geom::geography, 20, radians(90))::geometry, 'draft', ags
        FROM places WHERE id = %s""", (place_id,))
    admin = logged_in(ADMIN, quality_duplicates_max_places=30)
    page = admin.get("/admin/quality").text
    assert 'data-count="duplicates">nicht gesucht<' in page
    assert "mehr als 30 Orte" in page and _listed(page, "duplicates") == []
    assert admin.get("/api/admin/quality").json()["duplicates"] == {"count": None, "pairs": []}
    town = admin.get("/admin/quality", params={"municipality": HUENFELD}).text
    assert place_id in _listed(town, "duplicates") and _count(town, "duplicates") >= 1


def test_a_municipality_without_places_is_said_not_shown_as_all_well(logged_in):
    page = logged_in(ADMIN).get("/admin/quality", params={"municipality": "Hünfled"}).text
    assert 'role="alert"' in page and "Keine Orte in „Hünfled“ gefunden" in page
    found = logged_in(ADMIN).get("/admin/quality", params={"municipality": "Hünfeld"}).text
    assert "Keine Orte in" not in found
