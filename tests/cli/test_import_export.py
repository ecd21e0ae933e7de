"""`lernorte import` and `lernorte export`, run as a user runs them, against real PostGIS."""

import csv
import io
import json

from tests.conftest import DEMO_CSV, DEMO_GEOJSON, lernorte, sql


def counts(pg, db) -> dict[str, int]:
    rows = sql(pg, db, "SELECT status, count(*) FROM places GROUP BY status")
    return dict(rows)


def test_demo_data_is_87_published_and_5_drafts_needing_location(pg, fresh_db):
    assert counts(pg, fresh_db) == {"published": 87, "draft": 5}
    drafts = sql(pg, fresh_db, "SELECT source_id FROM places WHERE geom IS NULL ORDER BY 1")
    assert [d[0] for d in drafts] == ["HE-7249", "HE-7655", "HE-7669", "HE-8247", "HE-9249"]


def test_reimport_of_both_files_updates_and_never_duplicates(pg, fresh_db, fresh_url):
    revisions_before = sql(pg, fresh_db, "SELECT count(*) FROM revisions")[0][0]
    for path in (DEMO_GEOJSON, DEMO_CSV, DEMO_GEOJSON):
        result = lernorte(fresh_url, "import", str(path))
        assert result.returncode == 0, result.stderr
        assert "0 places were created, 0 updated, 92 unchanged, 0 rows rejected" in result.stdout
    assert counts(pg, fresh_db) == {"published": 87, "draft": 5}
    assert sql(pg, fresh_db, "SELECT count(*) FROM revisions")[0][0] == revisions_before


def test_csv_and_geojson_agree_on_every_school(pg, empty_url, fresh_db):
    """The office's CSV (German columns) gives the same places as the cleaned GeoJSON."""
    assert lernorte(empty_url, "import", str(DEMO_CSV)).returncode == 0
    db = empty_url.rsplit("/", 1)[1]
    query = ("SELECT source_id, name, street, postcode, city, ags, phone, email, "
             "ST_AsText(geom), status, extra->>'school_type', "
             "(SELECT array_agg(c.slug ORDER BY pc.position) FROM place_categories pc "
             " JOIN categories c ON c.id = pc.category_id WHERE pc.place_id = p.id) "
             "FROM places p ORDER BY source_id")
    assert sql(pg, db, query) == sql(pg, fresh_db, query)


def test_grund_und_hauptschule_is_in_both_categories(pg, fresh_db):
    rows = sql(pg, fresh_db, """
        SELECT p.extra->>'school_type', array_agg(c.slug ORDER BY pc.position)
        FROM places p JOIN place_categories pc ON pc.place_id = p.id
        JOIN categories c ON c.id = pc.category_id
        GROUP BY p.id HAVING p.extra->>'school_type' = 'Grund- und Hauptschule'""")
    assert len(rows) == 4
    for _, cats in rows:
        assert cats[0] == "grundschule" and "weiterfuehrende-schule" in cats


def test_bad_rows_are_reported_and_the_rest_imported(pg, fresh_db, fresh_url, tmp_path):
    path = tmp_path / "places.csv"
    path.write_text(
        "id,name,categories,lon,lat,email,website,last_verified\n"
        "a1,Stadtbibliothek Fulda,bibliothek,9.6775,50.5534,,https://www.fulda.de,2026-02-28\n"
        "a2,,museum,9.68,50.55,,,\n"
        "a3,Vonderau Museum,museum,9.68,95.0,,,\n"
        "a4,Musikschule,schwimmbad,9.68,50.55,,,\n"
        "a5,Kinderakademie,museum,9.6795,50.5535,not-an-email,javascript:alert(1),\n"
        "a6,VHS Fulda,volkshochschule;sprachkurs,,,,,\n"
        "a7,Kurz,museum,9.68\n"
        "a8,Kunststation,museum,9.68,50.55,,,2026-02-30\n",
        encoding="utf-8")
    result = lernorte(fresh_url, "import", str(path))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "2 places were created, 0 updated, 0 unchanged, 6 rows rejected" in out
    # The form of a date, but no day: the row is refused, the import goes on.
    assert "row 9: last verified must be a date" in out
    assert "row 3: name is missing" in out
    assert "row 4: latitude 95 is outside" in out
    assert "row 5: unknown category 'schwimmbad'" in out
    assert "row 6: 'not-an-email' is not an email address; website must be an http" in out
    assert "row 8:" in out
    [(status, geom)] = sql(pg, fresh_db, "SELECT status, geom IS NULL FROM places WHERE name = 'VHS Fulda'")
    assert (status, geom) == ("draft", True)


def test_windows_1252_semicolon_csv(pg, fresh_db, fresh_url, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("id;name;categories;lon;lat;city\r\n"
                     "m1;Musikschule Fürstenberg;musikschule;9,6801;50,5512;Großenlüder\r\n"
                     .encode("cp1252"))
    result = lernorte(fresh_url, "import", str(path))
    assert "1 places were created" in result.stdout, result.stdout + result.stderr
    [(name, city, x)] = sql(pg, fresh_db,
                            "SELECT name, city, ST_X(geom) FROM places WHERE source_id = 'm1'")
    assert (name, city, x) == ("Musikschule Fürstenberg", "Großenlüder", 9.6801)


def test_unreadable_file_says_why(fresh_url, tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text("{not json")
    result = lernorte(fresh_url, "import", str(path))
    assert result.returncode == 2
    assert "not valid JSON" in result.stderr


def test_export_round_trip_and_formula_safety(pg, fresh_db, fresh_url, tmp_path):
    sql(pg, fresh_db, "UPDATE places SET name = '=HYPERLINK(\"http://evil\")' "
                      "WHERE source_id = 'HE-4101'")
    csv_path, geojson_path = tmp_path / "out.csv", tmp_path / "out.geojson"
    assert lernorte(fresh_url, "export", "-o", str(csv_path)).returncode == 0
    assert lernorte(fresh_url, "export", "-o", str(geojson_path)).returncode == 0
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text())))
    assert len(rows) == 92
    evil = next(r for r in rows if r["source_id"] == "HE-4101")
    assert evil["name"] == "'=HYPERLINK(\"http://evil\")"
    features = json.loads(geojson_path.read_text())["features"]
    assert len(features) == 92 and sum(f["geometry"] is None for f in features) == 5
    # Both files import back without a single change.
    for path in (csv_path, geojson_path):
        result = lernorte(fresh_url, "import", str(path))
        assert "0 places were created, 0 updated, 92 unchanged, 0 rows rejected" in result.stdout, \
            result.stdout + result.stderr
