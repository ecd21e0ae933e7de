"""Paging through /api/places: the map's viewport pages (bbox) and the list's pages (no bbox)."""

from tests.conftest import sql

FULDA_BOX = "9.40,50.30,10.15,50.85"


def _pages(client, params: dict, limit: int) -> list[dict]:
    seen, offset = [], 0
    while True:
        body = client.get("/api/places", params={**params, "limit": limit, "offset": offset}).json()
        seen += body["features"]
        if not any(link["rel"] == "next" for link in body["links"]):
            return seen
        offset += limit


def test_bbox_pages_give_every_place_once_in_id_order(client):
    everything = client.get("/api/places", params={"bbox": FULDA_BOX, "limit": 1000}).json()
    paged = _pages(client, {"bbox": FULDA_BOX}, limit=10)
    ids = [f["id"] for f in paged]
    assert ids == sorted(ids) == [f["id"] for f in everything["features"]]
    assert len(ids) == everything["numberMatched"] == 87


def test_pages_without_bbox_stay_in_name_order(client):
    names = [f["properties"]["name"] for f in _pages(client, {}, limit=20)]
    assert names == sorted(names) and len(names) == 87


def test_categories_list_the_primary_first_then_the_others_in_order(pg, fresh_db, fresh_url,
                                                                   make_client):
    # Slugs that sort before the primary one ('grundschule'), added in the opposite order.
    sql(pg, fresh_db, """
        INSERT INTO place_categories (place_id, category_id, position)
        SELECT p.id, c.id, CASE c.slug WHEN 'bibliothek' THEN 2 ELSE 1 END
        FROM places p, categories c
        WHERE p.name LIKE %s AND c.slug IN ('bibliothek', 'bildungsberatung')""", ("%Uttrichshausen%",))
    client = make_client(fresh_url)
    feature = client.get("/api/places", params={"q": "Uttrichshausen"}).json()["features"][0]
    assert feature["properties"]["category"] == "grundschule"
    assert feature["properties"]["stage"] == "schule"
    assert feature["properties"]["categories"] == ["grundschule", "bildungsberatung", "bibliothek"]


def test_near_pages_continue_where_the_last_ended(client):
    # Each page is cut from the nearest offset+limit candidates; together they must equal the
    # nearest places in one answer, and stay ordered by geodesic distance across pages.
    near = {"near": "9.6716,50.5547", "radius": 30000}
    whole = client.get("/api/places", params={**near, "limit": 1000}).json()["features"]
    paged = _pages(client, near, limit=7)
    assert [f["id"] for f in paged] == [f["id"] for f in whole]
    distances = [f["properties"]["distance_m"] for f in paged]
    assert distances == sorted(distances) and len(paged) > 30


def test_place_page_names_only_the_places_own_categories(client):
    feature = client.get("/api/places", params={"q": "Uttrichshausen"}).json()["features"][0]
    page = client.get(f"/orte/{feature['id']}").text
    assert "Grundschule" in page
    # Other schools in the demo data are weiterführende, Förder- and berufliche Schulen.
    assert "weiterführende Schule" not in page and "Förderschule" not in page
    assert "berufliche Schule" not in page
