"""The published dataset as whole files, and its description for people and open-data portals.

The files are streamed from the database through the shared place query (the same features as
``/api/places``), so a large district never sits in memory as a whole.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.caching import data_version
from app.config import Settings
from app.db import stream_from_the_first_row
from app.importing.export import spreadsheet_safe
from app.models import Place
from app.places.query import PlaceFilter, feature_columns, list_order, ordered_ids, where_clauses

LANG = "de"
CSV_COLUMNS = ("id", "name", "category", "categories", "stage", "description", "street",
               "postcode", "city", "municipality", "ags", "lon", "lat", "phone", "email", "website",
               "provider", "provider_kind", "target_groups", "languages", "wheelchair",
               "opening_hours", "updated_at", "url")
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class DatasetFacts:
    count: int
    modified: datetime


async def dataset_facts(conn: AsyncConnection) -> DatasetFacts:
    count = (await conn.execute(select(func.count()).select_from(Place)
                                .where(*where_clauses(PlaceFilter(), [])))).scalar_one()
    _, modified = await data_version(conn)
    return DatasetFacts(count=count, modified=modified)


async def _features(engine: AsyncEngine) -> AsyncIterator[str]:
    """Every published place as GeoJSON Feature text, by name, from a server-side cursor."""
    ids = ordered_ids(PlaceFilter(), [], None).subquery("all_ids")
    async with engine.connect() as conn:
        await stream_from_the_first_row(conn)
        result = await conn.stream(feature_columns(ids, LANG).order_by(*list_order(ids)))
        async for row in result:
            yield row.feature


def licence_members(settings: Settings, described_by: str) -> dict[str, Any]:
    return {"name": "lernorte", "title": settings.site_name,
            "license": {"name": settings.data_license_name, "href": settings.data_license_url},
            "attribution": settings.data_attribution, "publisher": settings.data_publisher,
            "describedBy": described_by}


async def geojson_chunks(engine: AsyncEngine, members: dict[str, Any]) -> AsyncIterator[bytes]:
    head = orjson.dumps({"type": "FeatureCollection", **members})
    yield head[:-1] + b',"features":['
    first = True
    async for feature in _features(engine):
        yield (b"" if first else b",\n") + feature.encode()
        first = False
    yield b"]}\n"


def _cell(column: str, properties: dict[str, Any], feature: dict[str, Any], base_url: str) -> str:
    if column == "id":
        return str(feature["id"])
    if column in ("lon", "lat"):
        coordinates = (feature.get("geometry") or {}).get("coordinates")
        return "" if coordinates is None else repr(coordinates[0 if column == "lon" else 1])
    value = properties.get(column)
    if column == "url" and value:
        return base_url + value
    if value is None:
        return ""
    if isinstance(value, list):
        return spreadsheet_safe(LIST_SEPARATOR.join(value))
    return spreadsheet_safe(str(value))


async def csv_chunks(engine: AsyncEngine, base_url: str) -> AsyncIterator[bytes]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    async for document in _features(engine):
        feature = orjson.loads(document)
        properties = feature["properties"]
        writer.writerow([_cell(c, properties, feature, base_url) for c in CSV_COLUMNS])
        if out.tell() > 64 * 1024:
            yield out.getvalue().encode()
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode()
