"""Bulk import and export in the browser's forms: preview, column mapping, one commit,
idempotent re-import, Windows-1252 CSV, XLSX, and the admin list's selection as export."""

from __future__ import annotations

import csv
import io
import re

import openpyxl

from app.admin import bulk
from app.importing import export
from tests.admin.conftest import EDITOR
from tests.conftest import sql

CSV = ("name,categories,lon,lat,street,postcode,city,website\r\n"
       "Stadtbibliothek Fulda,bibliothek,9.6775,50.5535,Heinrich-von-Bibra-Platz 12,36037,Fulda,"
       "https://www.fulda.de\r\n"
       "Vonderau Museum,museum,9.6794,50.5528,Jesuitenplatz 2,36037,Fulda,\r\n"
       "Zauberschule,hogwarts,9.68,50.55,,,,\r\n"
       "Musikschule Fulda,musikschule,9.70,50.56,,,,javascript:alert(1)\r\n")


def _upload(client, name: str, content: bytes):
    response = client.post("/admin/import", files={"file": (name, content)},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"]


def _count(pg, db, where: str) -> int:
    return sql(pg, db, f"SELECT count(*) FROM places WHERE {where}")[0][0]


def test_preview_with_errors_then_commit_then_the_same_file_changes_nothing(logged_in, pg,
                                                                          fresh_db):
    admin = logged_in()
    before = _count(pg, fresh_db, "true")
    preview_url = _upload(admin, "neue-orte.csv", CSV.encode())
    preview = admin.get(preview_url)
    assert preview.status_code == 200
    assert "2 neu, 0 geändert, 0 unverändert, 2 abgelehnt." in preview.text
    rejected = re.search(r'<table class="rejected">.*?</table>', preview.text, re.S).group(0)
    assert "<td>4</td>" in rejected and "hogwarts" in rejected
    assert "<td>5</td>" in rejected and "website" in rejected
    assert _count(pg, fresh_db, "true") == before  # a preview stores nothing

    done = admin.post(preview_url, data={})
    assert "2 neu, 0 geändert, 0 unverändert, 2 abgelehnt." in done.text
    assert _count(pg, fresh_db, "true") == before + 2
    assert sql(pg, fresh_db, "SELECT count(*) FROM revisions WHERE action = 'import-create' "
               "AND user_id IS NOT NULL") \
        == [(2,)]
    assert admin.post(preview_url, data={}).status_code == 404  # committed once only

    again = admin.post(_upload(admin, "neue-orte.csv", CSV.encode()), data={})
    assert "0 neu, 0 geändert, 2 unverändert, 2 abgelehnt." in again.text
    assert _count(pg, fresh_db, "true") == before + 2


def test_a_windows_1252_semicolon_csv_with_umlauts_and_mapped_columns(logged_in, pg, fresh_db):
    admin = logged_in()
    text = ("Bezeichnung;Art;Straße;Ort;Länge;Breite;Bemerkung\r\n"
            "Bücherei Künzell;bibliothek;Hauptstraße 5;Künzell;9,7161;50,5436;nur intern\r\n")
    url = _upload(admin, "Bibliotheken.csv", text.encode("cp1252"))
    unmapped = admin.get(url)
    assert unmapped.status_code == 422 and "needs a &#39;name&#39; column" in unmapped.text
    assert "Jetzt importieren" not in unmapped.text and 'id="m0"' in unmapped.text
    mapping = {"m0": "name", "m1": "categories", "m2": "street", "m3": "city", "m4": "lon",
               "m5": "lat", "m6": ""}
    preview = admin.get(url, params=mapping)
    assert "1 neu, 0 geändert, 0 unverändert, 0 abgelehnt." in preview.text
    assert "Bücherei Künzell" in preview.text
    assert 'id="m2"' in preview.text and "Straße" in preview.text
    admin.post(url, data=mapping)
    rows = sql(pg, fresh_db, "SELECT street, city, round(ST_X(geom)::numeric, 4), extra "
                             "FROM places WHERE name = 'Bücherei Künzell'")
    assert [tuple(map(str, r[:3])) for r in rows] == [("Hauptstraße 5", "Künzell", "9.7161")]
    assert rows[0][3] == {}  # the ignored column is not stored


def test_export_the_selection_as_csv_geojson_and_xlsx_and_import_it_back(logged_in):
    admin = logged_in()
    csv_text = admin.get("/admin/export.csv", params={"q": "Domschule"}).text
    listed = admin.get("/admin/places", params={"q": "Domschule"}).text
    matched = int(re.search(r'<p aria-live="polite">(\d+) Orte</p>', listed).group(1))
    assert 1 <= matched < 10 and csv_text.count("\r\n") == matched + 1
    geojson = admin.get("/admin/export.geojson", params={"status": "needs-location"}).json()
    assert len(geojson["features"]) == 5
    assert all(f["geometry"] is None for f in geojson["features"])
    xlsx = admin.get("/admin/export.xlsx", params={"status": "published"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert sheet.max_row == 88 and sheet.cell(1, 4).value == "name"
    back = admin.post(_upload(admin, "lernorte.xlsx", xlsx.content), data={})
    assert "0 neu, 0 geändert, 87 unverändert, 0 abgelehnt." in back.text


def test_an_export_larger_than_its_chunks_holds_every_place_once(logged_in, monkeypatch):
    """Exports are streamed in batches of rows (a national directory's ran out of memory)."""
    monkeypatch.setattr(export, "BATCH_ROWS", 7)
    admin = logged_in()
    published = {"status": "published"}
    rows = list(csv.DictReader(io.StringIO(
        admin.get("/admin/export.csv", params=published).text.removeprefix("\ufeff"))))
    assert len(rows) == len({r["id"] for r in rows}) == 87
    features = admin.get("/admin/export.geojson", params=published).json()["features"]
    assert sorted(f["id"] for f in features) == sorted(int(r["id"]) for r in rows)
    xlsx = admin.get("/admin/export.xlsx", params=published)
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert [c.value for c in sheet["A"][1:]] == [r["id"] for r in rows]  # in the list's order


def test_an_export_with_a_refused_search_says_why_before_the_file(logged_in):
    response = logged_in().get("/admin/export.csv", params={"q": "-"})
    assert response.status_code == 422 and "q" in response.text


def test_a_selection_larger_than_a_worksheet_is_offered_as_csv_only(logged_in, monkeypatch):
    monkeypatch.setattr(bulk, "SHEET_MAX_PLACES", 5)
    admin = logged_in()
    page = admin.get("/admin/import", params={"status": "published"}).text
    assert "/admin/export.csv?status=published" in page and "export.xlsx" not in page
    assert "mehr Orte, als ein Tabellenblatt fasst (höchstens 5)" in page
    refused = admin.get("/admin/export.xlsx", params={"status": "published"})
    assert refused.status_code == 422 and "worksheet" in refused.text
    few = admin.get("/admin/import", params={"q": "Domschule"}).text
    assert "/admin/export.xlsx?q=Domschule" in few


def test_editors_may_neither_import_nor_export(logged_in):
    editor = logged_in(EDITOR)
    assert editor.get("/admin/import").status_code == 403
    assert editor.get("/admin/export.csv").status_code == 403
    refused = editor.post("/admin/import", files={"file": ("a.csv", CSV.encode())})
    assert refused.status_code == 403


def test_xlsx_numeric_cells_keep_the_leading_zeros_of_ags_postcode_phone_and_id(logged_in, pg,
                                                                                fresh_db):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["name", "categories", "lon", "lat", "postcode", "ags", "phone", "source_id"])
    # As a spreadsheet program stores codes typed as numbers: Dresden's postcode 01067 and
    # Eichenzell's AGS 06631009 shown with a zero-padding number format, and without one.
    sheet.append(["Formatierte Codes", "bibliothek", 9.69, 50.49, 1067, 6631009, 661123, 42])
    sheet.append(["Nackte Codes", "bibliothek", 9.70, 50.50, 1067, 6631009, 661456, 43])
    for cell, number_format in (("E2", "00000"), ("F2", "00000000"), ("G2", "0000000"),
                                ("H2", "0000")):
        sheet[cell].number_format = number_format
    content = io.BytesIO()
    workbook.save(content)
    admin = logged_in()
    done = admin.post(_upload(admin, "codes.xlsx", content.getvalue()), data={})
    assert "2 neu, 0 geändert, 0 unverändert, 0 abgelehnt." in done.text, done.text
    assert sql(pg, fresh_db, "SELECT name, postcode, ags, phone, source_id FROM places "
                             "WHERE source = 'file:codes' ORDER BY name") == [
        ("Formatierte Codes", "01067", "06631009", "0661123", "0042"),
        # Without a format only the lengths of AGS (8) and postcode (5) tell what was lost.
        ("Nackte Codes", "01067", "06631009", "661456", "43")]
