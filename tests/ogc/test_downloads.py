"""Open-data downloads: the whole published dataset as GeoJSON and CSV at stable URLs, with
licence and attribution, and a description page with DCAT-AP.de JSON-LD."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from tests.conftest import sql


@pytest.fixture(scope="module")
def published(pg, demo_db) -> dict[int, tuple[str, float, float]]:
    rows = sql(pg, demo_db, "SELECT id, name, ST_X(geom), ST_Y(geom) FROM places "
                            "WHERE status = 'published'")
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def test_geojson_download_holds_every_published_place_with_licence_and_attribution(
        client, published):
    response = client.get("/downloads/lernorte.geojson")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    assert 'filename="lernorte.geojson"' in response.headers["content-disposition"]
    assert 'rel="license"' in response.headers["link"]
    data = response.json()
    assert data["type"] == "FeatureCollection"
    assert data["license"]["href"] == "https://opendatacommons.org/licenses/odbl/1-0/"
    assert "OpenStreetMap" in data["attribution"] and "CC0" in data["attribution"]
    assert len(data["features"]) == 87
    for feature in data["features"]:
        name, lon, lat = published[feature["id"]]
        assert feature["properties"]["name"] == name
        assert feature["geometry"]["coordinates"] == pytest.approx([lon, lat], abs=1e-7)


def test_csv_download_has_one_row_per_place_with_coordinates(client, published):
    response = client.get("/downloads/lernorte.csv")
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="lernorte.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 87
    for row in rows:
        name, lon, lat = published[int(row["id"])]
        assert row["name"] == name
        assert (float(row["lon"]), float(row["lat"])) == pytest.approx((lon, lat), abs=1e-7)
        assert row["url"].startswith("http://testserver/orte/")
    assert any(";" in row["categories"] for row in rows)  # Grund- und Hauptschulen


def test_csv_cells_cannot_become_spreadsheet_formulas(make_client, pg, fresh_db, fresh_url):
    sql(pg, fresh_db, "UPDATE places SET name = '=HYPERLINK(\"http://evil\")' WHERE id = "
                      "(SELECT min(id) FROM places WHERE status = 'published')")
    rows = list(csv.DictReader(io.StringIO(make_client(fresh_url).get("/downloads/lernorte.csv").text)))
    assert any(row["name"] == "'=HYPERLINK(\"http://evil\")" for row in rows)


def test_the_description_page_states_count_update_licence_and_dcat_metadata(client, pg, demo_db):
    response = client.get("/downloads")
    assert response.status_code == 200
    html = response.text
    assert re.search(r"<dd>\s*87\s*</dd>", html)
    assert 'href="https://opendatacommons.org/licenses/odbl/1-0/"' in html
    changed_at = sql(pg, demo_db, "SELECT changed_at FROM data_version")[0][0]
    assert f'datetime="{changed_at.isoformat()}"' in html

    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    dataset = json.loads(block.group(1))
    assert dataset["@type"] == "dcat:Dataset"
    assert dataset["dct:license"]["@id"] == "http://dcat-ap.de/def/licenses/odbl"
    assert dataset["dct:modified"]["@value"] == changed_at.isoformat()
    assert dataset == client.get("/downloads/lernorte.jsonld").json()
    for distribution in dataset["dcat:distribution"]:
        url = distribution["dcat:accessURL"]["@id"]
        assert client.get(url).status_code == 200, url


def test_downloads_are_cached_until_the_data_change(make_client, pg, fresh_db, fresh_url):
    client = make_client(fresh_url)
    first = client.get("/downloads/lernorte.geojson")
    assert client.get("/downloads/lernorte.geojson",
                      headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    sql(pg, fresh_db, "UPDATE places SET status = 'archived' WHERE id = "
                      "(SELECT min(id) FROM places WHERE status = 'published')")
    after = client.get("/downloads/lernorte.geojson",
                       headers={"If-None-Match": first.headers["etag"]})
    assert after.status_code == 200
    assert len(after.json()["features"]) == 86
    assert re.search(r"<dd>\s*86\s*</dd>", client.get("/downloads").text)


def test_unknown_parameters_are_refused_and_the_language_switch_works(client):
    assert client.get("/downloads/lernorte.csv?format=xls").status_code == 422
    assert client.get("/downloads?lang=en").status_code == 200
