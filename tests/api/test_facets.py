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


def _counts(tree: dict) -> dict:
    return {"total": tree["total"],
            **{s["slug"]: s["count"] for s in tree["stages"]},
            **{c["slug"]: c["count"] for s in tree["stages"] for c in s["categories"]}}


def test_the_unfiltered_tree_from_the_aggregates_equals_counting_every_place(
        pg, fresh_db, fresh_url, make_client):
    # A national directory cannot count a million places per map load; the cluster aggregates
    # give the same numbers, also right after an edit. One place in a second category of the
    # same stage still counts once for the stage.
    sql(pg, fresh_db, """INSERT INTO place_categories (place_id, category_id, position)
        SELECT p.id, c.id, 9 FROM places p, categories c
        WHERE p.name LIKE 'Grundschule%%' AND p.status = 'published' AND c.slug = 'foerderschule'
        ON CONFLICT DO NOTHING""")
    sql(pg, fresh_db, "UPDATE places SET status = 'archived' WHERE name LIKE 'Gymnasium%%'")
    aggregated = make_client(fresh_url).get("/api/categories").json()
    live = make_client(fresh_url, cluster_aggregates=False).get("/api/categories").json()
    assert _counts(aggregated) == _counts(live)
    assert aggregated["total"] == matched(make_client(fresh_url), "lang=de")
    # The stage counts each place once, as filtering by the stage does.
    assert _counts(aggregated)["schule"] == matched(make_client(fresh_url), "category=schule")


def test_counts_too_costly_for_the_limit_are_null_not_wrong(make_client, demo_url):
    client = make_client(demo_url, facet_max_places=15)
    searched = client.get("/api/categories", params={"q": "schule"}).json()  # many more than 15
    assert searched["total"] is None and searched["target_groups"] is None
    assert all(s["count"] is None and all(c["count"] is None for c in s["categories"])
               for s in searched["stages"])
    # The aggregates still count the tree and the target groups; languages are counted live.
    everything = client.get("/api/categories").json()
    assert everything["total"] == 87 and everything["languages"] is None
    assert sum(everything["target_groups"].values()) >= 87
    narrow = client.get("/api/categories", params={"q": "Uttrichshausen"}).json()
    assert narrow["total"] == 1 and sum(narrow["target_groups"].values()) >= 1
    # Under a category, whether it has too many places comes from the aggregates.
    sizes = {}
    for category in ("grundschule", "foerderschule"):
        sizes[category] = client.get("/api/places", params={"category": category,
                                                            "limit": 1}).json()["numberMatched"]
        facets = client.get("/api/categories", params={"category": category}).json()
        assert (facets["languages"] is None) == (sizes[category] > 15), category
        assert facets["target_groups"] is not None
    assert sizes["foerderschule"] <= 15 < sizes["grundschule"]


def test_target_group_counts_from_the_aggregates_equal_counting_every_place(
        pg, fresh_db, fresh_url, make_client):
    # Also right after an edit of target groups and categories.
    sql(pg, fresh_db, "UPDATE places SET target_groups = '{senioren,kinder}' "
                      "WHERE name LIKE 'Grundschule%%'")
    sql(pg, fresh_db, """INSERT INTO place_categories (place_id, category_id, position)
        SELECT p.id, c.id, 9 FROM places p, categories c
        WHERE p.name LIKE 'Gymnasium%%' AND c.slug = 'foerderschule' ON CONFLICT DO NOTHING""")
    aggregated = make_client(fresh_url)
    live = make_client(fresh_url, cluster_aggregates=False)
    for params in ({}, {"category": "foerderschule"}, {"category": ["grundschule", "foerderschule"]},
                   {"category": "grundschule", "target_group": "senioren"}):
        counts = aggregated.get("/api/categories", params=params).json()["target_groups"]
        assert counts and counts == live.get("/api/categories",
                                             params=params).json()["target_groups"], params
    assert counts["senioren"] == matched(aggregated, "category=grundschule&target_group=senioren")


def test_near_at_any_distance_counts_as_much_as_no_near(make_client, demo_url):
    # "Near me" without a radius sorts every place by distance: the filter panel, the map's
    # cells and the list's total are those of the whole directory, from the aggregates, even
    # where counting place by place would be too costly.
    client = make_client(demo_url, facet_max_places=15, max_exact_count=10)
    near = {"near": "9.6716,50.5547"}
    assert (client.get("/api/categories", params=near).json()
            == client.get("/api/categories").json())
    listed = client.get("/api/places", params={**near, "limit": 5}).json()
    assert listed["numberMatched"] == 87
    distances = [f["properties"]["distance_m"] for f in listed["features"]]
    assert distances == sorted(distances)
    view = {"bbox": "9.4,50.3,10.15,50.85", "zoom": 9}
    assert (client.get("/api/clusters", params={**view, **near}).json()["features"]
            == client.get("/api/clusters", params=view).json()["features"])
