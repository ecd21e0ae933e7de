"""The public API over the real Fulda schools: every filter, alone and combined."""

import pytest
from pyproj import Geod

FULDA_DOM = (9.6716, 50.5547)  # Fulda cathedral


def names(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [f["properties"]["name"] for f in response.json()["features"]]


def test_collection_is_geojson_with_only_published_places(client):
    response = client.get("/api/places", params={"limit": 1000})
    assert response.headers["content-type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert body["numberMatched"] == body["numberReturned"] == 87
    assert all(f["geometry"]["type"] == "Point" for f in body["features"])
    # The five schools Nominatim could not find are drafts, not on the public map.
    assert "Comeniusschule" not in {f["properties"]["name"] for f in body["features"]}
    assert {f["properties"]["status"] for f in body["features"]} == {"published"}


def test_feature_has_what_a_list_entry_needs(client):
    body = client.get("/api/places", params={"q": "Uttrichshausen"}).json()
    [feature] = body["features"]
    props = feature["properties"]
    assert feature["geometry"]["coordinates"] == [9.7281305, 50.4114654]
    assert props["category"] == "grundschule"
    assert props["category_name"] == "Grundschule"
    assert props["stage"] == "schule"
    assert props["address"] == "Schulstraße 1, 36148 Kalbach"
    assert props["url"] == f"/orte/{feature['id']}"


def test_properties_selects_what_is_answered(client):
    full = client.get("/api/places", params={"near": "9.6716,50.5547", "limit": 5}).json()
    slim = client.get("/api/places", params={"near": "9.6716,50.5547", "limit": 5,
                                             "properties": "name, address,distance_m,stage"})
    assert slim.status_code == 200, slim.text
    slim = slim.json()
    assert slim["numberMatched"] == full["numberMatched"]
    assert [f["id"] for f in slim["features"]] == [f["id"] for f in full["features"]]
    for small, big in zip(slim["features"], full["features"], strict=True):
        assert small["geometry"] == big["geometry"]
        assert small["properties"] == {key: big["properties"][key]
                                       for key in ("name", "address", "distance_m", "stage")}
    # Without any category property the category joins are left out: still the same places.
    bare = client.get("/api/places", params={"near": "9.6716,50.5547", "limit": 5,
                                             "properties": ""}).json()
    assert [f["properties"] for f in bare["features"]] == [{}] * 5
    assert [f["id"] for f in bare["features"]] == [f["id"] for f in full["features"]]


def test_properties_may_be_repeated(client):
    both = client.get("/api/places", params=[("properties", "name"), ("properties", "url"),
                                             ("limit", 1)]).json()
    assert set(both["features"][0]["properties"]) == {"name", "url"}


def test_unknown_property_is_refused_with_the_valid_ones(client):
    response = client.get("/api/places", params={"properties": "name,secret"})
    assert response.status_code == 422
    assert "secret" in response.text and "category_name" in response.text


def test_single_place_and_404(client):
    first = client.get("/api/places", params={"limit": 1}).json()["features"][0]
    response = client.get(f"/api/places/{first['id']}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    assert response.json()["properties"]["name"] == first["properties"]["name"]
    missing = client.get("/api/places/999999")
    assert missing.status_code == 404
    assert "999999" in missing.json()["detail"]


def test_drafts_are_404_by_id(client, pg, demo_db):
    from tests.conftest import sql
    [(draft_id,)] = sql(pg, demo_db, "SELECT id FROM places WHERE source_id = 'HE-7655'")
    assert client.get(f"/api/places/{draft_id}").status_code == 404


def test_category_filter_and_multi_category_school(client):
    grund = names(client.get("/api/places", params={"category": "grundschule", "limit": 1000}))
    weiter = names(client.get("/api/places", params={"category": "weiterfuehrende-schule",
                                                      "limit": 1000}))
    both = names(client.get("/api/places", params=[("category", "grundschule"),
                                                    ("category", "weiterfuehrende-schule"),
                                                    ("limit", "1000")]))
    # A "Grund- und Hauptschule" is in both categories; "any of them" counts it once.
    assert set(grund) & set(weiter)
    assert set(both) == set(grund) | set(weiter)
    assert len(both) == len(set(both))


def test_stage_slug_matches_all_its_categories(client):
    stage = names(client.get("/api/places", params={"category": "schule", "limit": 1000}))
    assert len(stage) == 87
    assert names(client.get("/api/places", params={"category": "kultur"})) == []


def test_categories_count_published_places(client):
    body = client.get("/api/categories").json()
    stages = {s["slug"]: s for s in body["stages"]}
    assert list(stages) == ["fruehkindlich", "schule", "beruf", "hochschule", "weiterbildung",
                            "kultur", "beratung"]
    assert body["total"] == 87
    assert stages["schule"]["count"] == 87
    cats = {c["slug"]: c for s in body["stages"] for c in s["categories"]}
    assert len(cats) == 20
    grund = len(names(client.get("/api/places", params={"category": "grundschule", "limit": 1000})))
    assert cats["grundschule"]["count"] == grund
    assert cats["kita"]["count"] == 0


def test_categories_are_translated(client):
    body = client.get("/api/categories", params={"lang": "en"}).json()
    assert body["stages"][1]["name"] == "School"
    feature = client.get("/api/places", params={"lang": "uk", "limit": 1}).json()["features"][0]
    assert feature["properties"]["stage_name"] == "Школа"


@pytest.mark.parametrize("query, expected", [
    ("uttrichhausen", "Grundschule Uttrichshausen"),  # a letter missing
    ("Wuestensachsen", "Grundschule Wüstensachsen"),  # umlaut spelt out
    ("wustensachsen", "Grundschule Wüstensachsen"),  # umlaut dropped
    ("LÜDERTALSCHULE", "Lüdertalschule"),  # case
    ("Rabanusstrasse", "Private Realschule Herrmann"),  # address, ß spelt out
])
def test_search_is_forgiving(client, query, expected):
    assert expected in names(client.get("/api/places", params={"q": query}))


def test_search_needs_every_word(client):
    found = names(client.get("/api/places", params={"q": "grundschule kalbach", "limit": 100}))
    assert "Grundschule Uttrichshausen" in found
    assert all("Gymnasium" not in n for n in found)


def test_bbox_filter(client):
    fulda_city = (9.62, 50.52, 9.72, 50.58)
    body = client.get("/api/places", params={"bbox": ",".join(map(str, fulda_city)),
                                             "limit": 1000}).json()
    assert 0 < body["numberReturned"] < 87
    for f in body["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert fulda_city[0] <= lon <= fulda_city[2] and fulda_city[1] <= lat <= fulda_city[3]


def test_near_is_ordered_by_geodesic_distance(client):
    body = client.get("/api/places", params={"near": "%f,%f" % FULDA_DOM, "radius": 5000,
                                             "limit": 1000}).json()
    features = body["features"]
    assert len(features) > 10
    geod = Geod(ellps="WGS84")
    reported = [f["properties"]["distance_m"] for f in features]
    assert reported == sorted(reported)
    for f, distance in zip(features, reported):
        lon, lat = f["geometry"]["coordinates"]
        _, _, expected = geod.inv(FULDA_DOM[0], FULDA_DOM[1], lon, lat)
        assert distance <= 5000
        assert abs(distance - expected) <= max(0.005 * expected, 0.1)
    everything = client.get("/api/places", params={"near": "%f,%f" % FULDA_DOM,
                                                   "limit": 1000}).json()["features"]
    outside = [f for f in everything if f["properties"]["distance_m"] > 5000]
    assert len(outside) + len(features) == 87


def test_filters_combine(client):
    params = {"near": "%f,%f" % FULDA_DOM, "radius": 20000, "category": "foerderschule",
              "q": "schule", "bbox": "9.5,50.4,9.9,50.7", "limit": 1000}
    combined = client.get("/api/places", params=params).json()["features"]
    foerder = {f["id"] for f in client.get("/api/places", params={
        "category": "foerderschule", "limit": 1000}).json()["features"]}
    assert combined and {f["id"] for f in combined} <= foerder
    assert all(f["properties"]["distance_m"] <= 20000 for f in combined)


def test_paging_returns_every_place_once(client):
    seen: list[int] = []
    url = "/api/places?limit=10"
    while url:
        body = client.get(url).json()
        assert body["numberMatched"] == 87
        seen += [f["id"] for f in body["features"]]
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
    assert len(seen) == 87 == len(set(seen))


def test_target_group_and_municipality_filters(client):
    inclusive = names(client.get("/api/places", params={"target_group": "menschen-mit-behinderung",
                                                         "limit": 1000}))
    foerder = names(client.get("/api/places", params={"category": "foerderschule", "limit": 1000}))
    assert set(inclusive) == set(foerder)
    by_name = client.get("/api/places", params={"municipality": "Hünfeld", "limit": 1000}).json()
    by_ags = client.get("/api/places", params={"municipality": "06631015", "limit": 1000}).json()
    assert by_name["numberMatched"] == by_ags["numberMatched"] == 8
    district = client.get("/api/places", params={"municipality": "06631", "limit": 1}).json()
    assert district["numberMatched"] == 87


def test_openapi_declares_geojson(client):
    schema = client.get("/openapi.json").json()
    responses = schema["paths"]["/api/places"]["get"]["responses"]
    assert "application/geo+json" in responses["200"]["content"]


def test_a_radius_is_counted_only_as_far_as_the_page_reaches(client):
    # Counting every place in a big radius costs more than the nearest page: beyond four places
    # per place on the page the total is left out and the next link says "more".
    near = {"near": "%f,%f" % FULDA_DOM, "radius": 30000}
    within = client.get("/api/places", params={**near, "limit": 1000}).json()
    assert within["numberReturned"] > 40
    small = client.get("/api/places", params={**near, "limit": 5}).json()
    assert "numberMatched" not in small and small["numberReturned"] == 5
    assert any(link["rel"] == "next" for link in small["links"])
    wide = client.get("/api/places", params={**near, "limit": 25}).json()
    assert wide["numberMatched"] == within["numberReturned"]


def test_the_last_page_knows_the_total_even_beyond_the_exact_count(make_client, demo_url):
    client = make_client(demo_url, max_exact_count=10)
    # All 87 places lie in the district 06631; a municipality is counted, not aggregated.
    district = {"municipality": "06631"}
    first = client.get("/api/places", params={**district, "limit": 50}).json()
    assert "numberMatched" not in first
    last = client.get("/api/places", params={**district, "limit": 50, "offset": 50}).json()
    assert last["numberReturned"] == 37 and last["numberMatched"] == 87
    past = client.get("/api/places", params={**district, "limit": 50, "offset": 100}).json()
    assert past["numberReturned"] == 0 and "numberMatched" not in past


def test_the_whole_directory_and_categories_have_exact_totals_beyond_the_exact_count(
        make_client, demo_url):
    # From the cluster aggregates: exact at any size without counting.
    client = make_client(demo_url, max_exact_count=10)
    assert client.get("/api/places", params={"limit": 1}).json()["numberMatched"] == 87
    every = client.get("/api/places", params={"category": "grundschule", "limit": 1000}).json()
    assert every["numberReturned"] > 10
    first = client.get("/api/places", params={"category": "grundschule", "limit": 1}).json()
    assert first["numberMatched"] == every["numberReturned"]


def test_every_ags_prefix_selects_exactly_the_places_whose_key_starts_with_it(client):
    # The prefix is read as a range of the index (06619 → up to 0662): prefixes ending in 9, the
    # full key and prefixes of nothing must all select what "starts with" means.
    places = client.get("/api/places", params={"limit": 1000, "properties": "ags"}).json()
    keys = [f["properties"]["ags"] for f in places["features"]]
    prefixes = {key[:n] for key in keys for n in range(1, len(key) + 1)} | {"9", "0699", "06632"}
    assert any(p.endswith("9") for p in prefixes if any(k.startswith(p) for k in keys))
    for prefix in sorted(prefixes):
        answer = client.get("/api/places", params={"municipality": prefix, "limit": 1000,
                                                   "properties": ""}).json()
        assert answer["numberMatched"] == sum(k.startswith(prefix) for k in keys), prefix
