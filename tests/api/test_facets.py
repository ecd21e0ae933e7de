"""/api/categories also counts places per target group and per language offered (facets)."""

from __future__ import annotations

from tests.conftest import sql


def matched(client, query: str) -> int:
    return client.get(f"/api/places?{query}&limit=1").json()["numberMatched"]


def test_target_group_counts_match_the_places_each_checkbox_would_show(client):
    facets = client.get("/api/categories").json()["target_groups"]
    assert facets and all(n > 0 for n in facets.values())
    for slug, n in facets.items():
        assert n == matched(client, f"target_group={slug}")
    # Under a category only its places count; a chosen group does not shrink its own count.
    special = client.get("/api/categories?category=foerderschule&target_group=kinder").json()
    for slug, n in special["target_groups"].items():
        assert n == matched(client, f"category=foerderschule&target_group={slug}")


def test_languages_are_counted_only_where_the_data_has_them(client, pg, fresh_db, fresh_url,
                                                             make_client):
    assert client.get("/api/categories").json()["languages"] == {}
    sql(pg, fresh_db, "UPDATE places SET languages = '{uk,ar}' WHERE name LIKE 'Grundschule%%'")
    fresh = make_client(fresh_url)
    languages = fresh.get("/api/categories").json()["languages"]
    assert set(languages) == {"uk", "ar"}
    assert languages["uk"] == matched(fresh, "language=uk") > 0
