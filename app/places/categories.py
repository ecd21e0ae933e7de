"""The category tree along the learning biography, with counts under a filter."""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import Category, Place, PlaceCategory, Stage
from app.places.query import PlaceFilter, validate, where_clauses


def _name(names: dict[str, str], lang: str) -> str:
    return names.get(lang) or names["de"]


async def category_tree(conn: AsyncConnection, flt: PlaceFilter, lang: str) -> dict[str, Any]:
    validate(flt)
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
