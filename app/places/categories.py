"""The category tree along the learning biography, with counts under a filter."""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, select, tuple_, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db import estimated_rows
from app.models import Category, Place, PlaceCategory, Stage
from app.places import aggregates
from app.places.aggregates import (
    aggregates_fit,
    cluster_cells,
    cluster_members,
    matching,
    member_clauses,
    members_fit,
    narrowed,
)
from app.places.query import PlaceFilter, resolve_categories, resolve_search, validate, where_clauses
from app.places.query import (
    cells_around,
    count_matched,
    members_within_radius,
    search_clauses,
    search_on_members,
)


def _name(names: dict[str, str], lang: str) -> str:
    return names.get(lang) or names["de"]


@dataclass
class FacetLimits:
    """How the counts of one answer may be paid for: from the cluster aggregates where they
    answer the filter exactly, live over at most ``max_places`` matching places, otherwise not
    at all. ``too_many`` remembers, for this answer only, which filters were found to match
    more: the category tree and the facets often ask about the same filter (a search alone),
    and finding out counts up to ``max_places`` matches (``q=Kita`` over a million places:
    0.1 s each)."""

    use_aggregates: bool = True
    max_places: int = 50_000
    too_many: dict[tuple[PlaceFilter, tuple[int, ...]], bool] = field(default_factory=dict)
    # The members of a radius or a search, grouped once for the tree and every facet
    # (_member_groups).
    member_groups: dict[PlaceFilter, list["Group"] | None] = field(default_factory=dict)
    # Whether a search is tested on the members' text, decided once per filter but its
    # categories and target groups (_by_members).
    search_on_members: dict[PlaceFilter, bool] = field(default_factory=dict)


# Members within a radius that share a category set, target groups and languages: those three
# and their number.
Group = tuple[list[int], list[str], list[str], int]
CATS, TARGET_GROUPS, LANGUAGES, PLACES = range(4)  # positions in a Group


# The counts of a category tree: per category id, per stage id, and all places.
TreeCounts = tuple[dict[int, int], dict[int, int], int]


async def _tree_counts_live(conn: AsyncConnection, flt: PlaceFilter) -> TreeCounts:
    """One pass over the matching places: grouping sets count per category, per stage (a place
    in two categories of one stage once) and all places (also those without a category)."""
    matching = (select(PlaceCategory.category_id, Category.stage_id, Place.id)
                .select_from(Place)
                .outerjoin(PlaceCategory, PlaceCategory.place_id == Place.id)
                .outerjoin(Category, Category.id == PlaceCategory.category_id)
                .where(*where_clauses(flt, []))
                .subquery())
    rows = (await conn.execute(
        select(func.grouping(matching.c.category_id, matching.c.stage_id).label("set"),
               matching.c.category_id, matching.c.stage_id,
               func.count(matching.c.id.distinct()).label("n"))
        .group_by(func.grouping_sets(matching.c.category_id, matching.c.stage_id, tuple_()))
    )).all()
    # grouping(): 1 = by category (stage rolled up), 2 = by stage, 3 = everything.
    per_category = {r.category_id: r.n for r in rows if r.set == 1 and r.category_id is not None}
    per_stage = {r.stage_id: r.n for r in rows if r.set == 2 and r.stage_id is not None}
    total = next((r.n for r in rows if r.set == 3), 0)
    return per_category, per_stage, total


def _tree_counts_of_sets(sets: Iterable[tuple[list[int], int]], stage_of: dict[int, int]
                        ) -> TreeCounts:
    """The counts from the places per category set (``sets``: a set and its number of places,
    a few hundred at most; ``stage_of``: each category's stage): a stage counts a place once
    however many of its categories it has."""
    per_category: dict[int, int] = {}
    per_stage: dict[int, int] = {}
    total = 0
    for cats, n in sets:
        total += n
        for category_id in cats:
            per_category[category_id] = per_category.get(category_id, 0) + n
        for stage_id in {stage_of[category_id] for category_id in cats}:
            per_stage[stage_id] = per_stage.get(stage_id, 0) + n
    return per_category, per_stage, total


def _aggregated_sets(target_groups: tuple[str, ...]) -> Select:
    """Every published place's category set, or of those for any of ``target_groups``, from the
    coarsest aggregates, where each place is in exactly one row."""
    c = cluster_cells.c
    return (select(c.cats, func.sum(c.n))
            .where(c.z == 0, *narrowed(None, list(target_groups) or None)).group_by(c.cats))


def _members_matching(flt: PlaceFilter, category_ids: list[int]) -> list[ColumnElement]:
    """The members that a filter fitting them (see members_fit), with or without a search,
    matches: the search is tested on their own text."""
    clauses = member_clauses(flt, category_ids)
    if flt.near is not None and flt.radius_m is not None:
        clauses += members_within_radius(flt)
    if flt.q:
        clauses += search_clauses(flt, cluster_members.c.search_text)
    return clauses


def _member_sets(flt: PlaceFilter) -> Select:
    """The category sets of the members that a filter fitting them matches (see members_fit):
    a language's 34,000 places of a million were joined to their categories one by one."""
    m = cluster_members.c
    return select(m.cats, func.count()).where(*_members_matching(flt, [])).group_by(m.cats)


async def _more_than(conn: AsyncConnection, flt: PlaceFilter, category_ids: list[int],
                     limits: FacetLimits) -> bool:
    """Whether more than ``limits.max_places`` places match: from the aggregates where they
    answer the filter (counting 50,000 of a category's 84,000 places to learn that it has too
    many took 0.3 s, twice per filter change), otherwise counted up to that many."""
    key = (flt, tuple(category_ids))
    if key not in limits.too_many:
        if limits.use_aggregates and flt.bbox is None and aggregates_fit(flt):
            found = await aggregates.total(conn, flt, category_ids)
            limits.too_many[key] = found > limits.max_places
        elif await _by_members(conn, flt, limits):
            counted = (select(literal(1)).where(*_members_matching(flt, category_ids))
                       .limit(limits.max_places + 1).subquery())
            found = (await conn.execute(select(func.count()).select_from(counted))).scalar_one()
            limits.too_many[key] = found > limits.max_places
        else:
            limits.too_many[key] = (await count_matched(conn, flt, category_ids,
                                                        limits.max_places) is None)
    return limits.too_many[key]


async def _by_members(conn: AsyncConnection, flt: PlaceFilter, limits: FacetLimits) -> bool:
    """Whether a filter's places are found among the aggregates' members, by their index of
    languages, of municipalities or of cells (a radius): without any the members would be read
    whole (they have no index of categories), where the places' own index finds a small
    category's few places. The filter panel within 25 km of Frankfurt (31,000 places of a
    million) 649 -> 275 ms, with a category 855 -> 271 ms.

    A search is tested on the text of the members those indexes find when they are few enough
    for its matches (query.search_on_members): ``q=Kita`` in Berlin's embed, 28,000 of Berlin's
    124,000 places, 560 -> 240 ms (89 ms grouped once, see _member_groups). Counted place by
    place, such a filter finds its places by two indexes at once (the trigram index and the
    municipality's or language's), so the members pay off at half as many per match as on the
    map (``q=Goethe`` in Berlin, 5,500 places: 157 ms place by place, 202 ms on the members).
    Categories and target groups are tested on each member read, so they leave the choice as
    it is: it is made once for all the counts that differ only in those."""
    if not (limits.use_aggregates and flt.bbox is None
            and (bool(flt.languages) or bool(flt.municipalities) or flt.radius_m is not None)):
        return False
    unsearched = replace(flt, q=None, search_patterns=())
    if not flt.q or not members_fit(unsearched):
        return members_fit(flt)
    read = replace(flt, categories=(), target_groups=())
    if read not in limits.search_on_members:
        members = await estimated_rows(conn, select(cluster_members.c.place_id).where(
            *_members_matching(replace(read, q=None, search_patterns=()), [])))
        limits.search_on_members[read] = await search_on_members(conn, read, members, share=0.5)
    return limits.search_on_members[read]


async def _member_groups(conn: AsyncConnection, flt: PlaceFilter, limits: FacetLimits
                         ) -> list[Group] | None:
    """The members that the filter matches but for its categories, target groups and languages,
    in groups (see Group): the tree and both facets count from these few hundred rows under
    their own part of the filter, after one pass over the members instead of one per count.
    Two kinds of filter are grouped: a radius, where the aggregates hold at most
    ``limits.max_places`` places in the cells around it (three passes, 200 ms, within 25 km of
    Frankfurt at a million places); and a search tested on the members' text beside a
    municipality or a radius (see _by_members), whose members each count would read again
    (``q=Kita`` in Berlin's embed: 217 -> 89 ms). None for any other filter: each count is then
    paid for on its own."""
    if not (limits.use_aggregates and flt.bbox is None):
        return None
    grouped = replace(flt, categories=(), target_groups=(), languages=())
    if grouped not in limits.member_groups:
        if grouped.q:
            read = await _by_members(conn, grouped, limits)
        else:
            read = (grouped.radius_m is not None and members_fit(grouped)
                    and await aggregates.total(conn, grouped, [], cells_around(grouped))
                    <= limits.max_places)
        groups: list[Group] | None = None
        if read:
            m = cluster_members.c
            groups = [(cats, target_groups, languages, n) for cats, target_groups, languages, n
                      in await conn.execute(
                          select(m.cats, m.target_groups, m.languages, func.count())
                          .where(*_members_matching(grouped, []))
                          .group_by(m.cats, m.target_groups, m.languages))]
        limits.member_groups[grouped] = groups
    return limits.member_groups[grouped]


def _groups_matching(groups: list[Group], flt: PlaceFilter, category_ids: list[int]
                     ) -> list[Group]:
    """The groups whose places have one of the filter's categories (ids ``category_ids``), one
    of its target groups and one of its languages, as member_clauses select members."""
    wanted_categories = set(category_ids)
    return [g for g in groups
            if (not flt.categories or wanted_categories.intersection(g[CATS]))
            and (not flt.target_groups or not set(flt.target_groups).isdisjoint(g[TARGET_GROUPS]))
            and (not flt.languages or not set(flt.languages).isdisjoint(g[LANGUAGES]))]


def _within(groups: list[Group], limits: FacetLimits) -> list[Group] | None:
    """The groups, or None where they hold more places than the counts may count."""
    return None if sum(g[PLACES] for g in groups) > limits.max_places else groups


def _per_value(groups: list[Group] | None, position: int) -> dict[str, int] | None:
    """Places per element of each group's array at ``position`` (target groups, languages)."""
    if groups is None:
        return None
    counts: dict[str, int] = {}
    for group in groups:
        for value in group[position]:
            counts[value] = counts.get(value, 0) + group[PLACES]
    return counts


async def category_tree(conn: AsyncConnection, flt: PlaceFilter, lang: str,
                        limits: FacetLimits) -> dict[str, Any]:
    """Stages and categories with their counts; a count is None where it would cost more than
    ``limits`` allow (a search for a common word over a national directory)."""
    validate(flt)
    flt = await resolve_search(conn, matching(flt))
    stages = (await conn.execute(select(Stage).order_by(Stage.sort_order))).all()
    categories = (await conn.execute(select(Category).order_by(Category.sort_order))).all()
    stage_of = {c.id: c.stage_id for c in categories}
    counts: TreeCounts | None
    if limits.use_aggregates and aggregates_fit(flt) and flt.bbox is None and not flt.categories:
        counts = _tree_counts_of_sets((await conn.execute(
            _aggregated_sets(flt.target_groups))).all(), stage_of)
    elif (groups := await _member_groups(conn, flt, limits)) is not None:
        matched = _within(_groups_matching(
            groups, flt, await resolve_categories(conn, flt.categories)), limits)
        counts = (None if matched is None else
                  _tree_counts_of_sets(((g[CATS], g[PLACES]) for g in matched), stage_of))
    elif await _more_than(conn, flt, [], limits):
        counts = None
    elif not flt.categories and await _by_members(conn, flt, limits):
        counts = _tree_counts_of_sets((await conn.execute(_member_sets(flt))).all(), stage_of)
    else:
        counts = await _tree_counts_live(conn, flt)

    def count(found: dict[int, int] | None, key: int) -> int | None:
        return None if found is None else found.get(key, 0)

    per_category, per_stage, total = counts or (None, None, None)
    tree = []
    for stage in stages:
        tree.append({
            "slug": stage.slug, "name": _name(stage.names, lang), "colour": stage.colour,
            "icon": stage.icon, "count": count(per_stage, stage.id),
            "categories": [
                {"slug": c.slug, "name": _name(c.names, lang), "stage": stage.slug,
                 "colour": c.colour, "icon": c.icon, "count": count(per_category, c.id)}
                for c in categories if c.stage_id == stage.id
            ],
        })
    return {"total": total, "stages": tree}


async def _array_counts(conn: AsyncConnection, columns: dict[str, ColumnElement],
                        flt: PlaceFilter, category_ids: list[int], limits: FacetLimits
                        ) -> dict[str, dict[str, int] | None]:
    """Places per value of each array column, over one pass of the matching places (reading
    them is the cost: a category's 20,000 places took 0.5 s, once for each facet before)."""
    if await _more_than(conn, flt, category_ids, limits):
        return {name: None for name in columns}
    if await _by_members(conn, flt, limits):
        rows = (select(*(cluster_members.c[name] for name in columns))
                .where(*_members_matching(flt, category_ids)))
    else:
        rows = (select(*(column.label(name) for name, column in columns.items()))
                .where(*where_clauses(flt, category_ids)))
    matching = rows.cte("matching").prefix_with("MATERIALIZED")
    values = union_all(*(select(literal(name).label("facet"),
                                func.unnest(matching.c[name]).label("value"))
                         for name in columns)).subquery()
    counts: dict[str, dict[str, int] | None] = {name: {} for name in columns}
    for facet, value, n in await conn.execute(
            select(values.c.facet, values.c.value, func.count())
            .group_by(values.c.facet, values.c.value)):
        counts[facet][value] = n
    return counts


async def _target_groups_aggregated(conn: AsyncConnection, category_ids: list[int] | None
                                    ) -> dict[str, int]:
    """Places per target group, or those with any of ``category_ids``, from the coarsest
    aggregates: each place is in one row, whose target-group set it has."""
    cells = (select(cluster_cells.c.target_groups, cluster_cells.c.n)
             .where(cluster_cells.c.z == 0, *narrowed(category_ids, None)).subquery())
    return await _per_element(conn, cells.c.target_groups, cells.c.n)


async def _per_element(conn: AsyncConnection, array: ColumnElement, n: ColumnElement
                       ) -> dict[Any, int]:
    """The sum of ``n`` per element of ``array`` over the rows of their table."""
    expanded = select(func.unnest(array).label("element"), n.label("n")).subquery("expanded")
    return dict((await conn.execute(
        select(expanded.c.element, func.sum(expanded.c.n)).group_by(expanded.c.element))).all())


async def list_facets(conn: AsyncConnection, flt: PlaceFilter,
                      limits: FacetLimits) -> dict[str, dict[str, int] | None]:
    """Places per target group and per language offered, each counted under every filter but
    its own (as the category counts are), so a checkbox says what ticking it would add; None
    where more than ``limits.max_places`` places would have to be counted. Target groups come
    from the aggregates where they answer the other filters: exact for any number of places,
    for a few hundred rows (a national directory's were left out before)."""
    validate(flt)
    flt = matching(flt)
    category_ids = await resolve_categories(conn, flt.categories)
    flt = await resolve_search(conn, flt)
    facets = {"target_groups": (Place.target_groups, replace(flt, target_groups=())),
              "languages": (Place.languages, replace(flt, languages=()))}
    groups = await _member_groups(conn, flt, limits)
    if groups is not None:
        return {"target_groups": _per_value(_within(_groups_matching(
                    groups, facets["target_groups"][1], category_ids), limits), TARGET_GROUPS),
                "languages": _per_value(_within(_groups_matching(
                    groups, facets["languages"][1], category_ids), limits), LANGUAGES)}
    groups_filter = facets["target_groups"][1]
    if limits.use_aggregates and groups_filter.bbox is None and aggregates_fit(groups_filter):
        return {"target_groups": await _target_groups_aggregated(
                    conn, category_ids if groups_filter.categories else None),
                **await _array_counts(conn, {"languages": Place.languages},
                                      facets["languages"][1], category_ids, limits)}
    if groups_filter == facets["languages"][1]:  # neither chosen: one pass
        return await _array_counts(conn, {name: column for name, (column, _) in facets.items()},
                                   facets["languages"][1], category_ids, limits)
    counts: dict[str, dict[str, int] | None] = {}
    for name, (column, own) in facets.items():
        counts.update(await _array_counts(conn, {name: column}, own, category_ids, limits))
    return counts
