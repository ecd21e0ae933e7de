"""Editing places through the admin API: versions, history, status, permissions, validation."""

from __future__ import annotations

from tests.admin.conftest import HUENFELD, TOWN_EDITOR
from tests.conftest import sql

LIBRARY = {"name": "Stadtbibliothek Fulda", "categories": ["bibliothek"], "lon": 9.6775,
           "lat": 50.5535, "street": "Heinrich-von-Bibra-Platz 12", "postcode": "36037",
           "city": "Fulda", "municipality": "Fulda", "ags": "06631009",
           "website": "https://www.fulda.de", "opening_hours": "Tu-Fr 10:00-18:00; Sa 10:00-13:00"}


def _create(client, **changes) -> int:
    response = client.post("/api/admin/places", json={**LIBRARY, **changes})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _get(client, place_id: int) -> dict:
    return client.get(f"/api/admin/places/{place_id}").json()["place"]


def test_a_new_place_is_a_draft_until_published(logged_in, make_client, accounts):
    admin = logged_in()
    place_id = _create(admin)
    public = make_client(accounts)
    assert public.get(f"/api/places/{place_id}").status_code == 404
    published = admin.post(f"/api/admin/places/{place_id}/publish", json={"version": 1})
    assert published.status_code == 200 and published.json()["version"] == 2
    feature = public.get(f"/api/places/{place_id}").json()
    assert feature["properties"]["name"] == "Stadtbibliothek Fulda"


def test_a_stale_save_is_refused_and_nothing_is_overwritten(logged_in):
    alice, bob = logged_in(), logged_in()
    place_id = _create(alice)
    assert alice.put(f"/api/admin/places/{place_id}",
                     json={**LIBRARY, "phone": "0661 102-1", "version": 1}).status_code == 200
    stale = bob.put(f"/api/admin/places/{place_id}",
                    json={**LIBRARY, "phone": "0661 999", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["current"]["phone"] == "0661 102-1"
    assert stale.json()["current"]["version"] == 2
    assert _get(alice, place_id)["phone"] == "0661 102-1"
    # Bob decides to keep his value, now based on the current version.
    assert bob.put(f"/api/admin/places/{place_id}",
                   json={**LIBRARY, "phone": "0661 999", "version": 2}).status_code == 200


def test_history_shows_who_changed_what_and_restores_an_earlier_version(logged_in):
    admin = logged_in()
    place_id = _create(admin)
    admin.put(f"/api/admin/places/{place_id}", json={**LIBRARY, "name": "Bibliothek", "version": 1})
    history = admin.get(f"/api/admin/places/{place_id}/history").json()
    assert [h["action"] for h in history] == ["update", "create"]
    assert history[0]["user"] == "admin@example.org"
    assert {"field": "name", "before": "Stadtbibliothek Fulda", "after": "Bibliothek"} in \
        history[0]["changes"]
    restored = admin.post(f"/api/admin/places/{place_id}/history/{history[1]['id']}/restore",
                          json={"version": 2})
    assert restored.status_code == 200
    assert _get(admin, place_id)["name"] == "Stadtbibliothek Fulda"
    assert admin.get(f"/api/admin/places/{place_id}/history").json()[0]["action"].startswith("restore")


def test_archive_hides_a_place_and_unarchive_brings_it_back(logged_in, make_client, accounts, pg,
                                                             fresh_db):
    admin = logged_in()
    (place_id,) = sql(pg, fresh_db, "SELECT id FROM places WHERE status = 'published' LIMIT 1")[0]
    version = _get(admin, place_id)["version"]
    public = make_client(accounts)
    assert admin.post(f"/api/admin/places/{place_id}/archive",
                      json={"version": version}).status_code == 200
    assert public.get(f"/api/places/{place_id}").status_code == 404
    archived = admin.get("/api/admin/places", params={"status": "archived"}).json()
    assert [p["id"] for p in archived["places"]] == [place_id]
    assert admin.post(f"/api/admin/places/{place_id}/unarchive",
                      json={"version": version + 1}).status_code == 200
    assert public.get(f"/api/places/{place_id}").status_code == 200
    assert sql(pg, fresh_db, "SELECT count(*) FROM places WHERE id = %s", (place_id,)) == [(1,)]


def test_places_needing_a_location_are_listed_and_cannot_be_published(logged_in):
    admin = logged_in()
    needs = admin.get("/api/admin/places", params={"status": "needs-location"}).json()
    assert needs["number_matched"] == 5 and all(p["needs_location"] for p in needs["places"])
    place = needs["places"][0]
    refused = admin.post(f"/api/admin/places/{place['id']}/publish",
                         json={"version": place["version"]})
    assert refused.status_code == 422 and "location" in refused.text


def test_an_editor_cannot_edit_another_towns_places(logged_in, pg, fresh_db):
    town = logged_in(TOWN_EDITOR)
    (fulda_id, fulda_version) = sql(pg, fresh_db, "SELECT id, version FROM places "
                                                  "WHERE ags = '06631009' LIMIT 1")[0]
    refused = town.put(f"/api/admin/places/{fulda_id}",
                       json={**LIBRARY, "version": fulda_version})
    assert refused.status_code == 403
    assert town.post("/api/admin/places", json=LIBRARY).status_code == 403
    assert town.post("/api/admin/places", json={**LIBRARY, "ags": HUENFELD, "city": "Hünfeld",
                                                "lon": 9.768, "lat": 50.672}).status_code == 201


def test_validation_reports_each_field(logged_in):
    admin = logged_in()
    bad = admin.post("/api/admin/places", json={
        **LIBRARY, "website": "javascript:alert(1)", "email": "no-at-sign", "phone": "call me",
        "opening_hours": "montags 8-16", "name": "x" * 301, "lat": 95})
    assert bad.status_code == 422
    fields = {e["parameter"] for e in bad.json()["errors"]}
    assert {"website", "email", "phone", "opening_hours", "name", "location"} <= fields


def test_outside_the_service_area_and_near_duplicates_need_confirmation(logged_in):
    admin = logged_in()
    berlin = {**LIBRARY, "name": "Bibliothek Berlin", "lon": 13.4, "lat": 52.5}
    warned = admin.post("/api/admin/places", json=berlin)
    assert warned.status_code == 422 and warned.json()["warnings"][0]["parameter"] == "location"
    assert admin.post("/api/admin/places", json={**berlin, "confirm": True}).status_code == 201
    first = _create(admin)
    twin = admin.post("/api/admin/places", json={**LIBRARY, "name": "Stadtbibliothek  Fulda",
                                                 "lon": 9.6776})
    assert twin.status_code == 422
    assert f"#{first}" in twin.json()["warnings"][0]["message"]


def test_the_list_of_every_status_is_in_name_order_page_by_page(logged_in, pg, fresh_db):
    # Published places come from the index of names, drafts and archived ones are sorted beside
    # them: one order across all three.
    admin = logged_in()
    sql(pg, fresh_db, "UPDATE places SET status = 'archived' WHERE id IN "
                      "(SELECT id FROM places WHERE status = 'published' ORDER BY id DESC LIMIT 5)")
    assert {r[0] for r in sql(pg, fresh_db, "SELECT status FROM places")} == \
        {"draft", "published", "archived"}
    expected = sorted(sql(pg, fresh_db, "SELECT name, id FROM places"))
    listed: list[tuple[str, int]] = []
    while True:
        page = admin.get("/api/admin/places", params={"limit": 7, "offset": len(listed)}).json()
        listed += [(p["name"], p["id"]) for p in page["places"]]
        if len(page["places"]) < 7:
            break
    assert listed == expected
    assert page["number_matched"] == len(expected)


def test_an_offset_beyond_any_list_is_refused_not_a_server_error(logged_in):
    # 10^20 does not fit the database's 64-bit integers: it failed with a 500.
    admin = logged_in()
    for path in ("/api/admin/places", "/admin/places"):
        for offset in ("99999999999999999999", "10000001"):
            response = admin.get(path, params={"offset": offset})
            assert response.status_code == 422, (path, offset, response.status_code)
        assert admin.get(path, params={"offset": "10000000"}).status_code == 200
