"""The category tree along the learning biography, with counts under a filter."""

from dataclasses import replace
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import Category, Place, PlaceCategory, Stage
from app.places.query import PlaceFilter, resolve_categories, resolve_search, validate, where_clauses


def _name(names: dict[str, str], lang: str) -> str:
    return names.get(lang) or names["de"]


async def category_tree(conn: AsyncConnection, flt: PlaceFilter, lang: str) -> dict[str, Any]:
    validate(flt)
    flt = await resolve_search(conn, flt)
    matching = (select(PlaceCategory.category_id, Category.stage_id, Place.id)
                .join(Place, Place.id == PlaceCategory.place_id)
                .join(Category, Category.id == PlaceCategory.category_id)
                .where(*where_clauses(flt, []))
                .subquery())
    per_category = dict((await conn.execute(
        select(matching.c.category_id, func.count()).group_by(matching.c.category_id))).all())
    # A place in two categories of one stage counts once for the stage.
    per_stage = dict((await conn.execute(
        select(matching.c.stage_id, func.count(matching.c.id.distinct()))
        .group_by(matching.c.stage_id))).all())
    stages = (await conn.execute(select(Stage).order_by(Stage.sort_order))).all()
    categories = (await conn.execute(select(Category).order_by(Category.sort_order))).all()
    total = (await conn.execute(
        select(func.count()).select_from(Place).where(*where_clauses(flt, [])))).scalar_one()
    tree = []
    for stage in stages:
        tree.append({
            "slug": stage.slug, "name": _name(stage.names, lang), "colour": stage.colour,
            "icon": stage.icon, "count": per_stage.get(stage.id, 0),
            "categories": [
                {"slug": c.slug, "name": _name(c.names, lang), "stage": stage.slug,
                 "colour": c.colour, "icon": c.icon, "count": per_category.get(c.id, 0)}
                for c in categories if c.stage_id == stage.id
            ],
        })
    return {"total": total, "stages": tree}


async def _array_counts(conn: AsyncConnection, column: ColumnElement, flt: PlaceFilter,
                        category_ids: list[int]) -> dict[str, int]:
    value = func.unnest(column).label("value")
    inner = select(value).where(*where_clauses(flt, category_ids)).subquery()
    rows = await conn.execute(select(inner.c.value, func.count()).group_by(inner.c.value))
    return dict(rows.all())


async def list_facets(conn: AsyncConnection, flt: PlaceFilter) -> dict[str, dict[str, int]]:
    """Places per target group and per language offered, each counted under every filter but
    its own (as the category counts are), so a checkbox says what ticking it would add."""
    validate(flt)
    category_ids = await resolve_categories(conn, flt.categories)
    flt = await resolve_search(conn, flt)
    return {
        "target_groups": await _array_counts(conn, Place.target_groups,
                                             replace(flt, target_groups=()), category_ids),
        "languages": await _array_counts(conn, Place.languages, replace(flt, languages=()),
                                         category_ids),
    }
