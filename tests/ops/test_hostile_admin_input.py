"""The hostile corpus through the admin JSON API, the public suggestion form and the XLSX import.

Every entry path trims leading and trailing white space by design; apart from that, text that is
accepted must come back byte for byte, and text that is refused must be refused with a 422 and a
reason — never a 5xx.
"""

from __future__ import annotations

import io
import re

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tests.admin.conftest import ADMIN, add_user, log_in
from tests.conftest import sql
from tests.hostile import HOSTILE

PLACE = {"name": "Hostile base", "categories": ["bibliothek"], "lon": 9.6775, "lat": 50.5535,
         "city": "Fulda", "confirm": True}
PLACE_TEXT_FIELDS = ("name", "description", "street", "city", "municipality", "provider", "phone",
                     "email", "website", "opening_hours", "accessibility_notes", "postcode")
TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def _stored(value: str) -> str | None:
    """What an accepted value must read back as: the same text, trimmed."""
    return value.strip() or None


def _refused_with_reason(response) -> bool:
    return response.status_code == 422 and bool(response.json().get("detail"))


def test_hostile_text_in_every_admin_place_field(make_client, pg, fresh_db, fresh_url):
    add_user(pg, fresh_db, *ADMIN, "admin")
    admin = make_client(fresh_url)
    log_in(admin, *ADMIN)
    created = admin.post("/api/admin/places", json=PLACE)
    assert created.status_code == 201, created.text
    place_id, version = created.json()["id"], 1
    accepted = refused = 0
    for field in PLACE_TEXT_FIELDS:
        for i, value in enumerate(HOSTILE):
            body = {**PLACE, "name": f"Hostile {field} {i}", field: value}
            where = (field, i, value[:40])
            new = admin.post("/api/admin/places", json=body)
            assert new.status_code in (201, 422), (*where, new.status_code, new.text[:300])
            saved = admin.put(f"/api/admin/places/{place_id}", json={**body, "version": version})
            assert saved.status_code in (200, 422), (*where, saved.status_code, saved.text[:300])
            # Both paths share one validation: they agree on what they accept.
            assert (new.status_code == 201) == (saved.status_code == 200), where
            if saved.status_code == 422:
                assert _refused_with_reason(new) and _refused_with_reason(saved), where
                refused += 1
                continue
            accepted += 1
            version = saved.json()["version"]
            for id_ in (new.json()["id"], place_id):
                stored = admin.get(f"/api/admin/places/{id_}").json()["place"][field]
                assert stored == _stored(value), where
    # The corpus holds text every field takes and text no field may take (NUL, 10,000 chars).
    assert accepted > 100 and refused > 50, (accepted, refused)


def _suggest(client, data: dict):
    token = TOKEN.search(client.get("/vorschlag").text).group(1)
    return client.post("/vorschlag", data={"form_token": token, **data}, follow_redirects=False)


def test_hostile_text_in_every_suggestion_form_field(make_client, pg, fresh_db, fresh_url):
    client = make_client(fresh_url, suggestion_min_fill_s=0, suggestions_per_hour=100_000)
    fields = ("name", "street", "postcode", "city", "phone", "email", "website", "opening_hours",
              "description", "message", "contact")
    base = {"name": "Hostile suggestion", "category": "bibliothek"}
    accepted = refused = 0
    for field in fields:
        for i, value in enumerate(HOSTILE):
            where = (field, i, value[:40])
            response = _suggest(client, {**base, field: value})
            assert response.status_code in (303, 422), (*where, response.status_code,
                                                         response.text[-500:])
            if response.status_code == 422:
                assert f'id="{field}-error" class="field-error">' in response.text, where
                refused += 1
                continue
            accepted += 1
            [(payload, message, contact)] = sql(
                pg, fresh_db, "SELECT payload, message, contact FROM suggestions "
                              "ORDER BY id DESC LIMIT 1")
            stored = {"message": message, "contact": contact}.get(field, payload["fields"].get(field))
            assert stored == _stored(value), where
    assert accepted > 100 and refused > 20, (accepted, refused)


def test_hostile_text_in_an_xlsx_import(make_client, pg, fresh_db, fresh_url):
    add_user(pg, fresh_db, *ADMIN, "admin")
    admin = make_client(fresh_url)
    log_in(admin, *ADMIN)
    # XLSX cannot hold most C0 control characters at all; openpyxl refuses to write them.
    writable = [v for v in HOSTILE if not ILLEGAL_CHARACTERS_RE.search(v)]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["source_id", "name", "categories", "lon", "lat", "description"])
    expected: dict[str, tuple[str, str]] = {}  # source_id -> (column, value)
    for i, value in enumerate(writable):
        for column in ("name", "description"):
            source_id = f"{column}-{i}"
            row = [source_id, f"X {column} {i}", "museum", 9.7, 50.5, "plain"]
            row[1 if column == "name" else 5] = value
            sheet.append(row)
            # Text that looks like a formula is stored as text, as a spreadsheet does when typed.
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
            expected[source_id] = (column, value)
    content = io.BytesIO()
    workbook.save(content)

    upload = admin.post("/admin/import", files={"file": ("hostile.xlsx", content.getvalue())},
                        follow_redirects=False)
    assert upload.status_code == 303, upload.text
    done = admin.post(upload.headers["location"], data={})
    assert done.status_code == 200, done.text[-500:]
    rejected_table = re.search(r'<table class="rejected">.*?</table>', done.text, re.S)
    reasons = dict(re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td></tr>",
                              rejected_table.group(0) if rejected_table else ""))
    stored = {source_id: (name, description) for source_id, name, description in sql(
        pg, fresh_db, "SELECT source_id, name, description FROM places "
                      "WHERE source = 'file:hostile'")}
    for number, (source_id, (column, value)) in enumerate(expected.items(), start=2):
        if source_id in stored:
            name, description = stored[source_id]
            assert (name if column == "name" else description) == _stored(value), source_id
        else:
            assert reasons.get(str(number), "").strip(), (source_id, value[:40])
    assert len(stored) > 40 and reasons, (len(stored), len(reasons))
    counts = f"{len(stored)} neu, 0 geändert, 0 unverändert, {len(reasons)} abgelehnt."
    assert counts in done.text
