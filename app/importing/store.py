"""Storing place records in bulk: validated in Python, then COPY into a staging table and a
handful of set-based statements, so 100,000 rows cost about as much as a few hundred.

A record is identified by (source, source_id): importing the same file again updates what
changed and leaves the rest alone, recording each create and update in the history.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.importing.readers import Row
from app.places.snapshot import snapshot_sql
from app.places.validation import PlaceRecord, validate_record

TEXT_COLUMNS = ("name", "description", "street", "postcode", "city", "municipality", "ags", "phone",
                "email", "website", "provider", "provider_kind", "wheelchair",
                "accessibility_notes", "opening_hours")
# Compared to decide whether an existing place changed.
COMPARED = (*TEXT_COLUMNS, "target_groups", "languages", "last_verified", "extra")

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


def _staging_tuple(number: int, rec: PlaceRecord, category_ids: dict[str, int]) -> tuple:
    return (
        number, *(getattr(rec, c) for c in TEXT_COLUMNS), rec.target_groups, rec.languages,
        rec.status, rec.source, rec.source_id,
        dt.date.fromisoformat(rec.last_verified) if rec.last_verified else None,
        json.dumps(rec.extra, ensure_ascii=False, sort_keys=True), rec.lon, rec.lat,
        [category_ids[s] for s in dict.fromkeys(rec.categories)],
    )


async def import_rows(conn: AsyncConnection, rows: Iterable[Row], *, user_id: int | None = None,
                      dry_run: bool = False, detail: bool = False,
                      progress: Callable[[int], None] | None = None) -> ImportReport:
    """Validate and store rows in one transaction (rolled back again when ``dry_run``)."""
    category_ids = dict((await conn.execute(text("SELECT slug, id FROM categories"))).all())
    report = ImportReport()
    staged: list[tuple] = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        if progress:
            progress(1)
        if row.record is None:
            report.errors.append((row.number, row.error or "cannot be read"))
            continue
        rec = row.record
        problems = validate_record(rec, set(category_ids))
        key = (rec.source or "", rec.source_id or "")
        if key in seen:
            problems.append(f"the same id '{rec.source_id}' as row {seen[key]}")
        if problems:
            report.errors.append((row.number, "; ".join(problems)))
            continue
        seen[key] = row.number
        staged.append(_staging_tuple(row.number, rec, category_ids))

    savepoint = await conn.begin_nested()
    # For this transaction only: the joins of 100,000 staged rows with places hash in memory.
    await conn.execute(text("SET LOCAL work_mem = '64MB'"))
    await conn.execute(text(STAGING))
    raw = (await conn.get_raw_connection()).driver_connection
    await raw.copy_records_to_table("import_rows", records=staged, columns=STAGING_COLUMNS)
    await conn.execute(text("ANALYZE import_rows"))
    await _classify(conn)
    await _insert_new(conn, user_id)
    await _update_changed(conn, user_id)
    await _replace_categories(conn)
    await _record_history(conn, user_id)
    counts = dict((await conn.execute(
        text("SELECT action, count(*) FROM import_rows GROUP BY action"))).all())
    report.created = counts.get("create", 0)
    report.updated = counts.get("update", 0)
    report.unchanged = counts.get("unchanged", 0)
    if detail:
        report.rows = [tuple(r) for r in (await conn.execute(
            text("SELECT row_no, action, name FROM import_rows ORDER BY row_no"))).all()]
    await conn.execute(text("DROP TABLE import_rows"))
    if dry_run:
        await savepoint.rollback()
    else:
        await savepoint.commit()
    report.errors.sort()
    return report


async def _classify(conn: AsyncConnection) -> None:
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


async def _update_changed(conn: AsyncConnection, user_id: int | None) -> None:
    assignments = ", ".join(f"{c} = r.{c}" for c in COMPARED)
    await conn.execute(text(f"""
        UPDATE places p SET {assignments}, geom = {_GEOM},
            status = CASE WHEN r.status IS NOT NULL THEN r.status
                          WHEN r.lon IS NULL AND p.status = 'published' THEN 'draft'
                          ELSE p.status END,
            version = p.version + 1, updated_at = now(), updated_by = :user_id
        FROM import_rows r WHERE r.place_id = p.id AND r.action = 'update'
    """), {"user_id": user_id})


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
    await conn.execute(text(f"""
        INSERT INTO revisions (place_id, user_id, action, version, before, after)
        SELECT p.id, :user_id, 'import-' || r.action, p.version, r.before, {snapshot_sql('p')}
        FROM import_rows r JOIN places p ON p.id = r.place_id
        WHERE r.action IN ('create', 'update')
    """), {"user_id": user_id})
