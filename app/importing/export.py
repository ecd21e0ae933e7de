"""Writing places in Lernorte's own format, which ``lernorte import`` reads back.

Every export is a stream: places come from a server-side cursor and leave in chunks, a
workbook too (app/importing/workbook.py), so memory stays flat whatever the number of places.
Collected in lists first, an export of a national directory (a million places) ran out of
memory in the command and would have taken the admin's server process with it."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterable, AsyncIterator, Iterable

import orjson
from sqlalchemy import Executable, literal_column, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db import stream_from_the_first_row
from app.importing.readers import LIST_FIELDS, LIST_SEPARATOR
from app.importing.workbook import xlsx_stream
from app.models import Place
from app.places.query import PlaceFilter, list_order, ordered_ids, resolve_categories, validate
from app.places.snapshot import snapshot_sql

CSV_COLUMNS = ("id", "source", "source_id", "name", "categories", "lon", "lat", "status",
               "description", "street", "postcode", "city", "municipality", "ags", "phone",
               "email", "website", "provider", "provider_kind", "target_groups", "languages",
               "wheelchair", "accessibility_notes", "opening_hours", "last_verified", "extra")
# A spreadsheet treats a cell starting with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# Rows per chunk sent.
BATCH_ROWS = 500


async def _snapshots(conn: AsyncConnection, statement: Executable,
                     values: dict | None = None) -> AsyncIterator[dict]:
    result = await conn.stream(statement, values)
    async for row in result:
        yield {"id": row.id, **row.data}


def place_snapshots(conn: AsyncConnection, statuses: Iterable[str]) -> AsyncIterator[dict]:
    """Every place of these statuses, by id."""
    return _snapshots(conn, text(f"SELECT p.id, {snapshot_sql('p')} AS data FROM places p "
                                 "WHERE p.status = ANY(:statuses) ORDER BY p.id"),
                      {"statuses": list(statuses)})


async def selection_snapshots(conn: AsyncConnection, flt: PlaceFilter) -> AsyncIterator[dict]:
    """The places a filter selects (the admin list's current selection), in its order."""
    validate(flt)
    await stream_from_the_first_row(conn)
    ids = ordered_ids(flt, await resolve_categories(conn, flt.categories), None).subquery("ids")
    statement = (select(ids.c.id, literal_column(snapshot_sql("p")).label("data"))
                 .select_from(ids.join(Place.__table__.alias("p"),
                                       literal_column("p.id") == ids.c.id))
                 .order_by(*list_order(ids)))
    async for place in _snapshots(conn, statement):
        yield place


def spreadsheet_safe(value: str) -> str:
    """Text that a spreadsheet shows as text: a leading formula character gets a quote."""
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_cells(place: dict) -> list[str]:
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
    return cells


def to_csv(places: Iterable[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_cells(place) for place in places)
    return out.getvalue()


async def _batches(places: AsyncIterable[dict]) -> AsyncIterator[list[dict]]:
    batch: list[dict] = []
    async for place in places:
        batch.append(place)
        if len(batch) == BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


async def csv_chunks(places: AsyncIterable[dict], prefix: str = "") -> AsyncIterator[bytes]:
    """The CSV in chunks of rows; ``prefix`` before the header (a BOM for spreadsheets)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write(prefix)
    writer.writerow(CSV_COLUMNS)
    async for batch in _batches(places):
        writer.writerows(csv_cells(place) for place in batch)
        yield out.getvalue().encode()
        out.seek(0)
        out.truncate()
    yield out.getvalue().encode()


def geojson_feature(place: dict) -> dict:
    lon, lat = place.get("lon"), place.get("lat")
    properties = {k: v for k, v in place.items() if k not in ("lon", "lat", "id", "version")}
    return {"type": "Feature", "id": place["id"],
            "geometry": {"type": "Point", "coordinates": [lon, lat]} if lon is not None else None,
            "properties": properties}


async def geojson_chunks(places: AsyncIterable[dict]) -> AsyncIterator[bytes]:
    yield b'{"type": "FeatureCollection", "features": ['
    first = True
    async for batch in _batches(places):
        features = b",\n".join(orjson.dumps(geojson_feature(place)) for place in batch)
        yield (b"\n" if first else b",\n") + features
        first = False
    yield b"\n]}\n"


async def xlsx_chunks(places: AsyncIterable[dict]) -> AsyncIterator[bytes]:
    """The CSV's columns and cells in a workbook (formula-like text quoted the same way, so a
    spreadsheet never runs it and ``import`` reads it back), sent while it is written."""
    async def rows() -> AsyncIterator[list[list[str]]]:
        async for batch in _batches(places):
            yield [csv_cells(place) for place in batch]

    async for chunk in xlsx_stream(CSV_COLUMNS, rows(), "Lernorte"):
        yield chunk
