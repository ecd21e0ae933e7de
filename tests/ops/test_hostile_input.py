"""The hostile corpus against every query parameter of the public API and against the importer."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.conftest import lernorte, sql
from tests.hostile import FORMULAS, HOSTILE, HOSTILE_BYTES, LONG, UNSAFE_URLS


def _public_get_operations(client) -> list[tuple[str, list[str]]]:
    """(path with ids filled in, query parameter names) of every public GET operation."""
    operations = []
    for path, item in client.get("/openapi.json").json()["paths"].items():
        get = item.get("get")
        if get is None or path.startswith("/api/admin"):
            continue
        params = get.get("parameters", [])
        names = [p["name"] for p in params if p["in"] == "query"]
        concrete = path
        for p in params:
            if p["in"] == "path":
                concrete = concrete.replace("{" + p["name"] + "}", "1")
        operations.append((concrete, names))
    return operations


def test_no_query_parameter_breaks_on_hostile_text(client):
    operations = _public_get_operations(client)
    assert len(operations) >= 5
    tried = 0
    for path, names in operations:
        for name in names:
            for value in HOSTILE:
                response = client.get(path, params={name: value})
                tried += 1
                assert response.status_code < 500, (path, name, value[:60], response.text[:300])
                if response.status_code >= 400 and "json" in response.headers["content-type"]:
                    assert "Traceback" not in response.text
    assert tried >= 500


@pytest.mark.parametrize("raw", HOSTILE_BYTES, ids=lambda b: repr(b[:12]))
def test_broken_bytes_in_query_strings_are_refused_politely(client, raw):
    # Sent exactly as bytes (not re-encoded by the client).
    response = client.get("/api/places?q=" + "".join(f"%{b:02X}" for b in raw))
    assert response.status_code < 500, response.text[:300]


STORABLE = [s for s in HOSTILE if "\x00" not in s and s not in LONG]


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_imported_hostile_text_comes_back_byte_identical(pg, fresh_db, fresh_url, make_client,
                                                        tmp_path):
    rows = [{"source": "hostile", "source_id": str(i), "name": f"H{i} {text[:250]}",
             "categories": "bibliothek", "lon": "9.68", "lat": "50.55", "status": "published",
             "description": text, "street": text[:300], "provider": text[:300]}
            for i, text in enumerate(STORABLE)]
    path = tmp_path / "hostile.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    result = lernorte(fresh_url, "import", str(path))
    assert result.returncode == 0, result.stdout + result.stderr

    client = make_client(fresh_url)
    stored = dict(sql(pg, fresh_db, "SELECT source_id, id FROM places WHERE source = 'hostile'"))
    # The CSV reader trims cells; what matters is that nothing else changed.
    expected = {row["source_id"]: row for row in rows}
    assert set(stored) == set(expected), result.stdout
    for source_id, place_id in stored.items():
        props = client.get(f"/api/places/{place_id}").json()["properties"]
        row = expected[source_id]
        for field in ("name", "description", "street", "provider"):
            want = row[field].strip() or None
            assert props.get(field) == want, (field, source_id, want[:60] if want else want)


def test_hostile_text_survives_a_geojson_import(pg, fresh_db, fresh_url, make_client, tmp_path):
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [9.7, 50.5]},
                 "properties": {"source": "hostile-geojson", "source_id": str(i),
                                "name": f"G{i} {text[:250]}", "categories": ["museum"],
                                "status": "published", "description": text}}
                for i, text in enumerate(STORABLE)]
    path = tmp_path / "hostile.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}),
                    encoding="utf-8")
    result = lernorte(fresh_url, "import", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    client = make_client(fresh_url)
    for i, text in enumerate(STORABLE):
        [(place_id,)] = sql(pg, fresh_db, "SELECT id FROM places WHERE source = "
                                          "'hostile-geojson' AND source_id = %s", (str(i),))
        props = client.get(f"/api/places/{place_id}").json()["properties"]
        assert props["description"] == text.strip(), (i, text[:40])


def test_unsafe_links_nul_bytes_and_broken_utf8_are_rejected_not_stored(pg, fresh_db, fresh_url,
                                                                        tmp_path):
    rows = [{"source": "bad", "source_id": f"url{i}", "name": f"Link {i}",
             "categories": "bibliothek", "lon": "9.68", "lat": "50.55", "website": url}
            for i, url in enumerate(UNSAFE_URLS)]
    rows.append({"source": "bad", "source_id": "nul", "name": "nul\x00byte",
                 "categories": "bibliothek", "lon": "9.68", "lat": "50.55", "website": ""})
    path = tmp_path / "bad.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    result = lernorte(fresh_url, "import", str(path))
    assert "Traceback" not in result.stderr, result.stderr
    assert sql(pg, fresh_db, "SELECT count(*) FROM places WHERE website ILIKE %s "
                             "OR website LIKE %s OR website LIKE %s",
               ("%script:%", "data:%", "//%")) == [(0,)]
    assert sql(pg, fresh_db, "SELECT count(*) FROM places WHERE name LIKE %s", ("nul%",)) == [(0,)]
    for number in range(2, 2 + len(UNSAFE_URLS)):
        assert f"row {number}:" in result.stdout, result.stdout

    for raw in HOSTILE_BYTES:
        broken = tmp_path / "broken.csv"
        broken.write_bytes(b"name,categories,lon,lat\n" + raw + b",museum,9.7,50.5\n")
        result = lernorte(fresh_url, "import", str(broken))
        assert "Traceback" not in result.stderr, (raw, result.stderr[-1500:])


def test_exported_csv_disarms_formulas(pg, fresh_db, fresh_url, tmp_path):
    rows = [{"source": "f", "source_id": str(i), "name": f"Formel {i}", "categories": "museum",
             "lon": "9.7", "lat": "50.5", "description": formula}
            for i, formula in enumerate(FORMULAS)]
    path = tmp_path / "formulas.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    assert lernorte(fresh_url, "import", str(path)).returncode == 0
    out = tmp_path / "export.csv"
    assert lernorte(fresh_url, "export", "-o", str(out)).returncode == 0
    exported = [r for r in csv.DictReader(out.open(encoding="utf-8")) if r["source"] == "f"]
    assert len(exported) == len(FORMULAS)
    for row in exported:
        assert row["description"][:1] not in "=+-@\t", row["description"]
