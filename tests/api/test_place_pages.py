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


def test_near_pages_hold_places_that_share_one_point_in_id_order(pg, fresh_db, fresh_url,
                                                                make_client):
    # Fifty places geocoded to one point (a town's centre, as a failed address lookup leaves
    # them): more than a page of five counts (twenty), so the page cannot be taken from the
    # places collected for the count; ties are ordered by id. The places with the lower ids
    # moved there last, so the spatial index holds them after the others.
    for point in ("9.80, 50.70", "9.70, 50.60"):
        sql(pg, fresh_db, f"""
            INSERT INTO places (name, status, geom)
            SELECT 'Gleicher Punkt ' || n, 'published', ST_SetSRID(ST_MakePoint({point}), 4326)
            FROM generate_series(1, 25) n""")
    sql(pg, fresh_db, """UPDATE places SET geom = ST_SetSRID(ST_MakePoint(9.70, 50.60), 4326)
                         WHERE ST_X(geom) = 9.80""")
    client = make_client(fresh_url)
    near = {"near": "9.70,50.60", "radius": 100}
    whole = client.get("/api/places", params={**near, "limit": 1000}).json()
    ids = [f["id"] for f in whole["features"]]
    assert whole["numberMatched"] == 50 and ids == sorted(ids)
    first = client.get("/api/places", params={**near, "limit": 5}).json()
    assert "numberMatched" not in first and [f["id"] for f in first["features"]] == ids[:5]
    assert [f["id"] for f in _pages(client, near, limit=5)] == ids


def test_near_pages_within_the_view_keep_to_the_part_of_the_radius_in_it(client):
    # The map's list near a point asks with its view. A view around the whole radius lists
    # what the radius alone lists; a view over part of it only the places in that part.
    near = {"near": "9.6716,50.5547", "radius": "8000", "limit": 1000}
    alone = client.get("/api/places", params=near).json()
    around = client.get("/api/places", params={**near, "bbox": "9.5,50.45,9.85,50.66"}).json()
    assert around["features"] == alone["features"] and around["numberMatched"] == alone["numberMatched"]
    east = client.get("/api/places", params={**near, "bbox": "9.6716,50.45,9.85,50.66"}).json()
    lons = [f["geometry"]["coordinates"][0] for f in east["features"]]
    assert lons and min(lons) >= 9.6716
    assert 0 < east["numberMatched"] < alone["numberMatched"]
    assert [f["id"] for f in east["features"]] == [
        f["id"] for f in alone["features"] if f["geometry"]["coordinates"][0] >= 9.6716]
