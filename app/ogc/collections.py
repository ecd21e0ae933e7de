"""The feature collections: all published places, and one per stage of the learning biography.

Each collection is a ``PlaceFilter``; its extent is computed from the data it holds with the same
WHERE clauses as its items, so the box a client zooms to is the box the items fill. Extents are
kept per process until the data version changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.derived import Derived
from app.models import Category, Place, PlaceCategory, Stage
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


@dataclass(frozen=True)
class Extent:
    bbox: tuple[float, float, float, float]
    first_update: datetime
    last_update: datetime


def _extent_columns(group: ColumnElement | None) -> Select:
    extent = func.ST_Extent(Place.geom)
    columns = [func.ST_XMin(extent), func.ST_YMin(extent), func.ST_XMax(extent),
               func.ST_YMax(extent), func.min(Place.updated_at), func.max(Place.updated_at)]
    return select(group if group is not None else literal(ALL_PLACES), *columns)


async def _computed_extents(conn: AsyncConnection) -> dict[str, Extent]:
    published = where_clauses(PlaceFilter(), [])
    everything = _extent_columns(None).where(*published)
    # A place counts towards every stage one of its categories belongs to, as PlaceFilter.stages.
    per_stage = (_extent_columns(Stage.slug)
                 .select_from(Place)
                 .join(PlaceCategory, PlaceCategory.place_id == Place.id)
                 .join(Category, Category.id == PlaceCategory.category_id)
                 .join(Stage, Stage.id == Category.stage_id)
                 .where(*published).group_by(Stage.slug))
    extents = {}
    for statement in (everything, per_stage):
        for key, x0, y0, x1, y1, first, last in (await conn.execute(statement)).all():
            if x0 is not None:
                extents[key] = Extent((x0, y0, x1, y1), first, last)
    return extents


# Two scans of every place per change of the data, not one per collection and request; over a
# large directory computed again in the background (app/derived.py).
EXTENTS = Derived("the collections' extents", _computed_extents)


def _with_extent(collection: Collection, extents: dict[str, Extent]) -> Collection:
    extent = extents.get(collection.id)
    if extent is None:
        return collection
    return replace(collection, bbox=extent.bbox, first_update=extent.first_update,
                   last_update=extent.last_update)


async def all_collections(conn: AsyncConnection, lang: str) -> list[Collection]:
    extents = await EXTENTS.get(conn)
    return [_with_extent(c, extents) for c in await _definitions(conn, lang)]


async def find_collection(conn: AsyncConnection, collection_id: str, lang: str,
                          with_extent: bool = False) -> Collection | None:
    for collection in await _definitions(conn, lang):
        if collection.id == collection_id:
            return _with_extent(collection, await EXTENTS.get(conn)) if with_extent else collection
    return None
