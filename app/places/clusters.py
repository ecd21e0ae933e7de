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
    Float,
    Integer,
    Numeric,
    Select,
    bindparam,
    cast,
    func,
    literal,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import String, Text

from app.db import Prepared
from app.models import Category, Place, PlaceCategory, Stage
from app.places import aggregates
from app.places.aggregates import (
    AGGREGATE_COLUMNS,
    FINEST_ZOOM,
    Values,
    aggregates_fit,
    cluster_cells,
    cluster_members,
    matching,
    member_clauses,
    members_fit,
    members_hold,
    narrowed,
    narrowing,
)
from app.places.query import (
    PlaceFilter,
    members_within_radius,
    resolve_categories,
    resolve_search,
    search_clauses,
    search_on_members,
    validate,
    where_clauses,
)
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


def _mercator_cells(lon, lat, zoom: int) -> tuple[Any, Any]:
    """The cell (x, y) at ``zoom`` of a longitude and latitude, as geo/grid.py numbers them."""
    clamped = func.radians(func.least(func.greatest(lat, -85.0511), 85.0511))
    x = (lon + 180.0) / 360.0
    y = (1.0 - func.ln(func.tan(clamped) + 1.0 / func.cos(clamped)) / func.pi()) / 2.0
    return _mercator_cell(x, zoom), _mercator_cell(y, zoom)


def _on_the_fly(flt: PlaceFilter, cells: CellRange, category_ids: list[int],
                text_on_members: bool = False) -> Select:
    """The matching places summed per cell and set of categories, in the shape of the
    aggregates. Summed here, because everything after (numbering, a row per category, two
    counts per cell) costs per row: for a search that a fifth of a million places match,
    220,000 rows became a few thousand.

    Published places take their coordinates, finest cell and categories from the aggregates'
    members, where the triggers keep them: computing the projection and collecting the
    categories per place was over half of the time (``q=Kita`` over Germany at zoom 6, 220,000
    places: 2.4 -> 1.0 s; Frankfurt at zoom 14, 3,600 members: 94 -> 35 ms together with the
    lookup of category sets in _features). A coarser zoom's cell is the finest cell shifted,
    exactly as the aggregates sum them; a finer zoom's cell lies within one finest cell, which
    finds the members by their index. With ``text_on_members``, the search is tested on the
    members' own text (see _search_on_members)."""
    m = cluster_members.c
    if members_hold(flt):
        if cells.zoom <= FINEST_ZOOM:
            shift = FINEST_ZOOM - cells.zoom
            cx, cy = m.cx.op(">>")(shift), m.cy.op(">>")(shift)
            finest = CellRange(FINEST_ZOOM, cells.min_x << shift, ((cells.max_x + 1) << shift) - 1,
                               cells.min_y << shift, ((cells.max_y + 1) << shift) - 1)
        else:
            shift = cells.zoom - FINEST_ZOOM
            cx, cy = _mercator_cells(m.lon, m.lat, cells.zoom)
            finest = CellRange(FINEST_ZOOM, cells.min_x >> shift, cells.max_x >> shift,
                               cells.min_y >> shift, cells.max_y >> shift)
        member_filter = member_clauses(flt, category_ids)
        rest = replace(flt, bbox=None, categories=(), target_groups=(), languages=(),
                       municipalities=())
        if text_on_members:
            member_filter += search_clauses(flt, m.search_text)
            rest = replace(rest, q=None, search_patterns=())
        if flt.radius_m is not None and members_fit(rest):
            # Nothing else needs the places: the members around the point, with the radius
            # tested on their own coordinates (their places'). 25 km around Frankfurt in a view
            # of Germany joined 960,000 members to the places, 293 ms, now 31,000 members alone,
            # 114 ms. Beside a search the places' own index finds the matches first (narrowing
            # the members there made the planner loop over them).
            member_filter += members_within_radius(flt)
            rest = PlaceFilter()
        # The members of the cells, by their index, as the planner can estimate them: else it
        # read all million members for the 9,000 places of a region. The cells themselves are
        # the box (tested on the sums below), and categories, target groups, languages and
        # municipalities are tested on the members, which hold them: members are the published
        # places, current at every commit (joined to the places for them, a language over
        # Germany at zoom 7 took 275 ms, now 97; a category in Frankfurt at zoom 14 56, now 32;
        # Berlin's municipality in its own view 1.06 s). Other filters are tested on the places,
        # with the box, whose index may find them first.
        places = (select(cx.label("cx"), cy.label("cy"), m.cats, m.lon, m.lat)
                  .where(m.cx.between(finest.min_x, finest.max_x),
                         m.cy.between(finest.min_y, finest.max_y), *member_filter))
        if rest != PlaceFilter():
            places = (places.join(Place, Place.id == m.place_id)
                      .where(*where_clauses(replace(rest, bbox=cells.bbox()), [])))
    else:
        selected = where_clauses(replace(flt, bbox=cells.bbox()), category_ids)
        lon, lat = func.ST_X(Place.geom), func.ST_Y(Place.geom)
        cx, cy = _mercator_cells(lon, lat, cells.zoom)
        # Sorted, so that places with the same categories fall into one group.
        cats = (select(func.coalesce(
                    func.array_agg(aggregate_order_by(PlaceCategory.category_id,
                                                      PlaceCategory.category_id)),
                    cast([], ARRAY(Integer))))
                .where(PlaceCategory.place_id == Place.id).scalar_subquery())
        places = select(cx.label("cx"), cy.label("cy"), cats.label("cats"),
                        lon.label("lon"), lat.label("lat")).where(Place.geom.isnot(None), *selected)
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


def _summed(rows: Any) -> list[Any]:
    """The aggregate columns of ``rows`` summed over a group, under their own names."""
    c = rows.c
    # A count stays an integer (a sum of sums would become numeric).
    return [cast(func.sum(c.n), Integer).label("n"), func.sum(c.sum_lon).label("sum_lon"),
            func.sum(c.sum_lat).label("sum_lat"), func.min(c.min_lon).label("min_lon"),
            func.min(c.min_lat).label("min_lat"), func.max(c.max_lon).label("max_lon"),
            func.max(c.max_lat).label("max_lat")]


# Every category set of a published place: the coarsest aggregates hold each set (388 rows at a
# million synthetic places, which the planner estimates well).
PUBLISHED_SETS = select(cluster_cells.c.cats).where(cluster_cells.c.z == 0)


def _features(source: Select, zoom: int, sets_from: Select | None = None) -> Select:
    """One Feature per non-empty cell, with counts per category and per stage.

    Written without joins whose cost depends on the planner's estimates: it cannot estimate the
    rows of a view (aggregates over correlated zoom and cell columns, places filtered on the
    fly), and expecting one row it joined every row to every category set by nested loop:
    Germany at zoom 6, 10,158 rows against 400 sets, took 950 ms. Category sets are few
    whatever the number of rows, so their categories and stages are looked up once, into one
    JSON object keyed by the set, where each row finds its set's. A stage is listed
    once per set, so a place with two categories of one stage counts once for that stage. The
    totals and both counts of a cell then come from one aggregation per cell."""
    given = source.subquery("given")
    # One row per cell and category set: the aggregates split them further by target groups
    # (Germany at zoom 6: 10,158 rows, 6,856 cells and sets).
    src = (select(given.c.cx, given.c.cy, given.c.cats, *_summed(given))
           .group_by(given.c.cx, given.c.cy, given.c.cats).cte("src"))
    # The sets to look up: ``sets_from`` holds every set the rows may have; without it, the
    # rows' own (sorted to find them: ~1 µs a row).
    known = sets_from.subquery("known") if sets_from is not None else src
    sets = select(known.c.cats).distinct().subquery("category_sets")
    # What a set counts for: each of its categories, and each of their stages once.
    pair = {kind: func.jsonb_build_array(kind, slug).distinct()
            for kind, slug in (("categories", Category.slug), ("stages", Stage.slug))}
    per_set = (select(cast(sets.c.cats, Text).label("set"),
                      func.jsonb_agg(pair["categories"]).op("||")(func.jsonb_agg(pair["stages"]))
                      .label("counts"))
               .select_from(sets.join(Category, Category.id == func.any(sets.c.cats))
                            .join(Stage, Stage.id == Category.stage_id))
               .group_by(sets.c.cats).subquery("per_set"))
    lookup = (select(func.jsonb_object_agg(per_set.c.set, per_set.c.counts).label("sets"))
              .cte("set_lookup").prefix_with("MATERIALIZED"))
    pairs = (select(src.c.cx, src.c.cy, src.c.n, func.jsonb_array_elements(
                 lookup.c.sets.op("->")(cast(src.c.cats, Text))).label("pair"))
             .select_from(src.join(lookup, true())).subquery("pairs"))
    none = literal(None)
    place_rows = select(src.c.cx, src.c.cy, literal("place").label("kind"),
                        cast(none, Text).label("slug"), *(src.c[name] for name in AGGREGATE_COLUMNS))
    slug_rows = select(pairs.c.cx, pairs.c.cy, pairs.c.pair.op("->>")(0),
                       pairs.c.pair.op("->>")(1), pairs.c.n,
                       *(cast(none, Float) for _ in AGGREGATE_COLUMNS[1:]))
    rows = union_all(place_rows, slug_rows).subquery("cell_rows")
    # Summed per slug first: a cell's rows of one slug come from several category sets.
    summed = (select(rows.c.cx, rows.c.cy, rows.c.kind, rows.c.slug, *_summed(rows))
              .group_by(rows.c.cx, rows.c.cy, rows.c.kind, rows.c.slug).subquery("summed"))
    of_kind = {kind: summed.c.kind == kind for kind in ("place", "categories", "stages")}
    n = func.sum(summed.c.n).filter(of_kind["place"])
    cells = (
        select(summed.c.cx, summed.c.cy, n.label("n"),
               (func.sum(summed.c.sum_lon) / n).label("lon"),
               (func.sum(summed.c.sum_lat) / n).label("lat"),
               *(func.min(summed.c[name]).label(name) for name in ("min_lon", "min_lat")),
               *(func.max(summed.c[name]).label(name) for name in ("max_lon", "max_lat")),
               *(func.json_object_agg(summed.c.slug, summed.c.n).filter(of_kind[kind]).label(kind)
                 for kind in ("categories", "stages")))
        .group_by(summed.c.cx, summed.c.cy).subquery("cells")
    )

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
            "categories", func.coalesce(cells.c.categories, func.json(empty)),
            "stages", func.coalesce(cells.c.stages, func.json(empty)),
            "bbox", func.json_build_array(rounded(cells.c.min_lon), rounded(cells.c.min_lat),
                                          rounded(cells.c.max_lon), rounded(cells.c.max_lat)),
        ),
    )
    return select(cast(feature, String).label("feature"), cells.c.n).order_by(cells.c.cy,
                                                                              cells.c.cx)


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
        _CELLS_TEMPLATE.zoom, PUBLISHED_SETS))


async def _search_on_members(conn: AsyncConnection, flt: PlaceFilter, cells: CellRange,
                             max_cells: int) -> bool:
    """Whether a search's cells are counted on the text of the view's members (see
    query.search_on_members; their number from the aggregates). ``q=Kita`` in Berlin's view,
    112,000 members against 220,000 matches: 1.36 s -> 71 ms; a name a hundred places share,
    over Germany, stays with the places' index."""
    if not flt.q:
        return False
    view = cells if cells.zoom <= FINEST_ZOOM else fitting_range(flt.bbox, FINEST_ZOOM, max_cells)
    return await search_on_members(conn, flt, await aggregates.total(conn, PlaceFilter(), [], view))


async def fetch_clusters(conn: AsyncConnection, flt: PlaceFilter, zoom: int, max_cells: int,
                         use_aggregates: bool = True, live_max_places: int = 5000) -> Clusters:
    if flt.bbox is None:
        raise InvalidParameter("bbox", "clusters need the map's bbox=minLon,minLat,maxLon,maxLat")
    validate(flt)
    flt = matching(flt)
    category_ids = await resolve_categories(conn, flt.categories)
    flt = await resolve_search(conn, flt)
    cells = fitting_range(flt.bbox, zoom, max_cells)
    if use_aggregates and aggregates_fit(flt) and cells.zoom > FINEST_ZOOM:
        finest = fitting_range(flt.bbox, FINEST_ZOOM, max_cells)
        if await aggregates.total(conn, flt, category_ids, finest) > live_max_places:
            cells = finest  # too many places to count one by one within a map move
    if use_aggregates and uses_aggregates(flt, cells.zoom):
        by_category, by_target_group = narrowing(flt, category_ids)
        rows: Sequence[Any] = await _prepared_aggregated(
            by_category is not None, by_target_group is not None).fetch(conn, {
                "zoom": cells.zoom, "min_x": cells.min_x, "max_x": cells.max_x,
                "min_y": cells.min_y, "max_y": cells.max_y, "category_ids": by_category,
                "target_groups": by_target_group})
    else:
        on_members = await _search_on_members(conn, flt, cells, max_cells)
        rows = (await conn.execute(_features(_on_the_fly(flt, cells, category_ids, on_members),
                                             cells.zoom,
                                             PUBLISHED_SETS if members_hold(flt) else None))
                ).all()
    return Clusters(features=[feature for feature, _ in rows],
                    number_matched=sum(n for _, n in rows), cells=cells)


def bbox_list(bbox: BBox) -> list[float]:
    return [round(v, 6) for v in (bbox.min_lon, bbox.min_lat, bbox.max_lon, bbox.max_lat)]
