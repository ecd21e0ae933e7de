"""Writing places in Lernorte's own format, which ``lernorte import`` reads back."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

import orjson
from sqlalchemy import literal_column, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.importing.readers import LIST_FIELDS, LIST_SEPARATOR
from app.models import Place
from app.places.query import PlaceFilter, list_order, ordered_ids, resolve_categories, validate
from app.places.snapshot import snapshot_sql

CSV_COLUMNS = ("id", "source", "source_id", "name", "categories", "lon", "lat", "status",
               "description", "street", "postcode", "city", "municipality", "ags", "phone",
               "email", "website", "provider", "provider_kind", "target_groups", "languages",
               "wheelchair", "accessibility_notes", "opening_hours", "last_verified", "extra")
# A spreadsheet treats a cell starting with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


async def place_snapshots(conn: AsyncConnection, statuses: Iterable[str]) -> list[dict]:
    result = await conn.execute(
        text(f"SELECT p.id, {snapshot_sql('p')} AS data FROM places p "
             "WHERE p.status = ANY(:statuses) ORDER BY p.id"),
        {"statuses": list(statuses)},
    )
    return [{"id": r.id, **r.data} for r in result]


def spreadsheet_safe(value: str) -> str:
    """Text that a spreadsheet shows as text: a leading formula character gets a quote."""
    return "'" + value if value.startswith(FORMULA_START) else value


def to_csv(places: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for place in places:
        cells = []
        for column in CSV_COLUMNS:
            value = place.get(column)
            if value is None:
                cells.append("")
            elif column in LIST_FIELDS:
                cells.append(spreadsheet_safe(LIST_SEPARATOR.join(value)))
            elif column == "extra":
                cells.append(spreadsheet_safe(json.dumps(value, ensure_ascii=False, sort_keys=True))
                             if value else "")
            elif isinstance(value, str):
                cells.append(spreadsheet_safe(value))
            else:
                cells.append(repr(value) if isinstance(value, float) else str(value))
        writer.writerow(cells)
    return out.getvalue()


def to_xlsx(places: list[dict]) -> bytes:
    """The CSV's columns and cells in a workbook (formula-like text quoted the same way, so a
    spreadsheet never runs it and ``import`` reads it back)."""
    import openpyxl  # here, not at the top: 0.15 s of every `lernorte` start, needed only here

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Lernorte")
    sheet.append(list(CSV_COLUMNS))
    rows = csv.reader(io.StringIO(to_csv(places), newline=""))
    next(rows)  # the header, already written
    for row in rows:
        sheet.append([cell or None for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


async def selection_snapshots(conn: AsyncConnection, flt: PlaceFilter) -> list[dict]:
    """The places a filter selects (the admin list's current selection), in its order."""
    validate(flt)
    ids = ordered_ids(flt, await resolve_categories(conn, flt.categories), None).subquery("ids")
    result = await conn.execute(
        select(ids.c.id, literal_column(snapshot_sql("p")).label("data"))
        .select_from(ids.join(Place.__table__.alias("p"), literal_column("p.id") == ids.c.id))
        .order_by(*list_order(ids)))
    return [{"id": r.id, **r.data} for r in result]


def to_geojson(places: list[dict]) -> bytes:
    features = []
    for place in places:
        lon, lat = place.get("lon"), place.get("lat")
        properties = {k: v for k, v in place.items() if k not in ("lon", "lat", "id", "version")}
        features.append({
            "type": "Feature",
            "id": place["id"],
            "geometry": {"type": "Point", "coordinates": [lon, lat]} if lon is not None else None,
            "properties": properties,
        })
    return orjson.dumps({"type": "FeatureCollection", "features": features},
                        option=orjson.OPT_INDENT_2)
