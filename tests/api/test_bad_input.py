"""Input that makes no sense gets a 422 (or 404) that says why: never a 500, never ignored."""

import pytest


@pytest.mark.parametrize("params, parameter, words", [
    ({"bbox": "1,2,3"}, "bbox", "4 numbers"),
    ({"bbox": "a,b,c,d"}, "bbox", "not a number"),
    ({"bbox": "9,50,10,200"}, "bbox", "latitude"),
    ({"bbox": "9,50,190,51"}, "bbox", "longitude"),
    ({"bbox": "10,50,9,51"}, "bbox", "minLon"),
    ({"bbox": "9,50,10,nan"}, "bbox", "finite"),
    ({"near": "9.6,200"}, "near", "latitude"),
    ({"near": "-181,50"}, "near", "longitude"),
    ({"near": "9.6"}, "near", "2 numbers"),
    ({"near": "9.6,50.5", "radius": "-5"}, "radius", "positive"),
    ({"near": "9.6,50.5", "radius": "1e12"}, "radius", "at most"),
    ({"near": "9.6,50.5", "radius": "far"}, "radius", "number"),
    ({"radius": "500"}, "radius", "near"),
    ({"category": "schwimmbad"}, "category", "unknown category"),
    ({"limit": "1000000000"}, "limit", "between"),
    ({"limit": "0"}, "limit", "between"),
    ({"limit": "ten"}, "limit", "integer"),
    ({"offset": "-1"}, "offset", "greater than or equal"),
    ({"lang": "xx"}, "lang", "choose one of"),
    ({"target_group": "astronauts"}, "target_group", "unknown target group"),
    ({"categroy": "kita"}, "categroy", "unknown parameter"),
    ({"q": "   "}, "q", "letter"),
])
def test_places_422(client, params, parameter, words):
    response = client.get("/api/places", params=params)
    assert response.status_code == 422, response.text
    body = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert body["errors"][0]["parameter"] == parameter
    assert words.lower() in body["detail"].lower()


@pytest.mark.parametrize("path, status", [
    ("/api/places/0", 422),
    ("/api/places/abc", 422),
    ("/api/places/99999999999999", 422),
    ("/api/places/424242", 404),
    ("/api/categories?categroy=x", 422),
    ("/api/categories?near=1,2&radius=-1", 422),
])
def test_other_endpoints(client, path, status):
    response = client.get(path)
    assert response.status_code == status, response.text
    assert response.json()["detail"]
