"""The write path for single places: create, update, publish, archive, restore — every change
checked against the editor's permissions and the version the editor saw, and recorded in the
history with the place's state before and after. Bulk imports go through importing/store.py.

All statements are plain SQL on ``places`` and ``place_categories`` inside the caller's
transaction, so the triggers that maintain cluster aggregates and the data version fire.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import func, insert, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.auth.accounts import User
from app.auth.errors import Forbidden
from app.errors import NotFound
from app.models import Place, PlaceCategory
from app.places.errors import PlaceInvalid, StaleVersion
from app.places.snapshot import snapshot_sql
from app.places.validation import PlaceRecord, field_problems

# Two places closer than this with similar names are probably the same place.
DUPLICATE_RADIUS_M = 50
DUPLICATE_SIMILARITY = 0.5
EDITABLE_COLUMNS = (
    "name", "description", "street", "postcode", "city", "municipality", "ags", "phone", "email",
    "website", "provider", "provider_kind", "target_groups", "languages", "wheelchair",
    "accessibility_notes", "opening_hours",
)


@dataclass
class Change:
    field: str
    before: object
    after: object


@dataclass
class HistoryEntry:
    id: int
    at: dt.datetime
    user: str | None
    action: str
    version: int
    changes: list[Change] = field(default_factory=list)
    after: dict | None = None


def diff(before: dict | None, after: dict | None) -> list[Change]:
    """What changed between two snapshots, field by field (the version number is not a change)."""
    before, after = before or {}, after or {}
    keys = [k for k in dict.fromkeys([*after, *before]) if k != "version"]
    return [Change(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


def record_from_snapshot(snapshot: dict) -> PlaceRecord:
    known = set(PlaceRecord.field_names())
    values = {k: v for k, v in snapshot.items() if k in known}
    return PlaceRecord(**values)


async def place_snapshot(conn: AsyncConnection, place_id: int, *, lock: bool = False) -> dict | None:
    row = (await conn.execute(text(
        f"SELECT {snapshot_sql('p')} AS snap FROM places p WHERE p.id = :id"
        + (" FOR UPDATE" if lock else "")), {"id": place_id})).first()
    return row.snap if row else None


async def _known_categories(conn: AsyncConnection) -> dict[str, int]:
    return dict((await conn.execute(text("SELECT slug, id FROM categories"))).all())


async def _warnings(conn: AsyncConnection, rec: PlaceRecord, place_id: int | None,
                    service_area: tuple[float, float, float, float]) -> list[tuple[str, str]]:
    if rec.lon is None or rec.lat is None:
        return []
    warnings = []
    min_lon, min_lat, max_lon, max_lat = service_area
    if not (min_lon <= rec.lon <= max_lon and min_lat <= rec.lat <= max_lat):
        warnings.append(("location", "the location lies outside the service area; "
                                     "confirm that it is right"))
    rows = (await conn.execute(text("""
        SELECT id, name FROM places
        WHERE status <> 'archived' AND id <> coalesce(:id, 0)
          AND ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography,
                         :radius)
          AND similarity(lernorte_fold(name), lernorte_fold(:name)) >= :similarity
        ORDER BY id LIMIT 3
    """), {"id": place_id, "lon": rec.lon, "lat": rec.lat, "radius": DUPLICATE_RADIUS_M,
           "name": rec.name, "similarity": DUPLICATE_SIMILARITY})).all()
    for row in rows:
        warnings.append(("name", f"possible duplicate: '{row.name}' (#{row.id}) lies within "
                                 f"{DUPLICATE_RADIUS_M} m"))
    return warnings


async def check(conn: AsyncConnection, rec: PlaceRecord, *, place_id: int | None,
                before: dict | None, service_area: tuple[float, float, float, float],
                confirmed: bool) -> None:
    """Raise PlaceInvalid for problems, and for warnings unless the editor confirmed them.

    Warnings only concern what this save changes: an existing place is not flagged again for a
    name or location it already had.
    """
    categories = await _known_categories(conn)
    problems = field_problems(rec, set(categories))
    moved_or_renamed = before is None or (rec.name, rec.lon, rec.lat) != (
        before.get("name"), before.get("lon"), before.get("lat"))
    warnings = []
    if moved_or_renamed and not problems:
        warnings = await _warnings(conn, rec, place_id, service_area)
    if problems or (warnings and not confirmed):
        raise PlaceInvalid(problems, warnings)


def _values(rec: PlaceRecord) -> dict:
    values = {c: getattr(rec, c) for c in EDITABLE_COLUMNS}
    for c in EDITABLE_COLUMNS:
        if isinstance(values[c], str):
            values[c] = values[c].strip() or None
    values["name"] = rec.name.strip()
    values["wheelchair"] = rec.wheelchair or "unknown"
    values["extra"] = rec.extra or {}
    values["last_verified"] = dt.date.fromisoformat(rec.last_verified) if rec.last_verified else None
    values["geom"] = (func.ST_SetSRID(func.ST_MakePoint(rec.lon, rec.lat), 4326)
                      if rec.lon is not None else None)
    return values


async def _set_categories(conn: AsyncConnection, place_id: int, slugs: list[str]) -> None:
    ids = await _known_categories(conn)
    await conn.execute(text("DELETE FROM place_categories WHERE place_id = :id"), {"id": place_id})
    rows = [{"place_id": place_id, "category_id": ids[s], "position": n}
            for n, s in enumerate(dict.fromkeys(slugs))]
    await conn.execute(insert(PlaceCategory), rows)


async def _record(conn: AsyncConnection, place_id: int, user: User | None, action: str,
                  before: dict | None) -> int:
    return (await conn.execute(text(f"""
        INSERT INTO revisions (place_id, user_id, action, version, before, after)
        SELECT p.id, :uid, :action, p.version, CAST(:before AS jsonb), {snapshot_sql('p')}
        FROM places p WHERE p.id = :id
        RETURNING version
    """), {"id": place_id, "uid": user.id if user else None, "action": action,
           "before": json.dumps(before) if before is not None else None})).scalar_one()


def _allowed(user: User, *ags_values: str | None) -> None:
    for ags in ags_values:
        if not user.may_edit_ags(ags):
            raise Forbidden("this place lies outside the municipalities you may edit")


async def create_place(conn: AsyncConnection, user: User, rec: PlaceRecord, *,
                       service_area: tuple[float, float, float, float], confirmed: bool = False,
                       action: str = "create") -> int:
    """A new place (a draft unless the record says otherwise); returns its id."""
    _allowed(user, rec.ags)
    await check(conn, rec, place_id=None, before=None, service_area=service_area,
                confirmed=confirmed)
    status = rec.status or "draft"
    place_id = (await conn.execute(
        insert(Place).values(**_values(rec), status=status, source=rec.source,
                             source_id=rec.source_id, created_by=user.id, updated_by=user.id)
        .returning(Place.id))).scalar_one()
    await _set_categories(conn, place_id, rec.categories)
    await _record(conn, place_id, user, action, None)
    return place_id


async def _locked(conn: AsyncConnection, user: User, place_id: int, expected_version: int) -> dict:
    before = await place_snapshot(conn, place_id, lock=True)
    if before is None:
        raise NotFound(f"no place with id {place_id}")
    _allowed(user, before.get("ags"))
    if before["version"] != expected_version:
        raise StaleVersion(place_id, expected_version, before)
    return before


async def update_place(conn: AsyncConnection, user: User, place_id: int, rec: PlaceRecord,
                       expected_version: int, *, service_area: tuple[float, float, float, float],
                       confirmed: bool = False, action: str = "update") -> int:
    """Save the editor's version if nobody changed the place since; returns the new version."""
    before = await _locked(conn, user, place_id, expected_version)
    _allowed(user, rec.ags)
    if rec.status is None:
        rec.status = before["status"] if rec.lon is not None else "draft"
    await check(conn, rec, place_id=place_id, before=before, service_area=service_area,
                confirmed=confirmed)
    await conn.execute(
        update(Place).where(Place.id == place_id)
        .values(**_values(rec), status=rec.status, updated_by=user.id, updated_at=func.now(),
                version=Place.version + 1))
    await _set_categories(conn, place_id, rec.categories)
    return await _record(conn, place_id, user, action, before)


STATUS_ACTIONS = {"publish": "published", "unpublish": "draft", "archive": "archived",
                  "unarchive": None}


async def change_status(conn: AsyncConnection, user: User, place_id: int, expected_version: int,
                        action: str) -> int:
    """Publish, unpublish, archive or bring back from the archive; returns the new version."""
    if action not in STATUS_ACTIONS:
        raise PlaceInvalid([("status", f"unknown action '{action[:20]}'")], [])
    before = await _locked(conn, user, place_id, expected_version)
    status = STATUS_ACTIONS[action]
    if action == "unarchive":
        # Back to how it was before it was archived (a place without location stays a draft).
        previous = (await conn.execute(text("""
            SELECT before->>'status' FROM revisions
            WHERE place_id = :id AND action = 'archive' ORDER BY id DESC LIMIT 1
        """), {"id": place_id})).scalar()
        status = previous if previous in ("draft", "published") else "draft"
        if before.get("lon") is None:
            status = "draft"
    if status == "published" and before.get("lon") is None:
        raise PlaceInvalid([("location", "a place without a location cannot be published")], [])
    await conn.execute(update(Place).where(Place.id == place_id)
                       .values(status=status, updated_by=user.id, updated_at=func.now(),
                               version=Place.version + 1))
    return await _record(conn, place_id, user, action, before)


async def mark_verified(conn: AsyncConnection, user: User, place_id: int,
                        expected_version: int) -> int:
    """Record that someone checked the place today (a new version with its history entry)."""
    before = await _locked(conn, user, place_id, expected_version)
    await conn.execute(update(Place).where(Place.id == place_id)
                       .values(last_verified=func.current_date(), updated_by=user.id,
                               updated_at=func.now(), version=Place.version + 1))
    return await _record(conn, place_id, user, "verify", before)


async def restore_revision(conn: AsyncConnection, user: User, place_id: int, revision_id: int,
                           expected_version: int,
                           service_area: tuple[float, float, float, float]) -> int:
    """Make the place look as it did after an earlier revision (recorded as a new revision)."""
    snapshot = (await conn.execute(text(
        "SELECT after FROM revisions WHERE id = :rid AND place_id = :id"),
        {"rid": revision_id, "id": place_id})).scalar()
    if snapshot is None:
        raise NotFound(f"place {place_id} has no revision {revision_id}")
    rec = record_from_snapshot(snapshot)
    if rec.status == "published" and rec.lon is None:
        rec.status = "draft"
    return await update_place(conn, user, place_id, rec, expected_version,
                              service_area=service_area, confirmed=True,
                              action=f"restore:{revision_id}")


async def history(conn: AsyncConnection, place_id: int) -> list[HistoryEntry]:
    rows = (await conn.execute(text("""
        SELECT r.id, r.at, u.email, r.action, r.version, r.before, r.after
        FROM revisions r LEFT JOIN users u ON u.id = r.user_id
        WHERE r.place_id = :id ORDER BY r.id DESC
    """), {"id": place_id})).all()
    return [HistoryEntry(r.id, r.at, r.email, r.action, r.version, diff(r.before, r.after), r.after)
            for r in rows]
