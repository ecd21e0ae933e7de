"""GET /api/gazetteer against the demo data, its freshness, its errors and the optional geocoder."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from app import gazetteer
from tests.pages.factories import add_place


def results(client, q: str, **params) -> list[dict]:
    response = client.get("/api/gazetteer", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return response.json()["results"]


def test_postcode_gives_centre_and_box_of_its_places(client):
    [hit] = results(client, "36037")
    assert hit["label"] == "36037 Fulda" and hit["kind"] == "postcode"
    w, s, e, n = hit["bbox"]
    assert w <= hit["lon"] <= e and s <= hit["lat"] <= n
    assert 9.6 < hit["lon"] < 9.8 and 50.5 < hit["lat"] < 50.6
    # The centre is where the places with that postcode are.
    places = client.get("/api/places", params={"q": "36037", "limit": 100}).json()["features"]
    mine = [f["geometry"]["coordinates"] for f in places
            if f["properties"]["postcode"] == "36037"]
    assert hit["lon"] == pytest.approx(sum(c[0] for c in mine) / len(mine), abs=1e-5)


@pytest.mark.parametrize("query", ["Hünfeld", "huenfeld", "Huenfeld"])
def test_town_names_are_umlaut_insensitive(client, query):
    hits = results(client, query)
    assert hits[0]["label"] == "Hünfeld" and hits[0]["kind"] == "town"


def test_prefixes_of_postcodes_and_towns(client):
    assert results(client, "Fuld")[0]["label"] == "Fulda"
    labels = [h["label"] for h in results(client, "360")]
    assert {"36037 Fulda", "36039 Fulda", "36041 Fulda", "36043 Fulda", "36088 Hünfeld"} <= \
        set(labels)
    assert len(results(client, "3", limit=3)) == 3


def test_only_published_places_make_the_gazetteer(client):
    # Gersfeld's schools are drafts without a location in the demo data.
    assert results(client, "Gersfeld") == []


def test_a_new_place_is_findable_at_once(pg, fresh_db, fresh_url, make_client):
    client = make_client(fresh_url)
    assert results(client, "Wüstensachsen") == []
    add_place(pg, fresh_db, city="Wüstensachsen", postcode="36115", lon=9.99, lat=50.50)
    [hit] = results(client, "wuestensachsen")
    assert hit["label"] == "Wüstensachsen"
    assert (hit["lon"], hit["lat"]) == (9.99, 50.5)


def test_address_searches_during_a_rebuild_wait_for_that_one(pg, fresh_db, fresh_url, make_client,
                                                             monkeypatch):
    # Over a million places the gazetteer takes over a second to build; the searches that
    # arrive meanwhile must not each start the same build.
    client = make_client(fresh_url)
    assert results(client, "Fulda")
    add_place(pg, fresh_db, city="Wüstensachsen", postcode="36115", lon=9.99, lat=50.50)
    builds = []
    address_groups = gazetteer._address_groups

    async def slow_address_groups(conn):
        builds.append(1)
        await asyncio.sleep(0.5)
        return await address_groups(conn)
    monkeypatch.setattr(gazetteer, "_address_groups", slow_address_groups)

    with ThreadPoolExecutor(4) as pool:
        found = list(pool.map(lambda q: results(client, q), ["Wüstensachsen", "Hünfeld", "Fulda",
                                                             "Wuestensachsen"]))
    assert len(builds) == 1
    assert [hits[0]["label"] for hits in found] == ["Wüstensachsen", "Hünfeld", "Fulda",
                                                    "Wüstensachsen"]


def test_over_a_large_directory_a_search_does_not_wait_for_the_rebuild(
        pg, fresh_db, fresh_url, make_client, monkeypatch):
    # A million places take 1.3-1.6 s to build; where edits come every few seconds, nearly
    # every address search waited for a build. The last gazetteer answers meanwhile.
    monkeypatch.setattr(gazetteer.GAZETTEER, "wait_s", 0.0)  # every build counts as slow
    client = make_client(fresh_url)
    assert results(client, "Fulda")  # the first build is waited for: there is none before it
    add_place(pg, fresh_db, city="Wüstensachsen", postcode="36115", lon=9.99, lat=50.50)
    address_groups = gazetteer._address_groups

    async def slow_address_groups(conn):
        await asyncio.sleep(1.0)
        return await address_groups(conn)
    monkeypatch.setattr(gazetteer, "_address_groups", slow_address_groups)

    started = time.perf_counter()
    before = client.get("/api/gazetteer", params={"q": "Wüstensachsen"})
    assert before.json()["results"] == []  # the gazetteer of before, at once
    assert results(client, "Fulda")
    assert time.perf_counter() - started < 0.8
    # Not to be kept: revalidated, it would stay "current" until the next edit.
    assert before.headers["cache-control"] == "no-store" and "etag" not in before.headers
    for _ in range(50):  # a build later, the new town is there
        if results(client, "Wüstensachsen"):
            break
        time.sleep(0.1)
    after = client.get("/api/gazetteer", params={"q": "Wüstensachsen"})
    assert [hit["label"] for hit in after.json()["results"]] == ["Wüstensachsen"]
    assert "etag" in after.headers


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "x" * 101}, {"q": "--"},
                                    {"q": "Fulda", "limit": "0"}, {"q": "Fulda", "limit": "500"},
                                    {"q": "Fulda", "limit": "zwei"}, {"q": "Fulda", "lmit": "2"}])
def test_bad_parameters_are_422_problems(client, params):
    response = client.get("/api/gazetteer", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"]


class _FakeNominatim(BaseHTTPRequestHandler):
    """A Nominatim-compatible /search that knows one place and records what it was asked."""

    asked: list[dict] = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        query = parse_qs(urlsplit(self.path).query)
        type(self).asked.append({"path": urlsplit(self.path).path, **query})
        body = [{"display_name": "Milseburg, Hofbieber", "lat": "50.4977",
                 "lon": "9.9376", "boundingbox": ["50.49", "50.51", "9.92", "9.95"]},
                {"display_name": "broken"}] if query["q"] == ["Milseburg"] else []
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def nominatim():
    _FakeNominatim.asked = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeNominatim)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _FakeNominatim.asked
    server.shutdown()
    server.server_close()


def test_geocoder_is_asked_only_when_configured_and_the_gazetteer_has_nothing(
        make_client, demo_url, nominatim):
    url, asked = nominatim
    client = make_client(demo_url, geocoder_url=url)
    assert results(client, "Fulda")[0]["label"] == "Fulda"
    assert asked == []
    [hit] = results(client, "Milseburg")
    assert hit == {"label": "Milseburg, Hofbieber", "kind": "geocoder", "lon": 9.9376,
                   "lat": 50.4977, "bbox": [9.92, 50.49, 9.95, 50.51]}
    assert asked[0]["path"] == "/search" and asked[0]["q"] == ["Milseburg"]
    assert asked[0]["viewbox"] == ["9.4,50.85,10.15,50.3"]
    assert results(client, "Nirgendwo") == []


def test_without_a_geocoder_nothing_leaves_the_server(client, nominatim):
    _, asked = nominatim
    assert results(client, "Milseburg") == []
    assert asked == []


def test_an_unreachable_geocoder_means_no_results_not_an_error(make_client, demo_url):
    client = make_client(demo_url, geocoder_url="http://127.0.0.1:9")
    assert results(client, "Milseburg") == []
