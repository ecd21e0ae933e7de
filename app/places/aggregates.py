"""The cluster aggregates (migrations 0002 and 0013): published places summed per zoom level, grid
cell, category set and target-group set, kept current by triggers. What they can answer exactly,
they answer for a few hundred rows whatever the number of places: the low-zoom map, the filter
panel's counts and the total of the whole directory, of categories or of target groups. Their
members, one row per place, also carry its languages (migration 0015), its folded municipality
and town and its AGS (migration 0016) and its search text (migration 0018)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    TableClause,
    Text,
    cast,
    column,
    func,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import BindParameter

from app.places.municipalities import in_municipalities

if TYPE_CHECKING:
    from app.places.query import PlaceFilter
    from geo.grid import CellRange

FINEST_ZOOM = 12  # the finest zoom with precomputed aggregates; equals the migration's

AGGREGATE_COLUMNS = ("n", "sum_lon", "sum_lat", "min_lon", "min_lat", "max_lon", "max_lat")
# Every published place with a location: its finest cell, sorted categories, target groups,
# languages and municipality, as the triggers keep them for the aggregates (current at every
# commit).
cluster_members = table("cluster_members", column("place_id", Integer), column("lon", Float),
                        column("lat", Float), column("cx", Integer), column("cy", Integer),
                        column("cats", ARRAY(Integer)), column("target_groups", ARRAY(Text)),
                        column("languages", ARRAY(Text)), column("municipality_key", Text),
                        column("city_key", Text), column("ags", Text),
                        column("search_text", Text))
cluster_cells = table("cluster_cells", column("z", Integer), column("cx", Integer),
                      column("cy", Integer), column("cats", ARRAY(Integer)),
                      column("target_groups", ARRAY(Text)),
                      *(column(c) for c in AGGREGATE_COLUMNS))


def members_hold(flt: PlaceFilter) -> bool:
    """Whether the members (and so the aggregates) hold every place the filter can match: they
    are the published places; drafts and archived places have none."""
    return flt.statuses == ("published",)


def matching(flt: PlaceFilter) -> PlaceFilter:
    """The filter as far as it selects places: ``near`` without a radius only orders them,
    nearest first, and matches every place. Counts and cells leave it out: with it they missed
    the aggregates ("near me" at any distance over a million places: the filter panel without
    counts, each view's cells 1.3 s instead of 50 ms)."""
    return replace(flt, near=None) if flt.near is not None and flt.radius_m is None else flt


def aggregates_fit(flt: PlaceFilter) -> bool:
    """Whether the precomputed cells can answer this filter exactly (at their zoom levels)."""
    flt = matching(flt)
    return (members_hold(flt) and not flt.ids and not flt.q and flt.near is None
            and not flt.languages and not flt.municipalities
            and not flt.stages and not flt.equals and flt.updated_from is None
            and flt.updated_to is None)


def members_fit(flt: PlaceFilter) -> bool:
    """Whether the members alone can answer this filter exactly (but for a bbox): what the
    aggregates answer, languages and municipalities, which only the members carry (migrations
    0015 and 0016), and a radius, tested on their coordinates (query.members_within_radius)."""
    return aggregates_fit(replace(flt, languages=(), municipalities=(), near=None, radius_m=None))


def member_clauses(flt: PlaceFilter, category_ids: list[int]) -> list[ColumnElement[bool]]:
    """The members with any of the filter's categories (ids ``category_ids``), any of its
    target groups, any of its languages and in any of its municipalities; the filter's other
    conditions are not tested."""
    clauses = narrowed(*narrowing(flt, category_ids), rows=cluster_members)
    if flt.languages:
        clauses.append(cluster_members.c.languages.overlap(cast(list(flt.languages), ARRAY(Text))))
    if flt.municipalities:
        clauses.append(in_municipalities(cluster_members.c, flt.municipalities))
    return clauses


# Values to narrow by: a request's own, or a statement's parameters (the prepared map views).
Values = list | BindParameter


def narrowed(category_ids: Values | None, target_groups: Values | None,
             rows: TableClause = cluster_cells) -> list[ColumnElement[bool]]:
    """The aggregates' rows (or their members) of places with any of ``category_ids`` and any
    of ``target_groups`` (None: not chosen). A row's places share one category set and one
    target-group set, so a row matches as a whole and a place is never counted twice."""
    c = rows.c
    clauses = []
    if category_ids is not None:
        clauses.append(c.cats.overlap(category_ids))
    if target_groups is not None:
        clauses.append(c.target_groups.overlap(target_groups))
    return clauses


def narrowing(flt: PlaceFilter, category_ids: list[int]
              ) -> tuple[list[int] | None, list[str] | None]:
    """What a filter narrows the aggregates by (see narrowed): the ids of its categories and its
    target groups, None where it chose none."""
    return (category_ids if flt.categories else None, list(flt.target_groups) or None)


async def total(conn: AsyncConnection, flt: PlaceFilter, category_ids: list[int],
                cells: CellRange | None = None) -> int:
    """The published places with the filter's categories and target groups (see narrowing), in
    the cells of ``cells`` or everywhere: each zoom holds a place in exactly one row (its cell,
    category set and target-group set), so the sum counts it once. Exact for a filter that the
    aggregates fit; for any other, at least as many as match it."""
    c = cluster_cells.c
    where = ([c.z == 0] if cells is None else
             [c.z == cells.zoom, c.cx.between(cells.min_x, cells.max_x),
              c.cy.between(cells.min_y, cells.max_y)])
    counted = (select(func.coalesce(func.sum(c.n), 0))
               .where(*where, *narrowed(*narrowing(flt, category_ids))))
    return int((await conn.execute(counted)).scalar_one())
