"""Clusters for the low-zoom map: published places counted per grid cell (see geo/grid.py), each
cell a GeoJSON Point at the centroid of its places with the category and stage mix.

Two sources give the same answer. Filters that only narrow by bbox, category and target group
read the aggregates that the clusters migrations keep current with triggers (a few hundred rows,
whatever the number of places); every other filter (q, near, language, municipality, or a zoom
finer than the aggregates) aggregates the matching places on the fly, selected by the one
query builder, so a filter means the same on the clustered map as in the list.

Counts refer to whole cells: the bbox asked for is widened to the cells it touches, and the
collection's ``bbox`` says which area ``numberMatched`` covers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Integer,
    Numeric,
    Select,
    and_,
    bindparam,
    cast,
    func,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.selectable import CTE, Subquery
from sqlalchemy.types import String, Text

from app.db import Prepared
from app.models import Category, Place, PlaceCategory, Stage
from app.places.aggregates import (
    AGGREGATE_COLUMNS,
    FINEST_ZOOM,
    Values,
    aggregates_fit,
    cluster_cells,
    cluster_members,
    narrowed,
    narrowing,
)
from app.places.query import PlaceFilter, resolve_categories, resolve_search, validate, where_clauses
from geo.errors import InvalidParameter
from geo.grid import CellRange, fitting_range
from geo.params import BBox


@dataclass
class Clusters:
    features: list[str]  # GeoJSON Features as JSON text
    number_matched: int
    cells: CellRange


def uses_aggregates(flt: PlaceFilter, zoom: int) -> bool:
    return zoom <= FINEST_ZOOM and aggregates_fit(flt)


def _from_aggregates(cells: CellRange, category_ids: Values | None,
                     target_groups: Values | None) -> Select:
    """The aggregated cells of the range, narrowed as aggregates.narrowed() says."""
    c = cluster_cells.c
    return select(c.cx, c.cy, c.cats, *(c[name] for name in AGGREGATE_COLUMNS)).where(
        c.z == cells.zoom, c.cx.between(cells.min_x, cells.max_x),
        c.cy.between(cells.min_y, cells.max_y), *narrowed(category_ids, target_groups))


def _mercator_cell(value, zoom: int):
    return cast(func.floor(value * literal(float(2 ** (zoom + 2)))), Integer)


def _on_the_fly(flt: PlaceFilter, cells: CellRange, category_ids: list[int]) -> Select:
    """The matching places summed per cell and set of categories, in the shape of the
    aggregates. Summed here, because everything after (numbering, a row per category, two
    counts per cell) costs per row: for a search that a fifth of a million places match,
    220,000 rows became a few thousand.

    Published places take their cell and categories from the aggregates' members, where the
    triggers keep them: computing the projection and collecting the categories per place was
    over half of the time (``q=Kita`` over Germany at zoom 6, 220,000 places: 2.4 -> 1.0 s).
    A zoom's cell is the finest cell shifted, exactly as the aggregates sum them."""
    matching = where_clauses(replace(flt, bbox=cells.bbox()), category_ids)
    m = cluster_members.c
    if flt.statuses == ("published",) and cells.zoom <= FINEST_ZOOM:
        shift = FINEST_ZOOM - cells.zoom
        places = (select(m.cx.op(">>")(shift).label("cx"), m.cy.op(">>")(shift).label("cy"),
                         m.cats, m.lon, m.lat)
                  .select_from(cluster_members.join(Place, Place.id == m.place_id))
                  # The members of the cells, by their index, as the planner can estimate them:
                  # else it read all million members for the 9,000 places of a region.
                  .where(m.cx.between(cells.min_x << shift, ((cells.max_x + 1) << shift) - 1),
                         m.cy.between(cells.min_y << shift, ((cells.max_y + 1) << shift) - 1),
                         *matching))
    else:  # cells finer than the members' (a close view), or places not published
        lon, lat = func.ST_X(Place.geom), func.ST_Y(Place.geom)
        clamped = func.radians(func.least(func.greatest(lat, -85.0511), 85.0511))
        x = (lon + 180.0) / 360.0
        y = (1.0 - func.ln(func.tan(clamped) + 1.0 / func.cos(clamped)) / func.pi()) / 2.0
        # Sorted, so that places with the same categories fall into one group.
        cats = (select(func.coalesce(
                    func.array_agg(aggregate_order_by(PlaceCategory.category_id,
                                                      PlaceCategory.category_id)),
                    cast([], ARRAY(Integer))))
                .where(PlaceCategory.place_id == Place.id).scalar_subquery())
        places = select(_mercator_cell(x, cells.zoom).label("cx"),
                        _mercator_cell(y, cells.zoom).label("cy"), cats.label("cats"),
                        lon.label("lon"), lat.label("lat")).where(Place.geom.isnot(None), *matching)
    p = places.subquery("matching")
    summed = (select(p.c.cx, p.c.cy, p.c.cats, cast(func.count(), Integer).label("n"),
                     func.sum(p.c.lon).label("sum_lon"), func.sum(p.c.lat).label("sum_lat"),
                     func.min(p.c.lon).label("min_lon"), func.min(p.c.lat).label("min_lat"),
                     func.max(p.c.lon).label("max_lon"), func.max(p.c.lat).label("max_lat"))
              .group_by(p.c.cx, p.c.cy, p.c.cats)
              # The cell range is tested on the sums (OFFSET 0 keeps it there): tested on each
              # place, it made the planner expect a handful of places instead of 220,000 and
              # sort them on disk. The box already holds just these cells, but for places on
              # its far edges.
              .offset(0).subquery("summed"))
    return (select(*summed.c)
            .where(summed.c.cx.between(cells.min_x, cells.max_x),
                   summed.c.cy.between(cells.min_y, cells.max_y)))


def _counts_per_cell(rows: Subquery, name: str) -> CTE:
    """{slug: places} per cell from rows of (cx, cy, slug, n), computed once (MATERIALIZED)."""
    summed = (select(rows.c.cx, rows.c.cy, rows.c.slug, func.sum(rows.c.n).label("n"))
              .group_by(rows.c.cx, rows.c.cy, rows.c.slug).subquery(f"{name}_summed"))
    return (select(summed.c.cx, summed.c.cy,
                   func.json_object_agg(summed.c.slug, summed.c.n).label("counts"))
            .group_by(summed.c.cx, summed.c.cy)
            .cte(name).prefix_with("MATERIALIZED"))


def _features(source: Select, zoom: int) -> Select:
    """One Feature per non-empty cell, with counts per category and per stage."""
    src = source.cte("src")
    cells = (
        select(src.c.cx, src.c.cy, func.sum(src.c.n).label("n"),
               (func.sum(src.c.sum_lon) / func.sum(src.c.n)).label("lon"),
               (func.sum(src.c.sum_lat) / func.sum(src.c.n)).label("lat"),
               func.min(src.c.min_lon).label("min_lon"), func.min(src.c.min_lat).label("min_lat"),
               func.max(src.c.max_lon).label("max_lon"), func.max(src.c.max_lat).label("max_lat"))
        .group_by(src.c.cx, src.c.cy).subquery("cells")
    )
    # Category sets are few (dozens, whatever the number of rows): the categories and stages of
    # each set are looked up once, and every row joins its set's by hash. A stage is listed
    # once per set, so a place with two categories of one stage counts once for that stage.
    # Numbering the rows and unnesting each row's categories instead cost ~2 µs a row: Germany
    # at zoom 7 (19,000 rows since target groups split them) 82 → 61 ms.
    sets = select(src.c.cats).distinct().cte("category_sets").prefix_with("MATERIALIZED")
    set_categories = (select(sets.c.cats, Category.slug, Category.stage_id)
                      .select_from(sets.join(Category, Category.id == func.any(sets.c.cats)))
                      .cte("set_categories").prefix_with("MATERIALIZED"))
    set_stages = (select(set_categories.c.cats, Stage.slug)
                  .select_from(set_categories.join(Stage,
                                                   Stage.id == set_categories.c.stage_id))
                  .distinct().cte("set_stages").prefix_with("MATERIALIZED"))
    # The counts are computed once each (MATERIALIZED): the planner cannot estimate the cell
    # rows and would otherwise recompute them for every cell of a nested loop.
    categories, stages = (
        _counts_per_cell(select(src.c.cx, src.c.cy, per_set.c.slug, src.c.n)
                         .select_from(src.join(per_set, per_set.c.cats == src.c.cats))
                         .subquery(f"{name}_rows"), f"{name}_counts")
        for name, per_set in (("category", set_categories), ("stage", set_stages)))

    def rounded(value):
        return func.round(cast(value, Numeric), 6)

    empty = cast("{}", String)
    feature = func.json_build_object(
        "type", "Feature",
        "id", func.concat(zoom, "/", cells.c.cx, "/", cells.c.cy),
        "geometry", func.json_build_object(
            "type", "Point", "coordinates", func.json_build_array(rounded(cells.c.lon),
                                                                  rounded(cells.c.lat))),
        "properties", func.json_build_object(
            "count", cells.c.n,
            "categories", func.coalesce(categories.c.counts, func.json(empty)),
            "stages", func.coalesce(stages.c.counts, func.json(empty)),
            "bbox", func.json_build_array(rounded(cells.c.min_lon), rounded(cells.c.min_lat),
                                          rounded(cells.c.max_lon), rounded(cells.c.max_lat)),
        ),
    )
    same_cell = lambda other: and_(other.c.cx == cells.c.cx, other.c.cy == cells.c.cy)  # noqa: E731
    return (
        select(cast(feature, String).label("feature"), cells.c.n)
        .select_from(cells.outerjoin(categories, same_cell(categories))
                     .outerjoin(stages, same_cell(stages)))
        .order_by(cells.c.cy, cells.c.cx)
    )


# The map's low-zoom views read the aggregates in one of four shapes (with or without
# categories, with or without target groups): built once with parameters, as the map's hot
# /api/places shapes are (query._prepared_page): building the statement cost several ms of
# Python per map move.
_CELLS_TEMPLATE = CellRange(*(bindparam(name, type_=Integer)
                              for name in ("zoom", "min_x", "max_x", "min_y", "max_y")))


@lru_cache(maxsize=4)
def _prepared_aggregated(by_category: bool, by_target_group: bool) -> Prepared:
    return Prepared.of(_features(_from_aggregates(
        _CELLS_TEMPLATE,
        bindparam("category_ids", type_=ARRAY(Integer)) if by_category else None,
        bindparam("target_groups", type_=ARRAY(Text)) if by_target_group else None),
        _CELLS_TEMPLATE.zoom))


async def _aggregated_places(conn: AsyncConnection, cells: CellRange, flt: PlaceFilter,
                             category_ids: list[int]) -> int:
    counted = _from_aggregates(cells, *narrowing(flt, category_ids)).subquery("counted")
    total = select(func.coalesce(func.sum(counted.c.n), 0))
    return int((await conn.execute(total)).scalar_one())


async def fetch_clusters(conn: AsyncConnection, flt: PlaceFilter, zoom: int, max_cells: int,
                         use_aggregates: bool = True, live_max_places: int = 5000) -> Clusters:
    if flt.bbox is None:
        raise InvalidParameter("bbox", "clusters need the map's bbox=minLon,minLat,maxLon,maxLat")
    validate(flt)
    category_ids = await resolve_categories(conn, flt.categories)
    flt = await resolve_search(conn, flt)
    cells = fitting_range(flt.bbox, zoom, max_cells)
    if use_aggregates and aggregates_fit(flt) and cells.zoom > FINEST_ZOOM:
        finest = fitting_range(flt.bbox, FINEST_ZOOM, max_cells)
        if await _aggregated_places(conn, finest, flt, category_ids) > live_max_places:
            cells = finest  # too many places to count one by one within a map move
    if use_aggregates and uses_aggregates(flt, cells.zoom):
        by_category, by_target_group = narrowing(flt, category_ids)
        rows: Sequence[Any] = await _prepared_aggregated(
            by_category is not None, by_target_group is not None).fetch(conn, {
                "zoom": cells.zoom, "min_x": cells.min_x, "max_x": cells.max_x,
                "min_y": cells.min_y, "max_y": cells.max_y, "category_ids": by_category,
                "target_groups": by_target_group})
    else:
        rows = (await conn.execute(_features(_on_the_fly(flt, cells, category_ids),
                                             cells.zoom))).all()
    return Clusters(features=[feature for feature, _ in rows],
                    number_matched=sum(n for _, n in rows), cells=cells)


def bbox_list(bbox: BBox) -> list[float]:
    return [round(v, 6) for v in (bbox.min_lon, bbox.min_lat, bbox.max_lon, bbox.max_lat)]
