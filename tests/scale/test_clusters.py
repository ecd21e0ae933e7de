"""Clusters add up to the places they stand for, under every filter, and follow edits."""

import pytest

from app.places import query
from tests.conftest import sql

GERMANY = "5.8,47.2,15.1,55.1"
FILTERS = [
    {},
    {"category": "kita"},
    {"category": ["schule", "bibliothek"]},  # a stage and a category: any of them
    {"q": "Kita"},
    {"near": "9.68,50.55", "radius": "40000"},
    {"near": "9.68,50.55", "radius": "3000"},  # its box cuts through cells at every zoom
    {"target_group": "senioren"},
    # Places for both count once; with a category too, places need one of each.
    {"target_group": ["senioren", "kinder"]},
    {"target_group": "kinder", "category": "musikschule"},
    {"language": "en"},
    # Tested on the aggregates' members, any of two languages and a category.
    {"language": ["en", "tr"], "category": "kita"},
    # Partly on the members, partly on the places.
    {"language": "en", "municipality": "Fulda"},
    {"municipality": "Fulda"},
    {"category": "grundschule", "q": "Astrid"},
    # Municipalities on the members alone: a name folded ("Kuenzell" finds the demo's Künzell),
    # a district's AGS prefix, any of two with a stage, and within a radius.
    {"municipality": "Kuenzell"},
    {"municipality": "06631"},
    {"municipality": ["Fulda", "Kassel"], "category": "schule"},
    {"municipality": "Fulda", "near": "9.68,50.55", "radius": "3000"},
]


def _clusters(client, **params):
    response = client.get("/api/clusters", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/geo+json")
    return response.json()


def _place_count(client, bbox: list[float], **params) -> int:
    # A page big enough for the count to be exact under every filter (a radius is counted only
    # as far as the page reaches).
    response = client.get("/api/places", params={**params, "bbox": ",".join(map(str, bbox)),
                                                 "limit": 1000, "properties": ""})
    assert response.status_code == 200, response.text
    return response.json()["numberMatched"]


def _assert_adds_up(client, collection, **params) -> None:
    counts = [f["properties"]["count"] for f in collection["features"]]
    assert sum(counts) == collection["numberMatched"]
    assert collection["numberMatched"] == _place_count(client, collection["bbox"], **params)
    for feature in collection["features"]:
        props = feature["properties"]
        lon, lat = feature["geometry"]["coordinates"]
        min_lon, min_lat, max_lon, max_lat = props["bbox"]
        assert min_lon <= lon <= max_lon and min_lat <= lat <= max_lat
        # Every place counts once per stage and at least once among the categories.
        assert props["count"] <= sum(props["categories"].values())
        assert max(props["stages"].values()) <= props["count"] <= sum(props["stages"].values())


@pytest.mark.parametrize("params", FILTERS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "none")
def test_clusters_add_up_to_the_places_under_every_filter(make_client, scale_url, params):
    client = make_client(scale_url)
    on_the_fly = make_client(scale_url, cluster_aggregates=False)
    for bbox, zoom in [(GERMANY, 5), ("8.0,49.5,11.5,51.5", 8), ("9.55,50.45,9.8,50.65", 12),
                       ("9.62,50.52,9.72,50.58", 14)]:
        collection = _clusters(client, bbox=bbox, zoom=zoom, **params)
        _assert_adds_up(client, collection, **params)
        # The precomputed aggregates and the aggregation of the matching rows agree exactly.
        assert collection == _clusters(on_the_fly, bbox=bbox, zoom=zoom, **params)
    assert _clusters(client, bbox=GERMANY, zoom=5)["numberMatched"] > 2500


def test_clusters_follow_edits(make_client, pg, fresh_db, scale_url):
    client = make_client(scale_url)
    fulda = {"bbox": "9.55,50.45,9.8,50.65", "zoom": 12}
    berlin = {"bbox": "13.39,52.49,13.41,52.51", "zoom": 12}
    before = _clusters(client, **fulda)
    berlin_before = _clusters(client, **berlin)["numberMatched"]
    kitas_before = _clusters(client, **fulda, category="kita")["numberMatched"]
    seniors_before = _clusters(client, **fulda, target_group="senioren")["numberMatched"]
    turkish_before = _clusters(client, **fulda, language="tr")["numberMatched"]
    ids = [r[0] for r in sql(pg, fresh_db,
                             "SELECT id FROM places WHERE status = 'published' AND "
                             "geom && ST_MakeEnvelope(9.6, 50.5, 9.75, 50.6, 4326) "
                             "AND NOT target_groups && '{senioren}' "
                             "AND NOT languages && '{tr}' ORDER BY id LIMIT 6")]
    moved, archived, deleted, recategorised, for_seniors, in_turkish = ids
    sql(pg, fresh_db, "UPDATE places SET geom = ST_SetSRID(ST_MakePoint(13.4, 52.5), 4326) "
                      "WHERE id = %s", (moved,))
    sql(pg, fresh_db, "UPDATE places SET status = 'archived' WHERE id = %s", (archived,))
    sql(pg, fresh_db, "DELETE FROM places WHERE id = %s", (deleted,))
    was_kita = sql(pg, fresh_db, "SELECT count(*) FROM place_categories pc JOIN categories c "
                                 "ON c.id = pc.category_id WHERE place_id = %s AND c.slug = 'kita'",
                   (recategorised,))[0][0]
    sql(pg, fresh_db, "DELETE FROM place_categories WHERE place_id = %s", (recategorised,))
    sql(pg, fresh_db, "INSERT INTO place_categories (place_id, category_id, position) "
                      "SELECT %s, id, 0 FROM categories WHERE slug = 'kita'", (recategorised,))
    sql(pg, fresh_db, "UPDATE places SET target_groups = '{senioren}' WHERE id = %s",
        (for_seniors,))
    sql(pg, fresh_db, "UPDATE places SET languages = languages || '{tr}' WHERE id = %s",
        (in_turkish,))

    after = _clusters(client, **fulda)
    assert after["numberMatched"] == before["numberMatched"] - 3
    _assert_adds_up(client, after)
    kitas = _clusters(client, **fulda, category="kita")
    assert kitas["numberMatched"] == kitas_before + (1 - was_kita)
    _assert_adds_up(client, kitas, category="kita")
    assert _clusters(client, **berlin)["numberMatched"] == berlin_before + 1
    seniors = _clusters(client, **fulda, target_group="senioren")
    assert seniors["numberMatched"] == seniors_before + 1
    _assert_adds_up(client, seniors, target_group="senioren")
    turkish = _clusters(client, **fulda, language="tr")
    assert turkish["numberMatched"] == turkish_before + 1
    _assert_adds_up(client, turkish, language="tr")
    # A filter the aggregates cannot answer is counted place by place, each in the cell the
    # triggers keep for it: those follow the edits as well.
    for view in (fulda, berlin):
        _assert_adds_up(client, _clusters(client, **view, language="de"), language="de")


def test_municipality_cells_follow_edits(make_client, pg, fresh_db, scale_url):
    """A municipality's cells come from the members, which follow a place's new municipality,
    town or AGS without the place moving."""
    client = make_client(scale_url)
    view = {"bbox": "9.55,50.45,9.8,50.65", "zoom": 12}

    def matched(municipality: str) -> int:
        collection = _clusters(client, **view, municipality=municipality)
        _assert_adds_up(client, collection, municipality=municipality)
        return collection["numberMatched"]

    before = {m: matched(m) for m in ("Fulda", "Kassel", "06611")}
    assert before["Fulda"] > 3 and before["Kassel"] == before["06611"] == 0
    moved_away, town_kept, rekeyed = [r[0] for r in sql(
        pg, fresh_db, "SELECT id FROM places WHERE status = 'published' AND municipality = 'Fulda' "
                      "AND city = 'Fulda' AND geom && ST_MakeEnvelope(9.6, 50.5, 9.75, 50.6, 4326) "
                      "ORDER BY id LIMIT 3")]
    sql(pg, fresh_db, "UPDATE places SET municipality = 'Kassel', city = 'Kassel' WHERE id = %s",
        (moved_away,))
    # Its town still says Fulda, which the filter matches as well.
    sql(pg, fresh_db, "UPDATE places SET municipality = 'Kassel' WHERE id = %s", (town_kept,))
    sql(pg, fresh_db, "UPDATE places SET ags = '06611000' WHERE id = %s", (rekeyed,))
    assert matched("Fulda") == before["Fulda"] - 1
    assert matched("Kassel") == 2
    assert matched("06611") == 1


SEARCHES = [
    {"q": "Kita"},
    {"q": "am"},  # two letters: no trigram of their own
    {"q": "Bibliotek"},  # a typo, found through similar words of the lexicon
    {"q": "Grundschule Fulda"},  # every word must match
    {"q": "Kita", "category": "kita", "target_group": "kinder"},
    {"q": "Kita", "language": "en"},
    {"q": "Kita", "municipality": "Fulda"},
    {"q": "Kita", "near": "9.68,50.55", "radius": "20000"},
]


@pytest.mark.parametrize("params", SEARCHES, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()))
def test_a_search_counts_the_same_on_the_members_as_through_the_places(make_client, scale_url,
                                                                     monkeypatch, params):
    """A search's cells are counted either on the members' own search text or by finding the
    matches through the places' index, whichever costs less: both answer the same."""
    client = make_client(scale_url)
    answers = []
    for members_per_match in (0, 10**9):  # never, always on the members
        monkeypatch.setattr(query, "MEMBERS_PER_MATCH", members_per_match)
        answers.append([_clusters(client, bbox=bbox, zoom=zoom, **params)
                        for bbox, zoom in [(GERMANY, 5), ("8.0,49.5,11.5,51.5", 8),
                                           ("9.55,50.45,9.8,50.65", 12),
                                           ("9.62,50.52,9.72,50.58", 14)]])
    through_places, on_members = answers
    assert on_members == through_places
    for collection in on_members:
        _assert_adds_up(client, collection, **params)
    assert on_members[0]["numberMatched"] > 0


def test_search_cells_follow_edits(make_client, pg, fresh_db, scale_url, monkeypatch):
    """The members' search text follows every column it is made of."""
    monkeypatch.setattr(query, "MEMBERS_PER_MATCH", 10**9)
    client = make_client(scale_url)

    def matched(q: str) -> int:
        collection = _clusters(client, bbox=GERMANY, zoom=5, q=q)
        _assert_adds_up(client, collection, q=q)
        return collection["numberMatched"]

    assert matched("Zauberflöte") == matched("Wendeltreppe") == 0
    renamed, described = [r[0] for r in sql(
        pg, fresh_db, "SELECT id FROM places WHERE status = 'published' AND geom IS NOT NULL "
                      "ORDER BY id LIMIT 2")]
    sql(pg, fresh_db, "UPDATE places SET name = 'Musikschule Zauberflöte' WHERE id = %s",
        (renamed,))
    sql(pg, fresh_db, "UPDATE places SET street = 'An der Wendeltreppe 3' WHERE id = %s",
        (described,))
    assert (matched("Zauberflöte"), matched("Wendeltreppe")) == (1, 1)
    sql(pg, fresh_db, "UPDATE places SET name = 'Musikschule' WHERE id = %s", (renamed,))
    assert matched("Zauberflöte") == 0


def test_a_whole_country_at_street_zoom_stays_bounded(make_client, scale_url):
    client = make_client(scale_url)
    response = client.get("/api/clusters", params={"bbox": "-180,-85,180,85", "zoom": 16})
    assert response.status_code == 200
    collection = response.json()
    assert collection["zoom"] < 16
    assert collection["numberReturned"] <= 1024
    assert len(response.content) < 200_000
    assert collection["numberMatched"] == _clusters(client, bbox=GERMANY, zoom=3)["numberMatched"]


def test_a_dense_view_finer_than_the_aggregates_gets_the_finest_aggregated_cells(
        make_client, scale_url):
    # The synthetic data's densest town, seen closer than the finest aggregates (zoom 12).
    dense = make_client(scale_url, cluster_live_max_places=2)
    sparse = make_client(scale_url, cluster_live_max_places=1_000_000)
    box = "13.3,52.45,13.5,52.55"  # central Berlin
    for params in ({}, {"category": "kita"}):
        counted = _clusters(dense, bbox=box, zoom=15, **params)
        assert counted["zoom"] == 12 and counted["numberMatched"] > 2
        _assert_adds_up(dense, counted, **params)
        one_by_one = _clusters(sparse, bbox=box, zoom=15, **params)
        assert one_by_one["zoom"] > 12
        _assert_adds_up(sparse, one_by_one, **params)
    # A filter the aggregates cannot answer is always counted place by place.
    assert _clusters(dense, bbox=box, zoom=15, q="Kita")["zoom"] > 12


@pytest.mark.parametrize("params, mentions", [
    ({"zoom": 5}, "bbox"),
    ({"bbox": GERMANY}, "zoom"),
    ({"bbox": GERMANY, "zoom": 30}, "zoom"),
    ({"bbox": GERMANY, "zoom": 5, "category": "gibtsnicht"}, "category"),
    ({"bbox": GERMANY, "zoom": 5, "zom": 5}, "zom"),
])
def test_clusters_reject_what_makes_no_sense(client, params, mentions):
    response = client.get("/api/clusters", params=params)
    assert response.status_code == 422
    assert mentions in response.text


def test_a_count_is_exact_from_the_aggregates_or_bounded_by_the_page(make_client, scale_url):
    client = make_client(scale_url)

    def answer(**params):
        return client.get("/api/places", params={**params, "properties": ""}).json()

    # The whole directory, categories and target groups: exact however small the page.
    for params in ({}, {"category": "kita"}, {"target_group": "kinder"},
                   {"target_group": ["kinder", "familien"], "category": "kita"}):
        truth = answer(**params, limit=10000)["numberReturned"]
        assert truth > 1000
        assert answer(**params, limit=1)["numberMatched"] == truth
    # Any other filter is counted as far as the page reaches (8 matches per place, at least
    # 1,000): beyond that the total is left out and the answer links to the next page.
    german = {"language": "de"}
    truth = answer(**german, limit=10000)["numberReturned"]
    assert 1000 < truth < 8 * 1000
    small = answer(**german, limit=100)
    assert "numberMatched" not in small
    assert any(link["rel"] == "next" for link in small["links"])
    assert answer(**german, limit=1000)["numberMatched"] == truth


def test_a_search_counted_past_its_rank_limit_has_a_total_only_where_the_page_counts_it(
        make_client, scale_url):
    # Counted past the rank limit, a search has more matches than a page of 1 counts (1,000),
    # and no total; a page large enough to count them all has its exact total.
    client = make_client(scale_url, search_rank_limit=1000)
    truth = client.get("/api/places", params={"q": "straße", "limit": 10000,
                                              "properties": ""}).json()["numberReturned"]
    assert 1000 < truth
    first = client.get("/api/places", params={"q": "straße", "limit": 1}).json()
    assert "numberMatched" not in first and first["numberReturned"] == 1
    assert [link["rel"] for link in first["links"]] == ["self", "next"]
    counted = client.get("/api/places", params={"q": "straße", "limit": truth // 8 + 1,
                                                "properties": ""}).json()
    assert counted["numberMatched"] == truth


def test_a_ranked_search_keeps_the_total_it_counted_to_rank(make_client, scale_url):
    # A search is counted first, up to the rank limit, to decide its order: that count is its
    # total, even where a count of its own would stop at the page's share (1,000 here).
    client = make_client(scale_url, search_rank_limit=2500)
    truth = client.get("/api/places", params={"q": "straße", "limit": 10000,
                                              "properties": ""}).json()["numberReturned"]
    assert 1000 < truth <= 2500
    first = client.get("/api/places", params={"q": "straße", "limit": 1}).json()
    assert first["numberMatched"] == truth
