"""Storing place records in bulk: validated in Python, then COPY into a staging table and a
handful of set-based statements, so 100,000 rows cost about as much as a few hundred.

A record is identified by (source, source_id): importing the same file again updates what
changed and leaves the rest alone, recording each create and update in the history.

Large files go through in chunks of ``CHUNK`` rows, all in one transaction (one savepoint): while
the database stores one chunk, a worker thread reads and validates the next, so Python and
PostgreSQL work at the same time. Per-row work inside the database is avoided where it can be
done once for the whole import (see ``_bulk_session``), and a first load builds its read indexes
once at the end (``indexes``); nothing is visible to others before the commit, and a failure
anywhere rolls everything back.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import logging
import re
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.importing.indexes import build_indexes, defer_read_indexes
from app.importing.readers import Row
from app.places.snapshot import snapshot_sql
from app.places.validation import PlaceRecord, validate_record

log = logging.getLogger(__name__)

TEXT_COLUMNS = ("name", "description", "street", "postcode", "city", "municipality", "ags", "phone",
                "email", "website", "provider", "provider_kind", "wheelchair",
                "accessibility_notes", "opening_hours")
# Compared to decide whether an existing place changed.
COMPARED = (*TEXT_COLUMNS, "target_groups", "languages", "last_verified", "extra")
# Rows validated and stored per round; the database stores one chunk while Python reads the next.
# The first is smaller, because nothing else happens while it is read.
CHUNK = 10_000
FIRST_CHUNK = 2_000

STAGING = f"""
CREATE TEMP TABLE import_rows (
    row_no integer NOT NULL,
    {", ".join(f"{c} text" for c in TEXT_COLUMNS)},
    target_groups text[], languages text[], status text, source text NOT NULL,
    source_id text NOT NULL, last_verified date, extra jsonb, lon float8, lat float8,
    category_ids integer[] NOT NULL,
    place_id integer, action text, before jsonb
) ON COMMIT DROP
"""
STAGING_COLUMNS = ("row_no", *TEXT_COLUMNS, "target_groups", "languages", "status", "source",
                   "source_id", "last_verified", "extra", "lon", "lat", "category_ids")

_GEOM = "CASE WHEN r.lon IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326) END"
_DIFFERS = (
    f"({', '.join(f'p.{c}' for c in COMPARED)}, ST_X(p.geom), ST_Y(p.geom)) IS DISTINCT FROM "
    f"({', '.join(f'r.{c}' for c in COMPARED)}, r.lon, r.lat) "
    "OR (r.status IS NOT NULL AND r.status <> p.status) "
    "OR (SELECT array_agg(category_id ORDER BY position) FROM place_categories "
    "    WHERE place_id = p.id) IS DISTINCT FROM r.category_ids"
)

# What the row-by-row work of the database on these tables consists of, as of migration 0005:
# foreign-key checks (one lookup and row lock per inserted row), the statement-level triggers
# of the cluster aggregates and the data version, and the checks of foreign keys that point at
# places (they act only when a place's id changes or a place is deleted; an import does
# neither). ``_bulk_session`` does the same once for the whole import; if the schema has
# anything else (a trigger or foreign key added later), the import leaves the database to do
# its ordinary per-row work.
KNOWN_ROW_WORK = frozenset({
    ("places", "fk_suggestions_place_id_places"),
    ("places", "fk_suggestions_result_place_id_places"),
    ("places", "fk_place_categories_place_id_places"), ("places", "fk_revisions_place_id_places"),
    ("places", "fk_places_created_by_users"), ("places", "fk_places_updated_by_users"),
    ("places", "places_cluster_insert"), ("places", "places_cluster_update"),
    ("places", "places_cluster_delete"), ("places", "places_data_version"),
    # The search lexicon's triggers (migration 0007) are ENABLE ALWAYS: they fire in replica
    # mode too, once per statement, so the import need not do their work itself.
    ("places", "places_search_words_insert"), ("places", "places_search_words_update"),
    ("place_categories", "fk_place_categories_place_id_places"),
    ("place_categories", "fk_place_categories_category_id_categories"),
    ("place_categories", "place_categories_cluster_insert"),
    ("place_categories", "place_categories_cluster_update"),
    ("place_categories", "place_categories_cluster_delete"),
    ("place_categories", "place_categories_data_version"),
    ("revisions", "fk_revisions_place_id_places"), ("revisions", "fk_revisions_user_id_users"),
})
ROW_WORK = """
SELECT tgrelid::regclass::text, tgname FROM pg_trigger
WHERE tgrelid IN ('places'::regclass, 'place_categories'::regclass, 'revisions'::regclass)
  AND NOT tgisinternal
UNION ALL
SELECT conrelid::regclass::text, conname FROM pg_constraint
WHERE conrelid IN ('places'::regclass, 'place_categories'::regclass, 'revisions'::regclass)
  AND contype = 'f'
UNION ALL
SELECT confrelid::regclass::text, conname FROM pg_constraint
WHERE confrelid IN ('places'::regclass, 'place_categories'::regclass, 'revisions'::regclass)
  AND contype = 'f'
"""
# Skipping per-row triggers needs the right to set session_replication_role (a superuser, or
# on PostgreSQL 15 and later ``GRANT SET ON PARAMETER session_replication_role TO …``).
MAY_SKIP = """
SELECT current_setting('is_superuser') = 'on'
    OR (current_setting('server_version_num')::int >= 150000
        AND has_parameter_privilege('session_replication_role', 'SET'))
"""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    # With ``detail``: (row number, "create"/"update"/"unchanged", name) for every stored row.
    rows: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.errors)


# COPY's text format: tab between columns, \N for NULL, backslash escapes in values.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]")


def _copy_text(value: str | None) -> str:
    # str.translate with a mapping looks up every character (2.5 s of a 100,000-row import);
    # almost no value needs it, and finding that out is one scan in C.
    if value is None:
        return "\\N"
    return value.translate(_COPY_ESCAPES) if _NEEDS_ESCAPE.search(value) else value


def _array(values: list[str]) -> str:
    """A PostgreSQL array literal: every element quoted, so commas and braces stay text."""
    if not values:
        return "{}"
    quoted = (v.replace("\\", "\\\\").replace('"', '\\"') for v in values)
    return "{" + ",".join(f'"{v}"' for v in quoted) + "}"


def _staging_line(number: int, rec: PlaceRecord, category_ids: dict[str, int]) -> str:
    """One row of import_rows (STAGING_COLUMNS) as a line of COPY text. Built in the reader
    thread, so sending a chunk costs the event loop nothing but the bytes."""
    values = (
        str(number), *(_copy_text(getattr(rec, c)) for c in TEXT_COLUMNS),
        _copy_text(_array(rec.target_groups)), _copy_text(_array(rec.languages)),
        _copy_text(rec.status), _copy_text(rec.source), _copy_text(rec.source_id),
        dt.date.fromisoformat(rec.last_verified).isoformat() if rec.last_verified else "\\N",
        _copy_text(json.dumps(rec.extra, ensure_ascii=False, sort_keys=True))
        if rec.extra else "{}",
        "\\N" if rec.lon is None else repr(rec.lon), "\\N" if rec.lat is None else repr(rec.lat),
        "{" + ",".join(str(category_ids[s]) for s in dict.fromkeys(rec.categories)) + "}",
    )
    return "\t".join(values) + "\n"


def _validated_chunks(rows: Iterable[Row], category_ids: dict[str, int], report: ImportReport,
                      progress: Callable[[int], None] | None) -> Iterator[bytes]:
    """COPY text of the valid rows, ``CHUNK`` rows at a time; the others go to the report.
    One id may occur once per file, so a later row with the same id is an error."""
    known = set(category_ids)
    staged: list[str] = []
    size = FIRST_CHUNK
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        if progress:
            progress(1)
        if row.record is None:
            report.errors.append((row.number, row.error or "cannot be read"))
            continue
        rec = row.record
        problems = validate_record(rec, known)
        key = (rec.source or "", rec.source_id or "")
        if key in seen:
            problems.append(f"the same id '{rec.source_id}' as row {seen[key]}")
        if problems:
            report.errors.append((row.number, "; ".join(problems)))
            continue
        seen[key] = row.number
        staged.append(_staging_line(row.number, rec, category_ids))
        if len(staged) == size:
            yield "".join(staged).encode()
            staged, size = [], CHUNK
    if staged:
        yield "".join(staged).encode()


async def import_rows(conn: AsyncConnection, rows: Iterable[Row], *, user_id: int | None = None,
                      dry_run: bool = False, detail: bool = False,
                      progress: Callable[[int], None] | None = None) -> ImportReport:
    """Validate and store rows in one transaction (rolled back again when ``dry_run``)."""
    # KEY SHARE: no category can be deleted while its ids are being stored.
    category_ids = dict((await conn.execute(
        text("SELECT slug, id FROM categories FOR KEY SHARE"))).all())
    report = ImportReport()
    chunks = _validated_chunks(rows, category_ids, report, progress)
    # Reading and validating runs in a worker thread, so the database can store one chunk
    # while the next is read; the first chunk (a whole small file) is read before anything else.
    chunk = await asyncio.to_thread(next, chunks, None)
    reading: asyncio.Future | None = None
    savepoint = await conn.begin_nested()
    try:
        bulk = await _bulk_session(conn, user_id)
        # More than a first chunk: a large file, worth building the indexes anew for.
        deferred = (await defer_read_indexes(conn)
                    if chunk is not None and chunk.count(b"\n") >= FIRST_CHUNK else [])
        await conn.execute(text(STAGING))
        first = True
        while chunk is not None:
            reading = asyncio.ensure_future(asyncio.to_thread(next, chunks, None))
            await _store_chunk(conn, chunk, user_id, report, detail, bulk, analyze=first)
            first = False
            chunk = await reading
            reading = None
        await conn.execute(text("DROP TABLE import_rows"))
        await build_indexes(conn, deferred)
        if bulk:
            await _finish_bulk(conn)
    except Exception:
        if reading is not None:  # let the reader thread finish its chunk before rolling back
            await asyncio.gather(reading, return_exceptions=True)
        await savepoint.rollback()
        raise
    if dry_run:
        await savepoint.rollback()
    else:
        await savepoint.commit()
    report.errors.sort()
    return report


async def _bulk_session(conn: AsyncConnection, user_id: int | None) -> bool:
    """For this transaction only: skip the per-row triggers when ``KNOWN_ROW_WORK`` is all there
    is and may be skipped (True), after taking the locks their checks would have taken."""
    # For this transaction only: the joins of staged rows with places hash in memory, and no
    # JIT compilation (the subqueries of _classify look expensive enough to the planner to
    # have each chunk's statements compiled anew, ~0.1-0.3 s each, more than they run).
    await conn.execute(text("SET LOCAL work_mem = '64MB'"))
    await conn.execute(text("SET LOCAL jit = off"))
    row_work = {tuple(r) for r in (await conn.execute(text(ROW_WORK))).all()}
    if not row_work <= KNOWN_ROW_WORK:
        log.warning("import row by row: store.py does not know %s",
                    ", ".join(sorted(name for _, name in row_work - KNOWN_ROW_WORK)))
        return False
    if not (await conn.execute(text(MAY_SKIP))).scalar_one():
        return False
    if user_id is not None:
        # What the foreign keys to users would check, once; the row lock keeps the user.
        found = (await conn.execute(text("SELECT id FROM users WHERE id = :id FOR KEY SHARE"),
                                    {"id": user_id})).first()
        if found is None:
            raise ValueError(f"no user with id {user_id}")
    # Categories are locked in import_rows() and every id comes from there; the place ids
    # are those this transaction inserts or updates (and so holds). Replica mode turns off
    # ordinary triggers, foreign-key checks included, until _finish_bulk turns them on again.
    await conn.execute(text("SET LOCAL session_replication_role = replica"))
    await conn.execute(text(
        "CREATE TEMP TABLE import_touched (place_id integer NOT NULL) ON COMMIT DROP"))
    return True


async def _finish_bulk(conn: AsyncConnection) -> None:
    """The once-for-all part of what the skipped triggers do per statement."""
    await conn.execute(text("SET LOCAL session_replication_role = origin"))
    # Queued like the cluster triggers queue them (a superset: the flush at commit looks at each
    # place's current state), so the aggregates are brought up to date once, at commit.
    await conn.execute(text("""
        INSERT INTO cluster_pending (place_ids)
        SELECT array_agg(place_id) FROM import_touched HAVING count(*) > 0
    """))
    # A statement on places that changes nothing still fires its statement-level trigger,
    # which moves the data version on (once per transaction) for caches and ETags.
    await conn.execute(text("UPDATE places SET id = id WHERE false"))
    await conn.execute(text("DROP TABLE import_touched"))


async def _store_chunk(conn: AsyncConnection, staged: bytes, user_id: int | None,
                       report: ImportReport, detail: bool, bulk: bool, analyze: bool) -> None:
    await conn.execute(text("TRUNCATE import_rows"))
    raw = (await conn.get_raw_connection()).driver_connection
    await raw.copy_to_table("import_rows", source=io.BytesIO(staged), columns=STAGING_COLUMNS)
    if analyze:
        # Statistics of the first chunk hold for the next ones (the planner scales them to
        # the table's current size), so one ANALYZE instead of one per chunk.
        await conn.execute(text("ANALYZE import_rows"))
    # The statements below are prepared once per connection, and PostgreSQL keeps the first
    # plan of a statement without parameters until something invalidates it. A plan made for
    # the first chunk, when places (and place_categories) held nothing or had been analyzed
    # empty, scans them inside a loop over the staged rows: each chunk slower than the last,
    # hours for 100,000 rows. Planning each chunk anew sees the tables as they are now.
    await conn.execute(text("DISCARD PLANS"))
    await _classify(conn)
    await _insert_new(conn, user_id)
    await _update_changed(conn, user_id, bulk)
    await _replace_categories(conn)
    await _record_history(conn, user_id)
    if bulk:
        await conn.execute(text("""
            INSERT INTO import_touched
            SELECT place_id FROM import_rows WHERE action IN ('create', 'update')
        """))
    counts = dict((await conn.execute(
        text("SELECT action, count(*) FROM import_rows GROUP BY action"))).all())
    report.created += counts.get("create", 0)
    report.updated += counts.get("update", 0)
    report.unchanged += counts.get("unchanged", 0)
    if detail:
        report.rows += [tuple(r) for r in (await conn.execute(
            text("SELECT row_no, action, name FROM import_rows ORDER BY row_no"))).all()]


@asynccontextmanager
async def _index_lookups(conn: AsyncConnection) -> AsyncIterator[None]:
    """Joins of the staged chunk with places as one index lookup per staged row: a hash join
    would read all of places for every chunk (0.3 s per chunk at 100,000 places against 0.04 s,
    and ten times that at a million). Only around the statements that need it: the triggers of
    other statements join their transition tables, which have no index. A failure inside rolls
    the settings back with the savepoint."""
    await conn.execute(text("SELECT set_config('enable_hashjoin', 'off', true), "
                            "set_config('enable_mergejoin', 'off', true)"))
    yield
    await conn.execute(text("SELECT set_config(name, reset_val, true) FROM pg_settings "
                            "WHERE name IN ('enable_hashjoin', 'enable_mergejoin')"))


async def _classify(conn: AsyncConnection) -> None:
    async with _index_lookups(conn):
        await conn.execute(text(f"""
            UPDATE import_rows r
            SET place_id = p.id,
                action = CASE WHEN {_DIFFERS} THEN 'update' ELSE 'unchanged' END,
                before = CASE WHEN {_DIFFERS} THEN {snapshot_sql('p')} END
            FROM places p
            WHERE p.source = r.source AND p.source_id = r.source_id
        """))


async def _insert_new(conn: AsyncConnection, user_id: int | None) -> None:
    columns = ", ".join(COMPARED)
    values = ", ".join(f"r.{c}" for c in COMPARED)
    await conn.execute(text(f"""
        WITH inserted AS (
            INSERT INTO places ({columns}, geom, status, source, source_id, created_by, updated_by)
            SELECT {values}, {_GEOM},
                   coalesce(r.status, CASE WHEN r.lon IS NULL THEN 'draft' ELSE 'published' END),
                   r.source, r.source_id, :user_id, :user_id
            FROM import_rows r WHERE r.place_id IS NULL
            RETURNING id, source, source_id
        )
        UPDATE import_rows r SET place_id = i.id, action = 'create'
        FROM inserted i WHERE r.source = i.source AND r.source_id = i.source_id
    """), {"user_id": user_id})


async def _update_changed(conn: AsyncConnection, user_id: int | None, bulk: bool) -> None:
    assignments = ", ".join(f"{c} = r.{c}" for c in COMPARED)
    updated = await conn.execute(text(f"""
        UPDATE places p SET {assignments}, geom = {_GEOM},
            status = CASE WHEN r.status IS NOT NULL THEN r.status
                          WHEN r.lon IS NULL AND p.status = 'published' THEN 'draft'
                          ELSE p.status END,
            version = p.version + 1, updated_at = now(), updated_by = :user_id
        FROM import_rows r WHERE r.place_id = p.id AND r.action = 'update'
    """), {"user_id": user_id})
    if bulk:
        # A place deleted by someone else since _classify is not updated; without foreign-key
        # checks its categories and history would point nowhere, so fail as the checks would.
        expected = (await conn.execute(
            text("SELECT count(*) FROM import_rows WHERE action = 'update'"))).scalar_one()
        if updated.rowcount != expected:
            raise RuntimeError("places changed by someone else during the import; try again")


async def _replace_categories(conn: AsyncConnection) -> None:
    await conn.execute(text("""
        DELETE FROM place_categories pc USING import_rows r
        WHERE pc.place_id = r.place_id AND r.action = 'update'
    """))
    await conn.execute(text("""
        INSERT INTO place_categories (place_id, category_id, position)
        SELECT r.place_id, c.id, c.n - 1
        FROM import_rows r, unnest(r.category_ids) WITH ORDINALITY AS c(id, n)
        WHERE r.action IN ('create', 'update')
    """))


async def _record_history(conn: AsyncConnection, user_id: int | None) -> None:
    async with _index_lookups(conn):
        await conn.execute(text(f"""
            INSERT INTO revisions (place_id, user_id, action, version, before, after)
            SELECT p.id, :user_id, 'import-' || r.action, p.version, r.before, {snapshot_sql('p')}
            FROM import_rows r JOIN places p ON p.id = r.place_id
            WHERE r.action IN ('create', 'update')
        """), {"user_id": user_id})
