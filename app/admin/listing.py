"""The admin's list of places, read through the one query builder (app/places/query.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import Category, Place, PlaceCategory
from app.places.query import Page, PlaceFilter, count_matched, ordered_ids, resolve_categories, validate

# What the admin filters by; "needs-location" is a draft without coordinates.
ADMIN_STATUSES = ("draft", "needs-location", "published", "archived")


@dataclass
class PlaceRow:
    id: int
    name: str
    status: str
    needs_location: bool
    city: str | None
    municipality: str | None
    ags: str | None
    category: str | None
    version: int
    updated_at: dt.datetime


def admin_filter(q: str | None, status: str | None, categories: tuple[str, ...],
                 municipality: str | None) -> PlaceFilter:
    if status == "needs-location":
        statuses, has_location = ("draft",), False
    elif status in ADMIN_STATUSES:
        statuses, has_location = (status,), None
    else:
        statuses, has_location = ("draft", "published", "archived"), None
    return PlaceFilter(q=q or None, statuses=statuses, has_location=has_location,
                       categories=categories,
                       municipalities=(municipality,) if municipality else ())


async def list_places(conn: AsyncConnection, flt: PlaceFilter, page: Page
                      ) -> tuple[list[PlaceRow], int | None]:
    validate(flt)
    category_ids = await resolve_categories(conn, flt.categories)
    ids = ordered_ids(flt, category_ids, page).subquery("page_ids")
    primary = (select(Category.slug).join(PlaceCategory, PlaceCategory.category_id == Category.id)
               .where(PlaceCategory.place_id == Place.id).order_by(PlaceCategory.position)
               .limit(1).scalar_subquery())
    rows = (await conn.execute(
        select(Place.id, Place.name, Place.status, Place.geom.is_(None).label("needs_location"),
               Place.city, Place.municipality, Place.ags, primary.label("category"),
               Place.version, Place.updated_at)
        .select_from(ids).join(Place, Place.id == ids.c.id).order_by(ids.c.rn))).all()
    total = await count_matched(conn, flt, category_ids, 100_000)
    return [PlaceRow(**r._asdict()) for r in rows], total


async def category_choices(conn: AsyncConnection, lang: str) -> list[tuple[str, str]]:
    rows = await conn.execute(select(Category.slug, func.coalesce(
        Category.names[lang].astext, Category.names["de"].astext)).order_by(Category.sort_order))
    return [(r[0], r[1]) for r in rows]
