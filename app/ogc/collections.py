"""The feature collections: all published places, and one per stage of the learning biography.

Each collection is a ``PlaceFilter``; its extent is computed from the data it holds with the same
WHERE clauses as its items, so the box a client zooms to is the box the items fill.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import Place, Stage
from app.places.query import PlaceFilter, where_clauses

ALL_PLACES = "lernorte"


@dataclass(frozen=True)
class Collection:
    id: str
    title: str
    description: str
    filter: PlaceFilter
    bbox: tuple[float, float, float, float] | None = None
    first_update: datetime | None = None
    last_update: datetime | None = None


def _name(names: dict, lang: str) -> str:
    return names.get(lang) or names["de"]


async def _definitions(conn: AsyncConnection, lang: str) -> list[Collection]:
    everything = Collection(
        id=ALL_PLACES,
        title={"de": "Lernorte"}.get(lang, "Places of lifelong learning"),
        description={"de": "Alle veröffentlichten Lernorte des lebenslangen Lernens"}.get(
            lang, "All published places of lifelong learning"),
        filter=PlaceFilter(),
    )
    stages = (await conn.execute(select(Stage.slug, Stage.names).order_by(Stage.sort_order))).all()
    return [everything, *(
        Collection(id=s.slug, title=_name(s.names, lang),
                   description=("Lernorte der Stufe " if lang == "de"
                                else "Places of the stage ") + _name(s.names, lang),
                   filter=PlaceFilter(stages=(s.slug,)))
        for s in stages)]


async def _with_extent(conn: AsyncConnection, collection: Collection) -> Collection:
    extent = func.ST_Extent(Place.geom)
    row = (await conn.execute(
        select(func.ST_XMin(extent).label("x0"), func.ST_YMin(extent).label("y0"),
               func.ST_XMax(extent).label("x1"), func.ST_YMax(extent).label("y1"),
               func.min(Place.updated_at).label("first"), func.max(Place.updated_at).label("last"))
        .where(*where_clauses(collection.filter, []))
    )).one()
    bbox = None if row.x0 is None else (row.x0, row.y0, row.x1, row.y1)
    return Collection(collection.id, collection.title, collection.description, collection.filter,
                      bbox, row.first, row.last)


async def all_collections(conn: AsyncConnection, lang: str) -> list[Collection]:
    return [await _with_extent(conn, c) for c in await _definitions(conn, lang)]


async def find_collection(conn: AsyncConnection, collection_id: str, lang: str,
                          with_extent: bool = False) -> Collection | None:
    for collection in await _definitions(conn, lang):
        if collection.id == collection_id:
            return await _with_extent(conn, collection) if with_extent else collection
    return None
