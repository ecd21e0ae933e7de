"""HTTP caching and compression of public reads, against the real database and its triggers."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

import pytest

from tests.admin.conftest import ADMIN, add_user, log_in
from tests.conftest import lernorte, sql

PLACES = "/api/places?limit=5"


def test_a_repeated_request_with_the_etag_is_answered_304_without_a_body(client):
    first = client.get(PLACES)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    assert first.headers["cache-control"] == "public, max-age=60"
    assert parsedate_to_datetime(first.headers["last-modified"]) <= datetime.now(UTC)

    again = client.get(PLACES, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag

    listed = client.get(PLACES, headers={"If-None-Match": f'"other", {etag}'})
    assert listed.status_code == 304


def test_if_modified_since_is_honoured_and_ignored_when_if_none_match_is_present(client):
    first = client.get(PLACES)
    last_modified = first.headers["last-modified"]
    assert client.get(PLACES, headers={"If-Modified-Since": last_modified}).status_code == 304

    earlier = parsedate_to_datetime(last_modified) - timedelta(seconds=1)
    stale = client.get(PLACES, headers={"If-Modified-Since": format_datetime(earlier, usegmt=True)})
    assert stale.status_code == 200 and stale.json()["features"]

    # If-None-Match decides when both are sent (RFC 9110 13.2.2).
    both = client.get(PLACES, headers={"If-None-Match": 'W/"not-this"',
                                       "If-Modified-Since": last_modified})
    assert both.status_code == 200
    garbage = client.get(PLACES, headers={"If-Modified-Since": "yesterday-ish"})
    assert garbage.status_code == 200


def test_different_urls_and_representations_have_different_etags(client):
    a = client.get(PLACES).headers["etag"]
    b = client.get("/api/places?limit=6").headers["etag"]
    c = client.get(PLACES, headers={"Accept": "text/html"}).headers["etag"]
    assert len({a, b, c}) == 3
    assert client.get("/api/places?limit=6", headers={"If-None-Match": a}).status_code == 200


@pytest.mark.parametrize("statement", [
    "UPDATE places SET name = 'Neue Schule am Dom' WHERE id = (SELECT min(id) FROM places "
    "WHERE status = 'published')",
    "UPDATE categories SET colour = '#123456' WHERE slug = 'grundschule'",
    "UPDATE stages SET sort_order = sort_order WHERE slug = 'schule'",
    "DELETE FROM place_categories WHERE place_id = (SELECT max(place_id) FROM place_categories) "
    "AND position > 0",
], ids=["place", "category", "stage", "place_categories"])
def test_an_edit_through_sql_changes_the_etag_at_once(make_client, pg, fresh_db, fresh_url,
                                                      statement):
    client = make_client(fresh_url)
    # HTTP dates count whole seconds and may not lie ahead, and each change moves the data's
    # clock to a new second (migration 0003), ahead of the real one after a burst such as this
    # database's setup. Only once the real clock has passed the last change's second can an
    # edit's Last-Modified be later than the one served before it.
    for _ in range(100):
        if sql(pg, fresh_db, "SELECT date_trunc('second', clock_timestamp()) > changed_at "
                             "FROM data_version")[0][0]:
            break
        time.sleep(0.1)
    first = client.get(PLACES)
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]

    sql(pg, fresh_db, statement)

    after = client.get(PLACES, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["etag"] != etag
    assert parsedate_to_datetime(after.headers["last-modified"]) > parsedate_to_datetime(last_modified)
    # A client that only knows the date also sees the edit, even within the same second.
    assert client.get(PLACES, headers={"If-Modified-Since": last_modified}).status_code == 200


def test_the_edited_data_is_served_after_the_etag_changed(make_client, pg, fresh_db, fresh_url):
    client = make_client(fresh_url)
    place_id = client.get("/api/places?limit=1").json()["features"][0]["id"]
    url = f"/api/places/{place_id}"
    etag = client.get(url).headers["etag"]
    sql(pg, fresh_db, "UPDATE places SET name = 'Umbenannte Schule' WHERE id = %s", (place_id,))
    fresh = client.get(url, headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert fresh.json()["properties"]["name"] == "Umbenannte Schule"


def test_an_edit_in_the_admin_changes_the_etag_at_once(make_client, pg, fresh_db, fresh_url):
    add_user(pg, fresh_db, *ADMIN, "admin")
    public, admin = make_client(fresh_url), make_client(fresh_url)
    log_in(admin, *ADMIN)
    first = public.get(PLACES)
    place_id = first.json()["features"][0]["id"]
    version = admin.get(f"/api/admin/places/{place_id}").json()["place"]["version"]
    assert admin.post(f"/api/admin/places/{place_id}/archive",
                      json={"version": version}).status_code == 200
    after = public.get(PLACES, headers={"If-None-Match": first.headers["etag"]})
    assert after.status_code == 200
    assert after.json()["numberMatched"] == 86
    assert place_id not in [f["id"] for f in after.json()["features"]]
    # The admin's own reads carry the session cookie: never stored by a shared cache.
    assert "public" not in admin.get(PLACES).headers.get("cache-control", "")


def test_an_import_changes_the_etag(make_client, fresh_url, tmp_path):
    client = make_client(fresh_url)
    first = client.get("/api/places?limit=1")
    assert first.json()["numberMatched"] == 87
    source = tmp_path / "neu.csv"
    source.write_text("name,categories,lon,lat,status\n"
                      "Musikschule Fulda,musikschule,9.6801,50.5534,published\n", encoding="utf-8")
    result = lernorte(fresh_url, "import", str(source))
    assert result.returncode == 0, result.stderr
    after = client.get("/api/places?limit=1", headers={"If-None-Match": first.headers["etag"]})
    assert after.status_code == 200
    assert after.json()["numberMatched"] == 88


def test_a_transaction_with_many_statements_bumps_the_version_once(pg, fresh_db):
    before = sql(pg, fresh_db, "SELECT version, changed_at FROM data_version")[0]
    sql(pg, fresh_db, "DO $$ BEGIN "
                      "UPDATE places SET name = name || ' ' WHERE id IN (SELECT id FROM places LIMIT 3);"
                      "UPDATE places SET name = rtrim(name) WHERE id IN (SELECT id FROM places LIMIT 3);"
                      "UPDATE categories SET sort_order = sort_order; END $$")
    after = sql(pg, fresh_db, "SELECT version, changed_at, clock_timestamp() FROM data_version")[0]
    assert after[0] == before[0] + 1
    # Bumped once, to the time of the edit: not three seconds into the future.
    assert after[1] > before[1]
    assert after[2] - timedelta(seconds=2) < after[1] <= after[2]


def test_last_modified_is_never_in_the_future(make_client, pg, fresh_db, fresh_url):
    sql(pg, fresh_db, "UPDATE data_version SET changed_at = now() + interval '1 hour'")
    client = make_client(fresh_url)
    response = client.get(PLACES)
    assert parsedate_to_datetime(response.headers["last-modified"]) <= datetime.now(UTC)
    assert client.get(PLACES, headers={"If-Modified-Since": response.headers["last-modified"]}
                      ).status_code == 200


def test_errors_and_private_requests_get_no_shared_caching(client):
    missing = client.get("/api/places/999999")
    assert missing.status_code == 404
    assert "etag" not in missing.headers and "cache-control" not in missing.headers

    assert "etag" not in client.get("/healthz").headers

    with_session = client.get(PLACES, headers={"Cookie": "lernorte_session=anything"})
    assert with_session.status_code == 200
    assert "etag" not in with_session.headers
    assert "public" not in with_session.headers.get("cache-control", "")


def test_json_is_gzipped_and_tiny_answers_are_not(client):
    big = client.get("/api/places?limit=50", headers={"Accept-Encoding": "gzip"})
    assert big.headers["content-encoding"] == "gzip"
    assert len(big.json()["features"]) == 50
    assert "accept-encoding" in big.headers["vary"].lower()

    plain = client.get("/api/places?limit=50", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers

    page = client.get("/ogc/collections/lernorte/items?f=html&limit=50",
                      headers={"Accept-Encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip"
    assert "<table>" in page.text

    tiny = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in tiny.headers


@pytest.mark.parametrize("url", ["/api/places?limit=5", "/ogc/collections", "/downloads/lernorte.csv",
                                 "/", "/orte/{id}"])
def test_head_answers_like_get_without_a_body(client, url):
    place_id = client.get("/api/places?limit=1").json()["features"][0]["id"]
    url = url.format(id=place_id)
    get, head = client.get(url), client.head(url)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    for name in ("content-type", "etag", "cache-control"):
        assert head.headers.get(name) == get.headers.get(name)
