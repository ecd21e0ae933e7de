"""Real OGC clients read the service from a real server: GDAL's OAPIF driver (through pyogrio,
as QGIS does through GDAL) and OWSLib."""

from __future__ import annotations

from pathlib import Path

import pyogrio.raw
import pytest
import shapely
from owslib.ogcapi.features import Features

from tests.conftest import sql


@pytest.fixture(scope="module")
def published(pg, demo_db) -> dict[int, tuple[str, str | None, float, float]]:
    rows = sql(pg, demo_db, "SELECT id, name, city, ST_X(geom), ST_Y(geom) FROM places "
                            "WHERE status = 'published'")
    return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}


def _item_requests(server) -> int:
    return Path(server.log.name).read_text().count('"path":"/ogc/collections/lernorte/items"')


def test_gdal_reads_every_published_place_page_by_page(live_server, published):
    assert len(published) == 87
    info = pyogrio.read_info(f"OAPIF:{live_server.url}/ogc", layer="lernorte")
    assert info["features"] in (87, -1)
    requests_before = _item_requests(live_server)
    meta, fids, geometry, fields = pyogrio.raw.read(
        f"OAPIF:{live_server.url}/ogc", layer="lernorte", return_fids=True, PAGE_SIZE="10")
    assert _item_requests(live_server) - requests_before >= 9  # it followed the next links
    columns = dict(zip(meta["fields"], fields))
    ids = [int(i) for i in columns["id"]] if "id" in columns else [int(f) for f in fids]
    assert sorted(ids) == sorted(published)
    points = shapely.from_wkb(geometry)
    for place_id, name, city, point in zip(ids, columns["name"], columns["city"], points):
        expected = published[place_id]
        assert (name, city) == expected[:2]
        assert point.x == pytest.approx(expected[2], abs=1e-7)
        assert point.y == pytest.approx(expected[3], abs=1e-7)


def test_gdal_lists_a_layer_per_stage_and_filters_by_stage(live_server, pg, demo_db):
    layers = {name for name, _ in pyogrio.list_layers(f"OAPIF:{live_server.url}/ogc")}
    assert {"lernorte", "fruehkindlich", "schule", "beruf", "hochschule", "weiterbildung",
            "kultur", "beratung"} <= layers
    _, fids, _, _ = pyogrio.raw.read(f"OAPIF:{live_server.url}/ogc", layer="schule",
                                     return_fids=True)
    assert len(fids) == 87  # the demo data are schools
    _, fids, _, _ = pyogrio.raw.read(f"OAPIF:{live_server.url}/ogc", layer="hochschule",
                                     return_fids=True)
    assert len(fids) == 0


def test_owslib_pages_through_all_items_with_the_right_attributes(live_server, published):
    service = Features(f"{live_server.url}/ogc")
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in \
        service.conformance()["conformsTo"]
    assert {c["id"] for c in service.collections()["collections"]} >= {"lernorte", "schule"}
    seen: list[int] = []
    offset = 0
    while True:
        page = service.collection_items("lernorte", limit=25, offset=offset)
        assert page["numberMatched"] == 87
        for feature in page["features"]:
            seen.append(feature["id"])
            name, city, lon, lat = published[feature["id"]]
            assert feature["properties"]["name"] == name
            assert feature["properties"]["city"] == city
            assert feature["geometry"]["coordinates"] == pytest.approx([lon, lat], abs=1e-7)
        if not any(link["rel"] == "next" for link in page["links"]):
            break
        offset += 25
    assert sorted(seen) == sorted(published)

    one = service.collection_item("lernorte", str(seen[0]))
    assert one["properties"]["name"] == published[seen[0]][0]
