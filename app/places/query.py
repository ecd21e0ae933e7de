"""The one query for places: filters → SQL → GeoJSON.

Every face of the app (public API, category counts, OGC API, embed, exports, admin lists) reads
places through ``PlaceFilter`` and the functions here, so a filter means the same everywhere.
Features are assembled as JSON text inside PostgreSQL and spliced into the response unparsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson

from geoalchemy2 import Geography
from sqlalchemy import (
    Column,
    ColumnElement,
    Float,
    Integer,
    Numeric,
    Select,
    any_,
    bindparam,
    case,
    cast,
    column,
    exists,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    true,
    union_all,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Subquery, visitors
from sqlalchemy.types import String, Text

from app.db import Prepared, estimated_rows
from app.places import aggregates
from app.places.aggregates import FINEST_ZOOM, aggregates_fit, cluster_members
from app.places.municipalities import in_municipalities
from app.models import Category, Place, PlaceCategory, Stage
from app.vocabulary import TARGET_GROUPS
from geo.errors import InvalidParameter
from geo.geodesy import bbox_within
from geo.grid import CellRange, cell_range
from geo.params import BBox, Point
from geo.text import fold, search_words

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
# Attributes that PlaceFilter.equals may compare (OGC API property filters).
EQUALITY_COLUMNS = {
    "name": Place.name, "street": Place.street, "postcode": Place.postcode, "city": Place.city,
    "ags": Place.ags, "provider": Place.provider, "provider_kind": Place.provider_kind,
    "wheelchair": Place.wheelchair,
}


@dataclass(frozen=True)
class PlaceFilter:
    """What a person asked for. Empty fields do not filter."""

    bbox: BBox | None = None
    categories: tuple[str, ...] = ()  # category or stage slugs; any of them matches
    q: str | None = None
    near: Point | None = None
    radius_m: float | None = None
    target_groups: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    municipalities: tuple[str, ...] = ()  # names or AGS keys (a prefix such as 06631 is a district)
    statuses: tuple[str, ...] = ("published",)
    ids: tuple[int, ...] = ()
    has_location: bool | None = None  # False: only places that still need a location (admin)
    stages: tuple[str, ...] = ()  # stage slugs; a place with a category in any of them matches
    # Last modification within [updated_from, updated_to] (either end open), as OGC's datetime.
    updated_from: datetime | None = None
    updated_to: datetime | None = None
    # Exact matches on simple attributes, (column, value) with column in EQUALITY_COLUMNS; all
    # columns must match, a repeated column any of its values.
    equals: tuple[tuple[str, str], ...] = ()
    # The LIKE patterns of each word of q (the word and its similar lexicon words), looked up by
    # resolve_search() so the planner sees them; empty: looked up inside the statement.
    search_patterns: tuple[tuple[str, ...], ...] = ()


# The deepest page anyone may ask for: beyond it, whole downloads serve better (/downloads), and
# the database takes offsets as 64-bit integers only.
MAX_OFFSET = 10_000_000


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int = 0


@dataclass
class FeaturePage:
    features_json: str  # a JSON array of GeoJSON Features, as the database wrote it
    number_returned: int
    number_matched: int | None
    # When number_matched is left out: the count stopped here, there are more matches than this.
    more_than: int | None = None

    def features(self) -> list[dict[str, Any]]:
        return orjson.loads(self.features_json)

    def only(self) -> str:
        """The one feature of a page of one, as JSON text."""
        return self.features_json[1:-1]


async def resolve_categories(conn: AsyncConnection, slugs: tuple[str, ...]) -> list[int]:
    """Category ids for category and stage slugs; an unknown slug is an error, not ignored."""
    if not slugs:
        return []
    rows = (await conn.execute(
        select(Category.id, Category.slug, Stage.slug.label("stage"))
        .join(Stage, Stage.id == Category.stage_id)
    )).all()
    known = {r.slug for r in rows} | {r.stage for r in rows}
    unknown = [s for s in slugs if s not in known]
    if unknown:
        raise InvalidParameter("category", f"unknown category '{unknown[0][:60]}'; "
                                           "GET /api/categories lists the valid slugs")
    wanted = set(slugs)
    return sorted({r.id for r in rows if r.slug in wanted or r.stage in wanted})


def validate(flt: PlaceFilter) -> None:
    """Checks that need no database: vocabularies and combinations."""
    for group in flt.target_groups:
        if group not in TARGET_GROUPS:
            raise InvalidParameter("target_group", f"unknown target group '{group[:60]}'; valid: "
                                                   + ", ".join(TARGET_GROUPS))
    for language in flt.languages:
        if not LANGUAGE_CODE.match(language):
            raise InvalidParameter("language", f"'{language[:20]}' is not a language code "
                                               "such as de, en, uk or ar")
    if flt.radius_m is not None and flt.near is None:
        raise InvalidParameter("radius", "needs near=lon,lat as the centre")
    if flt.q is not None and not search_words(flt.q):
        raise InvalidParameter("q", "needs at least one letter or digit")


def _point(p: Point) -> ColumnElement:
    return func.ST_SetSRID(func.ST_MakePoint(p.lon, p.lat), 4326)


def _geography(expr: ColumnElement) -> ColumnElement:
    # geography(geom), not CAST(geom AS geography(GEOMETRY,-1)) as GeoAlchemy2 writes it: only
    # the plain cast matches the index ix_places_geog (at 1M places: 1 ms instead of 3 s).
    return func.geography(expr, type_=Geography)


def _like_escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# The lexicon of search words (migration 0007), kept current by triggers on places.
SEARCH_WORDS = table("search_words", column("word", Text))
# A query word matches its own letters anywhere, or one of this many most similar lexicon words.
SEARCH_ALTERNATIVES = 8
# Default of the setting search_rank_limit: up to this many matches are ranked by similarity.
RANK_LIMIT = 2000


def _alternatives(word: str) -> Select:
    """LIKE patterns of the lexicon words similar to ``word``, most similar first.

    Similar as before the lexicon: ``word <% lexicon word`` (pg_trgm.word_similarity_threshold,
    0.6 by default). Words that contain ``word`` are left out: its own pattern finds them."""
    lexicon = SEARCH_WORDS.c.word
    escaped = func.replace(func.replace(func.replace(lexicon, "\\", "\\\\"), "%", "\\%"),
                           "_", "\\_")
    return (select(func.concat("%", escaped, "%"))
            .where(literal(word).op("<%")(lexicon), func.strpos(lexicon, word) == 0)
            .order_by(func.word_similarity(literal(word), lexicon).desc(), lexicon)
            .limit(SEARCH_ALTERNATIVES))


async def resolve_search(conn: AsyncConnection, flt: PlaceFilter) -> PlaceFilter:
    """The filter with the search patterns looked up, so that they reach the planner as values:
    it then knows that "kita" matches a fifth of the places and a village one in a million, and
    plans each accordingly (counting the matches of a rare word by a sequential scan took 1.2 s
    at a million places instead of 4 ms)."""
    if not flt.q or flt.search_patterns:
        return flt
    patterns = []
    for word in search_words(flt.q):
        similar = (await conn.execute(_alternatives(word))).scalars().all()
        spelled_out = await _spelled_out(conn, word)
        patterns.append((*(spelled_out or (f"%{_like_escape(word)}%",)), *similar))
    return replace(flt, search_patterns=tuple(patterns))


# A two-letter word is spelled out into the lexicon's words holding it when there are at most
# this many (a rare pair such as "xy"); a common pair stays a pattern checked text by text,
# which finds its first matches early.
SPELLED_OUT_WORDS = 40


def _bounded(word: str) -> tuple[str, ...]:
    """The patterns of ``word`` as a whole word of a search text (bounded by spaces or an end)."""
    return (f"% {word} %", f"{word} %", f"% {word}", word)


async def _spelled_out(conn: AsyncConnection, word: str) -> tuple[str, ...] | None:
    """The patterns that find a two-letter ``word`` through the trigram index, or None.

    Two letters have no trigram of their own, so such a word was checked text by text: a pair
    that few texts hold ("xy") read every place of a national directory (1.2-1.7 s at a
    million). A text holds the pair exactly when one of its words does: a longer word, which
    the lexicon holds (every word of three characters or more), or the pair itself as a word,
    which pg_trgm finds by its bounded trigrams (" xy", "xy ")."""
    if len(word) != 2 or not word.isalnum():
        return None
    lexicon = SEARCH_WORDS.c.word
    holding = (await conn.execute(select(lexicon).where(func.strpos(lexicon, word) > 0)
                                  .limit(SPELLED_OUT_WORDS + 1))).scalars().all()
    if len(holding) > SPELLED_OUT_WORDS or not all(TRIGRAM.search(w) for w in holding):
        return None
    return (*_bounded(word), *(f"%{_like_escape(w)}%" for w in holding))


# Letters or digits three in a row: pg_trgm makes trigrams of nothing else, so a LIKE pattern
# without them gives its index nothing to look up.
TRIGRAM = re.compile(r"[^\W_]{3}")


def search_clauses(flt: PlaceFilter, search_text: ColumnElement) -> list[ColumnElement]:
    """The search's conditions on ``search_text``: the places' own column, or the aggregates'
    members', which carry the same text (migration 0018). Every word must match, its own letters
    or a similar word of the lexicon: no fuzzy operator on places, whose index would hand back
    every place sharing trigrams with it."""
    return [_search_clause(flt, index, word, search_text)
            for index, word in enumerate(search_words(flt.q or ""))]


# Testing the search text of one of the aggregates' members costs about a sixth of finding a
# match through the places' trigram index and joining it to its member (at a million places,
# 0.4-0.55 µs a member against 2-4 µs a match).
MEMBERS_PER_MATCH = 6


async def search_on_members(conn: AsyncConnection, flt: PlaceFilter, members: float,
                            share: float = 1.0) -> bool:
    """Whether to test the filter's search on the text of ``members`` of the aggregates'
    members (migration 0018) rather than find its matches through the places' trigram index:
    the one costs by those members, the other by the matches in the whole directory, as the
    planner expects them from its statistics (``share``: of MEMBERS_PER_MATCH, where the places
    are found more cheaply than by the trigram index alone)."""
    if not (flt.q and aggregates.members_hold(flt)):
        return False
    matches = await estimated_rows(conn, select(Place.id).where(
        Place.status == "published", *search_clauses(flt, Place.search_text)))
    return members < share * MEMBERS_PER_MATCH * matches


def _search_clause(flt: PlaceFilter, index: int, word: str,
                   search_text: ColumnElement) -> ColumnElement:
    if flt.search_patterns:
        patterns: ColumnElement = cast(list(flt.search_patterns[index]), ARRAY(Text))
    else:
        patterns = func.array_cat(cast([f"%{_like_escape(word)}%"], ARRAY(Text)),
                                  func.array(_alternatives(word).scalar_subquery()))
    spelled_out = bool(flt.search_patterns) and flt.search_patterns[index][:4] == _bounded(word)
    if TRIGRAM.search(word) or spelled_out:
        return search_text.like(any_(patterns))
    # A word such as "am" is checked place by place, out of the trigram index's reach
    # (``|| ''``): in the index its pattern became a scan of the whole index, and since the
    # planner puts every indexable condition into one scan, "am Park" was read sequentially
    # (0.78 s at a million places) instead of through the index for "park" (46 ms).
    return search_text.concat("").like(any_(patterns))


def where_clauses(flt: PlaceFilter, category_ids: list[int]) -> list[ColumnElement]:
    """The WHERE conditions for a filter; shared by pages, counts and aggregates."""
    # One status (every public read) as a plain comparison: an IN list is re-rendered for each
    # execution ("expanding" parameter), which costs more Python than the rest of the filter.
    clauses: list[ColumnElement] = [Place.status == flt.statuses[0] if len(flt.statuses) == 1
                                    else Place.status.in_(flt.statuses)]
    if flt.ids:
        clauses.append(Place.id.in_(flt.ids))
    if flt.bbox is not None:
        b = flt.bbox
        clauses.append(Place.geom.op("&&")(func.ST_MakeEnvelope(b.min_lon, b.min_lat,
                                                                 b.max_lon, b.max_lat, 4326)))
    if flt.categories:
        clauses.append(exists().where(PlaceCategory.place_id == Place.id,
                                      PlaceCategory.category_id.in_(category_ids))
                       if category_ids else false())
    if flt.q:
        clauses += search_clauses(flt, Place.search_text)
    if flt.near is not None and flt.radius_m is not None:
        clauses.append(within_radius(Place.geom, flt))
    if flt.target_groups:
        clauses.append(Place.target_groups.op("&&")(cast(list(flt.target_groups), ARRAY(Text))))
    if flt.languages:
        clauses.append(Place.languages.op("&&")(cast(list(flt.languages), ARRAY(Text))))
    if flt.municipalities:
        clauses.append(in_municipalities(Place.__table__.c, flt.municipalities))
    if flt.has_location is not None:
        clauses.append(Place.geom.isnot(None) if flt.has_location else Place.geom.is_(None))
    if flt.stages:
        clauses.append(exists().where(PlaceCategory.place_id == Place.id,
                                      PlaceCategory.category_id == Category.id,
                                      Category.stage_id == Stage.id, Stage.slug.in_(flt.stages)))
    if flt.updated_from is not None:
        clauses.append(Place.updated_at >= flt.updated_from)
    if flt.updated_to is not None:
        clauses.append(Place.updated_at <= flt.updated_to)
    wanted: dict[str, list[str]] = {}
    for attribute, value in flt.equals:
        wanted.setdefault(attribute, []).append(value)
    for attribute, values in wanted.items():  # a repeated attribute: any of its values
        clauses.append(EQUALITY_COLUMNS[attribute].in_(values))
    return clauses


def within_radius(geom: ColumnElement, flt: PlaceFilter) -> ColumnElement:
    """Whether the point ``geom`` lies within the filter's radius of its ``near`` point, on the
    WGS 84 spheroid."""
    return func.ST_DWithin(_geography(geom), _geography(_point(flt.near)), flt.radius_m)


def cells_around(flt: PlaceFilter) -> CellRange:
    """The finest aggregated cells that a box around the filter's radius touches."""
    return cell_range(bbox_within(flt.near, flt.radius_m), FINEST_ZOOM)


def members_within_radius(flt: PlaceFilter) -> list[ColumnElement]:
    """The aggregates' members within the filter's radius: those of the cells around it (by
    their index), tested on their own coordinates, which are their places'."""
    cells = cells_around(flt)
    m = cluster_members.c
    return [m.cx.between(cells.min_x, cells.max_x), m.cy.between(cells.min_y, cells.max_y),
            within_radius(func.ST_SetSRID(func.ST_MakePoint(m.lon, m.lat), 4326), flt)]


def _distance(flt: PlaceFilter) -> ColumnElement | None:
    if flt.near is None:
        return None
    # ST_Distance on geography measures on the WGS 84 spheroid.
    return func.ST_Distance(_geography(Place.geom), _geography(_point(flt.near)))


def _bounded_count(flt: PlaceFilter, category_ids: list[int], cap: int) -> Select:
    """The number of matches, counted up to ``cap`` + 1 rows and no further."""
    inner = select(literal(1)).where(*where_clauses(flt, category_ids)).limit(cap + 1).subquery()
    return select(func.count()).select_from(inner)


def _search_keys(flt: PlaceFilter, category_ids: list[int], rank: bool | None,
                 rank_limit: int) -> list[tuple[ColumnElement, bool]]:
    """Best match first while ranking is affordable (at most ``rank_limit`` matches), otherwise
    by name; ``rank`` None decides inside the statement by a bounded count.

    Never along the index of names: its walk reads places in name order until it has found
    the page, which is quick for "Kita" but took 2.5 s for a word whose places come late in
    the alphabet. So without ranking the name key is ``name || ''`` (the same order, but no
    index provides it): the matches come from the trigram index and a top-N sort picks the
    page, ~1.5 µs per match."""
    similarity = func.word_similarity(literal(fold(flt.q or "").strip()), Place.search_text)
    if rank is None:
        affordable = _bounded_count(flt, category_ids, rank_limit).scalar_subquery() <= rank_limit
        return [(case((affordable, similarity)), True), (Place.name, False), (Place.id, False)]
    if rank:
        return [(similarity, True), (Place.name, False), (Place.id, False)]
    return [(Place.name.concat(""), False), (Place.id, False)]


def _order_by(flt: PlaceFilter, category_ids: list[int], rank: bool | None = None,
              rank_limit: int = RANK_LIMIT, name_index: bool = True
              ) -> list[tuple[ColumnElement, bool]]:
    """Sort keys (expression, descending): nearest first with near; best match first with q
    (see _search_keys); by id for a bbox alone (the map's viewport pages: no sort of every place
    in the box, and pages stay stable); otherwise by name, along the index of names unless
    ``name_index`` is False (see _name_index_pays). Every order ends with the id, so it is
    total."""
    distance = _distance(flt)
    if distance is not None:
        return [(distance, False), (Place.id, False)]
    if flt.q:
        return _search_keys(flt, category_ids, rank, rank_limit)
    if flt.bbox is not None:
        return [(Place.id, False)]
    return [(Place.name if name_index else Place.name.concat(""), False), (Place.id, False)]


def _sorted(keys: list[tuple[ColumnElement, bool]]) -> list[ColumnElement]:
    return [key.desc() if descending else key for key, descending in keys]


# Sphere and WGS 84 spheroid distances differ by well under 1 % (at most about 0.5 %).
SPHERE_MARGIN = 1.01


def _nearest(flt: PlaceFilter, category_ids: list[int], reached: Any,
             count_cap: Any | None) -> tuple[ColumnElement, ColumnElement | None]:
    """The condition that finds a page of the nearest matches (``reached``: its offset plus its
    limit) and, when ``count_cap`` is given, the number of matches counted up to it.

    The index orders by distance on a sphere; the page is ordered by the exact spheroid distance.
    Every place among the ``reached`` nearest on the spheroid lies within the sphere distance of
    the ``reached``-th sphere-nearest, widened by the margin (the reach), so ordering only those
    exactly gives the same page as ordering every match (2,000 places within 2 km of
    Frankfurt's centre: ~40 ms down to ~2 ms).

    One walk of the index, in KNN order, collects up to ``count_cap`` + 1 nearest matches: their
    number is the count, and when the walk ended beyond the reach (or found every match) they
    hold every place within it, so the page is read from them by id. Only when more than that
    many places lie within the reach (hundreds at one point, as failed geocoding leaves them),
    or without a count to take (no radius), is the page found by a second walk of the index
    within the reach, as it always was before. Near within a radius made three walks (count,
    reach, page) and now makes one: 3.4 -> 3.0 ms of database time at a million places."""
    centre = _geography(_point(flt.near))
    knn = _geography(Place.geom).op("<->", return_type=Float)(centre)
    size = reached if count_cap is None else func.greatest(count_cap, reached) + 1
    clauses = where_clauses(flt, category_ids)
    walk = where_clauses(replace(flt, radius_m=None), category_ids)
    if flt.radius_m is not None:
        # The radius as the box the index reads and the same spheroid test without its index
        # support: ST_DWithin's estimate of the places within a radius is far too small (96 of
        # 31,000 within 25 km of Frankfurt), and the planner then read all of them by bitmap and
        # sorted them instead of walking the index in KNN order (130 ms instead of 3).
        walk += [_geography(Place.geom).op("&&")(func._ST_Expand(centre, flt.radius_m)),
                 func._ST_DWithin(_geography(Place.geom), centre, flt.radius_m, True)]
    nearest = (select(Place.id, knn.label("d")).where(*walk).order_by(knn).limit(size)
               .cte("knn").prefix_with("MATERIALIZED"))
    first = select(nearest.c.d).order_by(nearest.c.d).limit(reached).subquery("first")
    bound = select(
        func.count().label("n"), func.max(nearest.c.d).label("last"),
        # Nothing matched: the reach is NULL, and so is every comparison with it.
        (select(func.max(first.c.d) * SPHERE_MARGIN + 1.0).scalar_subquery()).label("reach"),
    ).cte("bound").prefix_with("MATERIALIZED")
    complete = or_(bound.c.n < size, bound.c.last > bound.c.reach)
    collected = (select(nearest.c.id).select_from(nearest.join(bound, true()))
                 .where(nearest.c.d <= bound.c.reach, complete))
    walked = (select(Place.id).select_from(Place.__table__.join(bound, true()))
              .where(~complete, *clauses,
                     func.ST_DWithin(_geography(Place.geom), centre, bound.c.reach, False)))
    candidates = union_all(collected, walked).cte("candidates")
    count = None if count_cap is None else select(bound.c.n).scalar_subquery()
    return Place.id.in_(select(candidates.c.id)), count


# An unranked search's page is first looked for among this many published places in name order
# (see _walked_page).
SEARCH_WALK_PLACES = 3_000


def _walked_page(clauses: list[ColumnElement], page: Page, carried: tuple[ColumnElement, ...],
                 walk: int) -> tuple[Select, list[tuple[str, bool]]]:
    """The page of a search by name among the first ``walk`` published places in name order.

    A common word ("Kita", a fifth of a national directory) has too many matches to rank, so
    they are sorted by name: all 220,000 of them, 550 ms. Its first matches are usually among
    the first names, though (0.5 ms for the first 100). The walk is bounded by the number of
    names read, not of matches, and each name is tested for the filter in turn (LATERAL: the
    planner would otherwise join all matches of a rarer word by hash, 70 ms), so a word whose
    matches come later costs 15-25 ms before the page is sorted after all. Exact whenever it
    fills the page: every match it missed comes after the last name it read."""
    walked = (select(Place.id, Place.name).where(Place.status == "published")
              .order_by(Place.name, Place.id).limit(walk).subquery("walked"))
    found = (select(Place.id.label("id"), *carried).where(Place.id == walked.c.id, *clauses)
             .lateral("found"))
    statement = (
        select(found.c.id, literal(None).label("distance"), walked.c.name.label("k0"),
               walked.c.id.label("k1"), *(found.c[column.key] for column in carried))
        .select_from(walked.join(found, true()))
        .order_by(walked.c.name, walked.c.id)
        .limit(page.limit).offset(page.offset)
    )
    return statement, [("k0", False), ("k1", False)]


def _named_ids(flt: PlaceFilter, category_ids: list[int], page: Page) -> Subquery:
    """The ids and names of a page in name order, found along the index of names.

    The index holds the published places and what the walk tests besides the status (target
    groups, languages; migration 0014), so only the page's places are read from the table.
    Carrying their columns in the walk itself read every name it passed: 74,000 places before
    the first 100 seniors (228 → 40 ms at a million), 900,000 for a page at that offset (2.9 →
    0.3 s). The admin's list of every status takes the published places from the index and
    sorts only the others (drafts and archived places, a few per cent) beside them: the first 50
    of a million 364 → 35 ms instead of sorting them all."""
    def walk(statuses: tuple[str, ...]) -> Select:
        return (select(Place.id, Place.name)
                .where(*where_clauses(replace(flt, statuses=statuses), category_ids))
                .order_by(Place.name, Place.id))

    if "published" not in flt.statuses or len(flt.statuses) == 1:
        return walk(flt.statuses).limit(page.limit).offset(page.offset).subquery("named")
    end = page.offset + page.limit
    others = tuple(status for status in flt.statuses if status != "published")
    parts = [walk(statuses).limit(end).subquery() for statuses in (("published",), others)]
    both = union_all(*(select(part.c.id, part.c.name) for part in parts)).subquery("both")
    return (select(both.c.id, both.c.name).order_by(both.c.name, both.c.id)
            .limit(page.limit).offset(page.offset).subquery("named"))


def _named_page(flt: PlaceFilter, category_ids: list[int], page: Page,
                carried: tuple[ColumnElement, ...]) -> tuple[Select, list[tuple[str, bool]]]:
    """A page in name order: its ids (see _named_ids), then its places."""
    named = _named_ids(flt, category_ids, page)
    statement = (select(named.c.id, literal(None).label("distance"), named.c.name.label("k0"),
                        named.c.id.label("k1"), *carried)
                 .select_from(named.join(Place, Place.id == named.c.id)))
    return statement, [("k0", False), ("k1", False)]


def _page_select(flt: PlaceFilter, category_ids: list[int], page: Page, rank: bool | None,
                 rank_limit: int, carried: tuple[ColumnElement, ...] = (),
                 name_index: bool = True, walk: int | None = None, count_cap: Any | None = None
                 ) -> tuple[Select, list[tuple[str, bool]], ColumnElement | None]:
    """The places of a page: their ids, distances and sort keys, and the ``carried`` columns of
    places, cut by the page; with the names of the sort keys' columns (name, descending) and,
    near a point within a radius and given ``count_cap``, the number of matches counted up to
    it (see _nearest; None otherwise).
    ``walk``: an unranked search's page among that many names only (see _walked_page)."""
    if walk is not None:
        return *_walked_page(where_clauses(flt, category_ids), page, carried, walk), None
    if name_index and flt.near is None and not flt.q and flt.bbox is None:
        return *_named_page(flt, category_ids, page, carried), None
    distance = _distance(flt)
    keys = _order_by(flt, category_ids, rank, rank_limit, name_index)
    count = None
    if flt.near is not None:
        within, count = _nearest(flt, category_ids, page.offset + page.limit,
                                 count_cap if flt.radius_m is not None else None)
        clauses = [within]  # the nearest were found under every clause
    else:
        clauses = where_clauses(flt, category_ids)
    # Sorted by the selected columns' names, so that each key is computed once per place; nearest
    # first sorts by the distance column itself (a spheroid distance costs ~9 µs a place).
    distance_column = (distance if distance is not None else literal(None)).label("distance")
    key_columns = [distance_column if distance is not None and key.compare(distance)
                   else key.label(f"k{i}") for i, (key, _) in enumerate(keys)]
    statement = (
        select(Place.id.label("id"), distance_column,
               *(c for c in key_columns if c is not distance_column), *carried)
        .where(*clauses)
        .order_by(*_sorted([(c, descending) for c, (_, descending) in zip(key_columns, keys)]))
        .limit(page.limit).offset(page.offset)
    )
    return (statement, [(c.name, descending) for c, (_, descending) in zip(key_columns, keys)],
            count)


def ordered_ids(flt: PlaceFilter, category_ids: list[int], page: Page | None,
                rank: bool | None = None, rank_limit: int = RANK_LIMIT) -> Select:
    """Ids and distances of the matching places, with a page their positions (``rn``), without
    one their sort keys (ordered by ``list_order``). With q, ``rank``
    says whether to order by similarity (None: when at most ``rank_limit`` places match)."""
    if page is None:
        distance = _distance(flt)
        keys = _order_by(flt, category_ids, rank, rank_limit)
        return (select(Place.id,
                       (distance if distance is not None else literal(None)).label("distance"),
                       *(key.label(f"k{i}_desc" if descending else f"k{i}")
                         for i, (key, descending) in enumerate(keys)))
                .where(*where_clauses(flt, category_ids)).order_by(*_sorted(keys)))
    # The page is cut before the positions are numbered: a window under the LIMIT would make
    # PostgreSQL sort every match (100,000 in a region) instead of keeping the top of them.
    statement, order, _ = _page_select(flt, category_ids, page, rank, rank_limit)
    inner = statement.subquery("page")
    numbered = [(inner.c[name], descending) for name, descending in order]
    return select(inner.c.id, inner.c.distance,
                  func.row_number().over(order_by=_sorted(numbered)).label("rn"))


def list_order(ids: Subquery) -> list[ColumnElement]:
    """The order of ``ordered_ids(..., page=None)`` by its own sort keys rather than by ``rn``:
    then PostgreSQL can read the places in index order and send the first at once (ordered by
    the window's ``rn``, it built all of a million features before the first: the download
    timed out)."""
    return [c.desc() if c.name.endswith("_desc") else c
            for c in ids.c if c.name.startswith("k")]


def _lang_name(names: ColumnElement, lang: str) -> ColumnElement:
    return func.coalesce(names[lang].astext, names["de"].astext)


@lru_cache(maxsize=16)
def _category_info(lang: str) -> Subquery:
    """The categories with their stages, as ``primary_category``: built once per language and
    shared by every statement (SQLAlchemy constructs are immutable). Computed once per
    statement (MATERIALIZED): a page the planner expects to be a row or two is joined to it by
    nested loop, which otherwise joined categories and stages again for every place (near a
    point, 50 places: 4.0 -> 3.8 ms)."""
    return (
        select(Category.id, Category.slug, _lang_name(Category.names, lang).label("name"),
               Category.colour, Category.icon, Stage.slug.label("stage"),
               _lang_name(Stage.names, lang).label("stage_name"))
        .join(Stage, Stage.id == Category.stage_id)
        .cte("category_info")
        .prefix_with("MATERIALIZED")
        .alias("primary_category")
    )


def _primary_category(place_id: ColumnElement) -> Select:
    """The id of the place's first category: one index lookup (ix_place_categories_primary)."""
    return (select(PlaceCategory.category_id).where(PlaceCategory.place_id == place_id)
            .order_by(PlaceCategory.position).limit(1))


def _category_slugs() -> ColumnElement:
    """Every category slug of the outer query's place, the primary one first."""
    return func.array(
        select(Category.slug)
        .select_from(PlaceCategory)
        .join(Category, Category.id == PlaceCategory.category_id)
        # The outer query's place, named as text: the projection is rendered on its own (see
        # _feature_sql), where a column object would pull places into this FROM.
        .where(PlaceCategory.place_id == literal_column("places.id"))
        .order_by(PlaceCategory.position)
        .scalar_subquery())


# Properties that come from the place's categories: only a selection that names one of them
# pays for the category joins.
CATEGORY_PROPERTIES = frozenset({"category", "category_name", "categories", "stage", "stage_name",
                                 "colour", "icon"})


def _property_expressions(ids: Subquery, lang: str) -> dict[str, ColumnElement]:
    """Every documented property of a place, in the order the API answers them."""
    primary = _category_info(lang)
    address = func.concat_ws(", ", Place.street,
                             func.nullif(func.concat_ws(" ", Place.postcode, Place.city), ""))
    return {
        "name": Place.name,
        "description": Place.description,
        "category": primary.c.slug,
        "category_name": primary.c.name,
        "categories": _category_slugs(),
        "stage": primary.c.stage,
        "stage_name": primary.c.stage_name,
        "colour": primary.c.colour,
        "icon": primary.c.icon,
        "street": Place.street,
        "postcode": Place.postcode,
        "city": Place.city,
        "municipality": Place.municipality,
        "ags": Place.ags,
        "address": func.nullif(address, ""),
        "phone": Place.phone,
        "email": Place.email,
        "website": Place.website,
        "provider": Place.provider,
        "provider_kind": Place.provider_kind,
        "target_groups": Place.target_groups,
        "languages": Place.languages,
        "wheelchair": Place.wheelchair,
        "opening_hours": Place.opening_hours,
        "status": Place.status,
        "updated_at": Place.updated_at,
        "url": func.concat("/orte/", Place.id),
        "distance_m": func.round(cast(ids.c.distance, Numeric), 1),
    }


PROPERTIES: tuple[str, ...] = tuple(_property_expressions(
    select(literal(0).label("id"), literal(0.0).label("distance")).subquery("ids"), "de"))


def check_properties(names: tuple[str, ...]) -> None:
    for name in names:
        if name not in PROPERTIES:
            raise InvalidParameter("properties", f"unknown property '{name[:40]}'; valid: "
                                                 + ", ".join(PROPERTIES))


@lru_cache(maxsize=256)
def _feature_expression(ids_name: str, lang: str, detail: bool,
                        properties: tuple[str, ...] | None) -> ColumnElement:
    """A place's GeoJSON Feature, built by PostgreSQL; its distance from the ids ``ids_name``."""
    ids = select(literal(0).label("id"), literal(0.0).label("distance")).subquery(ids_name)
    expressions = _property_expressions(ids, lang)
    chosen = PROPERTIES if properties is None else properties
    pairs = [part for name in chosen for part in (name, expressions[name])]
    properties_json = func.json_build_object(*pairs)
    if detail:
        category_names = (
            select(func.json_agg(aggregate_order_by(
                func.json_build_object("slug", Category.slug,
                                       "name", _lang_name(Category.names, lang)),
                PlaceCategory.position)))
            .select_from(PlaceCategory)
            .join(Category, Category.id == PlaceCategory.category_id)
            # The outer query's place, named as text: the projection is rendered on its own
            # (see above), where a column object would pull places into this FROM.
            .where(PlaceCategory.place_id == literal_column("places.id"))
            .scalar_subquery()
        )
        properties_json = cast(properties_json, JSONB).op("||")(func.jsonb_build_object(
            "accessibility_notes", Place.accessibility_notes,
            "last_verified", Place.last_verified,
            "category_names", func.coalesce(category_names, func.json_build_array()),
        ))
    # Written out rather than built by json_build_object, which would parse the geometry's JSON
    # text again to check it (a tenth of a town's 1,000 features).
    return func.concat('{"type":"Feature","id":', Place.id,
                       ',"geometry":', func.coalesce(func.ST_AsGeoJSON(Place.geom, 7), "null"),
                       ',"properties":', properties_json, "}", type_=String)


@lru_cache(maxsize=256)
def _feature_sql(ids_name: str, lang: str, detail: bool,
                 properties: tuple[str, ...] | None) -> str:
    """The Feature projection as SQL text, rendered once per (ids name, language, detail,
    property selection).

    It is the same for every request; building it and computing SQLAlchemy's cache key for it
    cost about 16 ms of Python per request, more than the database needs for a street's page.
    Constants only (lang is a validated language code, properties checked names), so literal
    rendering is safe."""
    feature = _feature_expression(ids_name, lang, detail, properties)
    return str(feature.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def feature_columns(ids: Subquery, lang: str, detail: bool = False,
                    properties: tuple[str, ...] | None = None) -> Select:
    """One GeoJSON Feature per row, as JSON text, for the ids of a page in their order.

    ``detail`` adds what only a place's own page shows (accessibility notes, last verified,
    every category's name), so that map pages stay small. ``properties`` selects the properties
    (all documented ones when None); the map asks only for what it draws."""
    feature = literal_column(_feature_sql(ids.name, lang, detail, properties), String)
    query = select(feature.label("feature"), Place.id).select_from(ids).join(
        Place, Place.id == ids.c.id)
    if not _needs_categories(properties):
        return query
    # LATERAL, once per place: the download streams along nested loops (hash joins off, see
    # app/downloads/dataset.py), where a lookup in the join condition ran once per category.
    link = _primary_category(Place.id).lateral("primary_link")
    return _with_categories(query.outerjoin(link, true()), lang, link.c.category_id)


def _needs_categories(properties: tuple[str, ...] | None) -> bool:
    """Whether the properties name one that comes from the place's categories."""
    return properties is None or bool(CATEGORY_PROPERTIES.intersection(properties))


def _with_categories(query: Select, lang: str, primary_id: ColumnElement) -> Select:
    """The query with the primary categories of its places (ids ``primary_id``) joined."""
    primary = _category_info(lang)
    return query.outerjoin(primary, primary.c.id == primary_id)


# Matching places a count may find per place on the page, and at least (see _count_cap); a
# radius's count, which measures each place's distance, half as many and no minimum.
COUNT_PER_PAGE_PLACE = 8
COUNT_AT_LEAST = 1000
RADIUS_COUNT_PER_PAGE_PLACE = 4


def _count_cap(flt: PlaceFilter, page: Page, max_exact_count: int) -> int:
    """How far ``numberMatched`` is counted exactly: it must never cost more than the page.

    A count finds its matches the way the page does, so it is bounded by a multiple of the
    page: a category over most of Germany, counted up to 10,000 for a first page of 100, took
    147 ms against 13 ms for the page, up to 1,000 15 ms. Below that a count costs little
    whatever the page, so small pages (``limit=1`` to learn a total) still count that far. A
    radius has no such floor and a smaller multiple: its page reads only the nearest few
    places, while its count measures the spheroid distance of every place in it and in the
    corners of the box around it (2,000 places within 2 km of a city centre: 7 ms against
    1.3 ms for the 50 nearest; at 1M places, counted up to 400 2.3 ms of a request whose page
    took 3.1, up to 200 1.4 ms). Beyond the bound the total is left out, as OGC API allows, and
    the answer says "more" by its next link; the whole directory and categories are counted
    exactly from the aggregates instead (fetch_features)."""
    reached = page.offset + page.limit
    if flt.near is not None and flt.radius_m is not None:
        return min(max_exact_count, RADIUS_COUNT_PER_PAGE_PLACE * reached)
    return min(max_exact_count, max(COUNT_AT_LEAST, COUNT_PER_PAGE_PLACE * reached))


async def count_matched(conn: AsyncConnection, flt: PlaceFilter, category_ids: list[int],
                        cap: int) -> int | None:
    """Exact count up to ``cap``; None beyond it, so a count never costs more than ``cap`` rows."""
    template = _template(flt)
    if template is not None:
        shape, values = template
        n = (await _prepared_count(shape).fetchrow(conn, {**values, "count_cap": cap}))[0]
    else:
        flt = await resolve_search(conn, flt)
        n = (await conn.execute(_bounded_count(flt, category_ids, cap))).scalar_one()
    return n if n <= cap else None


@lru_cache(maxsize=256)
def _carried_columns(lang: str, detail: bool, properties: tuple[str, ...] | None
                     ) -> tuple[ColumnElement, ...]:
    """The columns of places that a Feature projection reads, besides the id."""
    read = {element.key for element in visitors.iterate(_feature_expression("places", lang, detail,
                                                                            properties))
            if isinstance(element, Column) and element.table is Place.__table__}
    return tuple(column for column in Place.__table__.c if column.key in read - {"id"})


def _page_statement(flt: PlaceFilter, category_ids: list[int], page: Page, lang: str,
                    detail: bool, properties: tuple[str, ...] | None, rank: bool | None,
                    rank_limit: int, name_index: bool = True, walk: int | None = None,
                    count_cap: Any | None = None) -> Select:
    """The page as one row: its size and its features joined into one JSON array in their
    order. Python then handles one value instead of a row object per place (a third of the
    app's time for 1,000). Near a point within a radius, a third column counts the matches up
    to ``count_cap`` (see _nearest): cheap, and needed whenever the page is full.

    The page's own rows carry what the features need, so the places are read once: joining the
    page back to places by id cost as much as finding them (town: 3 of 10 ms for 1,000)."""
    statement, order, count = _page_select(flt, category_ids, page, rank, rank_limit,
                                           _carried_columns(lang, detail, properties),
                                           name_index, walk, count_cap)
    categories = _needs_categories(properties)
    if categories:
        # A column of the page's own rows rather than a LATERAL join, so that the few
        # categories are joined to the page by one hash: beside the lateral lookup PostgreSQL
        # chose a nested loop that built the categories' hash again for every place (a town's
        # 1,000 places 20.6 -> 13.1 ms, a street's 2.4 -> 1.6 ms). PostgreSQL computes such a
        # column after the sort and the limit, for the page's places only, and once each.
        statement = statement.add_columns(_primary_category(statement.selected_columns.id)
                                          .scalar_subquery().label("primary_category_id"))
    rows = statement.subquery("places")
    feature = literal_column(_feature_sql("places", lang, detail, properties), String)
    joined = func.string_agg(feature, aggregate_order_by(
        literal_column("','"), *_sorted([(rows.c[name], descending) for name, descending in order])))
    query = select(func.count(), func.concat("[", joined, "]"),
                   *([count] if count is not None else [])).select_from(rows)
    return _with_categories(query, lang, rows.c.primary_category_id) if categories else query


# The map asks for a box, or for the places near a point within a radius, many times a second in
# the same shape. Building such a statement and its cache key cost 1–2 ms of Python per request
# (more than a street's page in the database), so these two shapes are built once, with
# parameters where the values go, and each request only binds its values. The template filters
# pass through the same query builder as every other filter.
_BBOX_TEMPLATE = PlaceFilter(bbox=BBox(*(bindparam(name, type_=Float) for name in (
    "bbox_min_lon", "bbox_min_lat", "bbox_max_lon", "bbox_max_lat"))))
_NEAR_TEMPLATE = PlaceFilter(near=Point(bindparam("near_lon", type_=Float),
                                        bindparam("near_lat", type_=Float)),
                             radius_m=bindparam("radius_m", type_=Float))
_PAGE_TEMPLATE = Page(limit=bindparam("page_limit", type_=Integer),
                      offset=bindparam("page_offset", type_=Integer))
_CAP_TEMPLATE = bindparam("count_cap", type_=Integer)


def _template(flt: PlaceFilter) -> tuple[str, dict[str, Any]] | None:
    """Which prepared shape a filter has and its values; None for any other filter."""
    if flt == PlaceFilter(bbox=flt.bbox) and flt.bbox is not None:
        b = flt.bbox
        return "bbox", {"bbox_min_lon": b.min_lon, "bbox_min_lat": b.min_lat,
                        "bbox_max_lon": b.max_lon, "bbox_max_lat": b.max_lat}
    if (flt == PlaceFilter(near=flt.near, radius_m=flt.radius_m) and flt.near is not None
            and flt.radius_m is not None):
        return "near", {"near_lon": flt.near.lon, "near_lat": flt.near.lat,
                        "radius_m": float(flt.radius_m)}
    return None


@lru_cache(maxsize=256)
def _prepared_page(shape: str, lang: str, detail: bool,
                   properties: tuple[str, ...] | None) -> Prepared:
    """The page of a prepared shape; near a point with its bounded count as a third column
    (see _page_statement). A box is counted separately, only when its page is full: most boxes
    the map asks for hold less than a page, and a full one is counted as far as _count_cap
    allows."""
    template = _BBOX_TEMPLATE if shape == "bbox" else _NEAR_TEMPLATE
    return Prepared.of(_page_statement(template, [], _PAGE_TEMPLATE, lang, detail, properties,
                                       None, RANK_LIMIT, count_cap=_CAP_TEMPLATE))


def _count_template(shape: str) -> Select:
    return _bounded_count(_BBOX_TEMPLATE if shape == "bbox" else _NEAR_TEMPLATE, [], _CAP_TEMPLATE)


@lru_cache(maxsize=4)
def _prepared_count(shape: str) -> Prepared:
    return Prepared.of(_count_template(shape))


# Chosen categories with fewer places than this are collected and sorted by name rather than
# found along the index of names (see _name_index_pays).
NAME_WALK_MIN_PLACES = 40_000


async def _name_index_pays(conn: AsyncConnection, flt: PlaceFilter, category_ids: list[int]
                           ) -> bool:
    """Whether a page ordered by name should walk the index of names.

    The walk reads places in name order until it has found the page. Names follow their
    category ("Hochschule …", "Volkshochschule …"), so a category's places sit together in the
    alphabet and the walk may read half the directory first: 2.5 s for the first 100 of 5,440
    universities among a million places. Collecting a category's places and sorting them costs
    ~8 µs a place instead (84 ms), which beats the walk up to about 40,000 places (measured per
    category at 1M: the walk took 150-240 ms above, 180-2,400 ms below). The exact number comes
    from the aggregates for a few rows."""
    if not flt.categories or flt.q or flt.near is not None or flt.bbox is not None:
        return True
    return await aggregates.total(conn, flt, category_ids) >= NAME_WALK_MIN_PLACES


def _without_implied_box(flt: PlaceFilter) -> PlaceFilter:
    """The filter without its bbox where that holds the whole radius, so tests nothing more.

    The map's list near a point asks with its view, which it fitted around the radius: with
    the box the planner read every place within the radius and sorted them instead of walking
    the index nearest first (the first 100 within 25 km of Frankfurt: 100-270 ms instead of 7)."""
    if (flt.bbox is not None and flt.near is not None and flt.radius_m is not None
            and flt.bbox.holds(bbox_within(flt.near, flt.radius_m))):
        return replace(flt, bbox=None)
    return flt


async def fetch_features(conn: AsyncConnection, flt: PlaceFilter, page: Page, lang: str,
                         max_exact_count: int, detail: bool = False,
                         properties: tuple[str, ...] | None = None,
                         rank_limit: int = RANK_LIMIT) -> FeaturePage:
    validate(flt)
    flt = _without_implied_box(flt)
    category_ids: list[int] = []
    searched: int | None = None
    # Whether a search is ranked by similarity: None when it is not counted first (see below).
    rank: bool | None = None
    cap = _count_cap(flt, page, max_exact_count)
    template = _template(flt)
    if template is not None:
        shape, values = template
        row = await _prepared_page(shape, lang, detail, properties).fetchrow(conn, {
            **values, "page_limit": page.limit, "page_offset": page.offset, "count_cap": cap})
    else:
        category_ids = await resolve_categories(conn, flt.categories)
        flt = await resolve_search(conn, flt)
        # A search is counted first, up to rank_limit: that decides its order and, when ranked,
        # is its numberMatched.
        if flt.q and flt.near is None:
            found = (await conn.execute(_bounded_count(flt, category_ids, rank_limit))).scalar_one()
            rank = found <= rank_limit
            searched = found if rank else None
        name_index = await _name_index_pays(conn, flt, category_ids)
        row = None
        if (rank is False and flt.statuses == ("published",)
                and page.offset + page.limit <= SEARCH_WALK_PLACES // 10):
            row = (await conn.execute(_page_statement(
                flt, category_ids, page, lang, detail, properties, rank, rank_limit,
                walk=SEARCH_WALK_PLACES))).one()
            if row[0] < page.limit:
                row = None  # the walk ended first: the page may hold matches beyond it
        if row is None:
            row = (await conn.execute(_page_statement(flt, category_ids, page, lang, detail,
                                                      properties, rank, rank_limit,
                                                      name_index, count_cap=cap))).one()
    returned, features_json, *counted = row
    if returned < page.limit and (returned or not page.offset):
        # The last page: everything before it plus what it holds (past the end, count).
        matched: int | None = page.offset + returned
    elif counted:  # near a point within a radius: the page's own bounded count
        matched = counted[0] if counted[0] <= cap else None
    elif searched is not None and searched <= max_exact_count:
        matched = searched  # counted already, to decide the ranking: no page share to keep to
    elif rank is False and rank_limit >= cap:
        # Counted past rank_limit already, so past the cap: counting again up to the cap cost
        # a common word's page in a city a fifth of its time (q=Kita in Berlin, 22 of 100 ms).
        matched = None
    elif flt.bbox is None and aggregates_fit(flt):
        # The whole directory, or some of its categories or target groups: exact at any size,
        # for a few rows.
        matched = await aggregates.total(conn, flt, category_ids)
    else:
        matched = await count_matched(conn, flt, category_ids, cap)
    return FeaturePage(features_json=features_json, number_returned=returned,
                       number_matched=matched, more_than=cap if matched is None else None)
