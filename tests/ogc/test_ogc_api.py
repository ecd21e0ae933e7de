"""OGC API – Features Part 1 over the demo data: links, paging, filters and 400s."""

from __future__ import annotations

import pytest

from tests.conftest import sql

ITEMS = "/ogc/collections/lernorte/items"
DATA_TYPES = {"application/json", "application/geo+json", "text/html", "application/schema+json",
              "application/vnd.oai.openapi+json;version=3.0"}


def _media(response) -> str:
    return response.headers["content-type"].split(";")[0].strip() if "openapi" not in \
        response.headers["content-type"] else response.headers["content-type"].replace(" ", "")


def test_every_link_of_landing_conformance_and_collections_resolves_with_its_type(client):
    landing = client.get("/ogc").json()
    rels = {link["rel"] for link in landing["links"]}
    assert {"self", "alternate", "service-desc", "service-doc", "conformance", "data"} <= rels
    service_desc = next(link for link in landing["links"] if link["rel"] == "service-desc")
    assert service_desc["type"] == "application/vnd.oai.openapi+json;version=3.0"

    pages = [landing, client.get("/ogc/conformance").json(), client.get("/ogc/collections").json()]
    links = [link for page in pages for link in page["links"]]
    links += [link for c in pages[2]["collections"] for link in c["links"]]
    checked = 0
    for link in links:
        if link["type"] not in DATA_TYPES:
            continue
        response = client.get(link["href"])
        assert response.status_code == 200, link
        assert _media(response) == link["type"], link
        checked += 1
    assert checked >= 30


def test_the_openapi_document_is_version_3_0_and_describes_the_items_parameters(client):
    response = client.get("/ogc/api")
    assert response.headers["content-type"] == "application/vnd.oai.openapi+json;version=3.0"
    document = response.json()
    assert document["openapi"].startswith("3.0.")
    names = {p.get("name") or p["$ref"].rsplit("/", 1)[-1]
             for p in document["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]}
    assert {"bbox", "limit", "offset", "datetime", "city", "category", "f"} <= names
    html = client.get("/ogc/api?f=html")
    assert html.status_code == 200 and "/collections/{collectionId}/items" in html.text


def test_conformance_declares_core_geojson_html_and_openapi(client):
    conforms = client.get("/ogc/conformance").json()["conformsTo"]
    for part in ("core", "geojson", "html", "oas30"):
        assert f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{part}" in conforms


def test_collections_are_all_places_and_each_stage_with_extents_from_the_data(client, pg, demo_db):
    collections = {c["id"]: c for c in client.get("/ogc/collections").json()["collections"]}
    assert set(collections) == {"lernorte", "fruehkindlich", "schule", "beruf", "hochschule",
                                "weiterbildung", "kultur", "beratung"}
    x0, y0, x1, y1 = sql(pg, demo_db, "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
                                      "(SELECT ST_Extent(geom) e FROM places "
                                      "WHERE status = 'published') s")[0]
    bbox = collections["lernorte"]["extent"]["spatial"]["bbox"][0]
    assert bbox == pytest.approx([x0, y0, x1, y1])
    assert collections["lernorte"]["extent"]["spatial"]["crs"].endswith("/OGC/1.3/CRS84")
    assert collections["schule"]["extent"]["spatial"]["bbox"][0] == pytest.approx(bbox)
    assert "extent" not in collections["hochschule"]  # no universities in the demo data
    assert client.get("/ogc/collections/hochschule/items").json()["numberMatched"] == 0


def test_limit_offset_and_next_links_return_every_feature_exactly_once(client):
    first = client.get(ITEMS).json()
    assert first["numberReturned"] == 10 and first["numberMatched"] == 87
    assert first["timeStamp"].endswith("Z")
    seen, url, pages = [], ITEMS + "?limit=20", 0
    while url:
        page = client.get(url).json()
        seen += [f["id"] for f in page["features"]]
        assert page["numberReturned"] == len(page["features"])
        rels = {link["rel"]: link for link in page["links"]}
        assert rels["self"]["type"] == "application/geo+json"
        assert rels["alternate"]["type"] == "text/html"
        if pages:
            assert "prev" in rels
        url = rels["next"]["href"] if "next" in rels else None
        pages += 1
    assert pages == 5
    assert len(seen) == len(set(seen)) == 87
    assert client.get(ITEMS + "?limit=10000").json()["numberReturned"] == 87


def test_a_limit_above_the_maximum_pages_at_the_maximum(make_client, demo_url):
    client = make_client(demo_url, max_limit=30)
    page = client.get(ITEMS + "?limit=50000").json()
    assert page["numberReturned"] == 30
    next_link = next(link["href"] for link in page["links"] if link["rel"] == "next")
    assert "offset=30" in next_link
    assert client.get(ITEMS + "?offset=80&limit=5").json()["numberReturned"] == 5


@pytest.mark.parametrize("query", ["limit=unlimited", "limit=0", "limit=1e3", "bbox=1,2,3",
                                   "bbox=9,50,9.1", "offset=-1", "datetime=yesterday",
                                   "datetime=2026-01-01T00:00:00", "datetime=../..",
                                   "categroy=schule", "f=xml", "bbox-crs=EPSG:25832"])
def test_invalid_and_unknown_parameters_get_400(client, query):
    response = client.get(f"{ITEMS}?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"]


def test_unknown_parameters_get_400_on_every_resource_and_the_api_keeps_422(client):
    for url in ("/ogc?x=1", "/ogc/conformance?x=1", "/ogc/collections?x=1",
                "/ogc/collections/lernorte?x=1"):
        assert client.get(url).status_code == 400, url
    assert client.get("/api/places?categroy=schule").status_code == 422


def test_unknown_collections_and_features_are_404(client):
    assert client.get("/ogc/collections/nope").status_code == 404
    assert client.get("/ogc/collections/nope/items").status_code == 404
    assert client.get(f"{ITEMS}/999999").status_code == 404
    assert client.get(f"{ITEMS}/abc").status_code == 404
    first = client.get(ITEMS + "?limit=1").json()["features"][0]["id"]
    assert client.get(f"/ogc/collections/hochschule/items/{first}").status_code == 404


def test_a_feature_has_self_alternate_and_collection_links(client):
    place = client.get(ITEMS + "?limit=1").json()["features"][0]
    response = client.get(f"{ITEMS}/{place['id']}")
    assert response.headers["content-type"] == "application/geo+json"
    feature = response.json()
    assert feature["properties"]["name"] == place["properties"]["name"]
    rels = {link["rel"]: link["type"] for link in feature["links"]}
    assert rels == {"self": "application/geo+json", "alternate": "text/html",
                    "collection": "application/json"}


def test_bbox_datetime_and_property_filters_select_the_right_places(client, pg, demo_db):
    inside = sql(pg, demo_db, "SELECT count(*) FROM places WHERE status = 'published' AND "
                              "geom && ST_MakeEnvelope(9.62, 50.52, 9.72, 50.58, 4326)")[0][0]
    assert client.get(ITEMS + "?bbox=9.62,50.52,9.72,50.58").json()["numberMatched"] == inside
    assert client.get(ITEMS + "?bbox=9.62,50.52,0,9.72,50.58,100").json()["numberMatched"] == inside

    fulda = client.get(ITEMS + "?city=Fulda&limit=100").json()
    assert fulda["numberMatched"] == sql(pg, demo_db, "SELECT count(*) FROM places WHERE "
                                                      "status = 'published' AND city = 'Fulda'")[0][0]
    assert {f["properties"]["city"] for f in fulda["features"]} == {"Fulda"}
    both = client.get(ITEMS + "?city=Fulda&city=Hilders&limit=100").json()["numberMatched"]
    assert both > fulda["numberMatched"]
    grund = client.get(ITEMS + "?category=grundschule&city=Fulda&limit=100").json()
    assert 0 < grund["numberMatched"] < fulda["numberMatched"]
    assert all("grundschule" in f["properties"]["categories"] for f in grund["features"])

    assert client.get(ITEMS + "?datetime=2000-01-01T00:00:00Z/..").json()["numberMatched"] == 87
    assert client.get(ITEMS + "?datetime=../2000-01-01T00:00:00Z").json()["numberMatched"] == 0
    assert client.get(ITEMS + "?datetime=2000-01-01/2000-12-31").json()["numberMatched"] == 0


def test_datetime_finds_places_changed_in_an_interval(make_client, pg, fresh_db, fresh_url):
    sql(pg, fresh_db, "UPDATE places SET updated_at = '2020-05-17T10:00:00Z' WHERE id IN "
                      "(SELECT id FROM places WHERE status = 'published' ORDER BY id LIMIT 3)")
    client = make_client(fresh_url)
    assert client.get(ITEMS + "?datetime=2020-05-17").json()["numberMatched"] == 3
    assert client.get(ITEMS + "?datetime=2020-05-17T10:00:00Z").json()["numberMatched"] == 3
    assert client.get(ITEMS + "?datetime=2020-01-01T00:00:00Z/2020-12-31T00:00:00Z"
                      ).json()["numberMatched"] == 3
    assert client.get(ITEMS + "?datetime=2021-01-01T00:00:00Z/").json()["numberMatched"] == 84


def test_html_by_accept_or_f_with_escaped_text(make_client, pg, fresh_db, fresh_url):
    sql(pg, fresh_db, "UPDATE places SET name = '<script>alert(1)</script> Schule' WHERE id = "
                      "(SELECT min(id) FROM places WHERE status = 'published')")
    client = make_client(fresh_url)
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    for url in ("/ogc", "/ogc/collections", "/ogc/collections/schule", ITEMS + "?limit=100"):
        page = client.get(url, headers=browser)
        assert page.headers["content-type"].startswith("text/html"), url
        assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Schule" in client.get(ITEMS + "?limit=100&f=html").text
    assert client.get(ITEMS, headers={"Accept": "*/*"}).headers["content-type"] == "application/geo+json"
    assert client.get(ITEMS + "?f=json", headers=browser).headers["content-type"] == \
        "application/geo+json"


def test_extents_follow_an_edit_at_once(make_client, pg, fresh_db, fresh_url):
    client = make_client(fresh_url)
    before = client.get("/ogc/collections/lernorte").json()["extent"]["spatial"]["bbox"][0]
    assert "extent" not in client.get("/ogc/collections/kultur").json()
    sql(pg, fresh_db, "UPDATE places SET geom = ST_SetSRID(ST_MakePoint(10.5, 50.9), 4326) "
                      "WHERE id = (SELECT min(id) FROM places WHERE status = 'published')")
    sql(pg, fresh_db, "INSERT INTO place_categories (place_id, category_id, position) "
                      "SELECT min(p.id), (SELECT id FROM categories WHERE slug = 'bibliothek'), 5 "
                      "FROM places p WHERE p.status = 'published'")
    after = client.get("/ogc/collections/lernorte").json()["extent"]["spatial"]["bbox"][0]
    assert after[2:] == [10.5, 50.9] and after != before
    kultur = client.get("/ogc/collections/kultur").json()
    assert kultur["extent"]["spatial"]["bbox"][0] == [10.5, 50.9, 10.5, 50.9]


def test_the_openapi_document_is_valid_openapi_3_0(client):
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation import OpenAPIV30SpecValidator

    validate(client.get("/ogc/api").json(), cls=OpenAPIV30SpecValidator)


def test_every_queryable_is_a_working_filter(client):
    response = client.get("/ogc/collections/lernorte/queryables")
    assert response.headers["content-type"] == "application/schema+json"
    schema = response.json()
    assert schema["properties"]["wheelchair"]["enum"] == ["yes", "limited", "no", "unknown"]
    filters = [name for name, p in schema["properties"].items() if "x-ogc-role" not in p]
    assert {"name", "city", "postcode", "ags", "category", "wheelchair"} <= set(filters)
    fulda = client.get(ITEMS + "?limit=1").json()["features"][0]["properties"]
    for name in filters:
        value = {"category": fulda["category"], "target_group": "kinder",
                 "language": "de"}.get(name, fulda.get(name) or "x")
        response = client.get(ITEMS, params={name: value})
        assert response.status_code == 200, (name, response.text)
    assert client.get(ITEMS, params={"wheelchair": "unknown"}).json()["numberMatched"] == 87
    assert "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters" \
        in client.get("/ogc/conformance").json()["conformsTo"]
