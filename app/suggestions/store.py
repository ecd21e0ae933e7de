"""Suggestions in the database, and what accepting one does to the places.

A suggestion keeps what the citizen typed as JSON. For a correction it also keeps the values
the citizen saw, so that accepting applies only what the citizen changed, on top of the place
as it is now (an editor's later change of another field is not undone).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.auth.accounts import User
from app.errors import NotFound
from app.places import editing
from app.places.validation import PlaceRecord, field_problems

# The place fields a citizen may propose (a new place also names its kind of place).
FIELDS = ("name", "street", "postcode", "city", "phone", "email", "website", "opening_hours",
          "description")
MESSAGE_MAX = 5000
CONTACT_MAX = 254


@dataclass
class Suggestion:
    id: int
    place_id: int | None
    place_name: str | None
    fields: dict[str, str | None]
    seen: dict[str, str | None]
    category: str | None
    message: str | None
    contact: str | None
    status: str
    created_at: dt.datetime
    result_place_id: int | None

    @property
    def is_correction(self) -> bool:
        return bool(self.seen)

    def changes(self) -> dict[str, str | None]:
        """For a correction, the fields the citizen changed; for a new place, all given."""
        if not self.is_correction:
            return {k: v for k, v in self.fields.items() if v}
        return {k: v for k, v in self.fields.items() if v != self.seen.get(k)}


def problems(fields: dict[str, str | None], category: str | None, known_categories: set[str],
             correction: bool) -> list[tuple[str, str]]:
    """What is wrong with the citizen's input, per field (the place rules, minus a location)."""
    rec = PlaceRecord(name=fields.get("name") or "",
                      categories=[category] if category else [],
                      **{k: v for k, v in fields.items() if k != "name"})
    found = field_problems(rec, known_categories)
    if correction:
        found = [(f, m) for f, m in found if f != "categories"]
    return found


def note_problems(message: str, contact: str) -> list[tuple[str, str]]:
    """What is wrong with the free-text note and the contact: too long, or a NUL character."""
    found = []
    for name, value, limit in (("message", message, MESSAGE_MAX), ("contact", contact, CONTACT_MAX)):
        if len(value) > limit:
            found.append((name, f"{name} is longer than {limit} characters"))
        if "\x00" in value:
            found.append((name, f"{name} contains a NUL character"))
    return found


async def submit(conn: AsyncConnection, *, place_id: int | None, fields: dict, seen: dict,
                 category: str | None, message: str | None, contact: str | None,
                 hashed_client: str) -> int:
    payload = {"fields": fields, "seen": seen, "category": category}
    return (await conn.execute(text("""
        INSERT INTO suggestions (place_id, payload, message, contact, client_hash)
        VALUES (:place_id, CAST(:payload AS jsonb), :message, :contact, :client)
        RETURNING id
    """), {"place_id": place_id, "payload": json.dumps(payload, ensure_ascii=False),
           "message": message, "contact": contact, "client": hashed_client})).scalar_one()


_SELECT = """
    SELECT s.id, s.place_id, p.name AS place_name, s.payload, s.message, s.contact, s.status,
           s.created_at, s.result_place_id
    FROM suggestions s LEFT JOIN places p ON p.id = s.place_id
"""


def _suggestion(row) -> Suggestion:
    payload = row.payload
    return Suggestion(row.id, row.place_id, row.place_name, payload.get("fields") or {},
                      payload.get("seen") or {}, payload.get("category"), row.message,
                      row.contact, row.status, row.created_at, row.result_place_id)


async def list_suggestions(conn: AsyncConnection, status: str) -> list[Suggestion]:
    rows = (await conn.execute(text(_SELECT + " WHERE s.status = :status ORDER BY s.created_at"),
                               {"status": status})).all()
    return [_suggestion(r) for r in rows]


async def get(conn: AsyncConnection, suggestion_id: int, *, lock: bool = False) -> Suggestion:
    row = (await conn.execute(text(_SELECT + " WHERE s.id = :id"
                                   + (" FOR UPDATE OF s" if lock else "")),
                              {"id": suggestion_id})).first()
    if row is None:
        raise NotFound(f"no suggestion with id {suggestion_id}")
    return _suggestion(row)


async def _close(conn: AsyncConnection, suggestion_id: int, user: User, status: str,
                 place_id: int | None) -> None:
    await conn.execute(text("""
        UPDATE suggestions SET status = :status, reviewed_by = :uid, reviewed_at = now(),
               result_place_id = :place_id
        WHERE id = :id
    """), {"status": status, "uid": user.id, "place_id": place_id, "id": suggestion_id})


class AlreadyReviewed(NotFound):
    """Someone else has accepted or rejected this suggestion meanwhile."""


async def _open(conn: AsyncConnection, suggestion_id: int) -> Suggestion:
    suggestion = await get(conn, suggestion_id, lock=True)
    if suggestion.status != "open":
        raise AlreadyReviewed(f"suggestion {suggestion_id} was already {suggestion.status}")
    return suggestion


async def accept(conn: AsyncConnection, user: User, suggestion_id: int, expected_version: int | None,
                 service_area: tuple[float, float, float, float]) -> int:
    """Create the proposed place as a draft, or apply the correction; returns the place's id.
    Either way the place's history records it as ``suggestion:<id>``."""
    suggestion = await _open(conn, suggestion_id)
    action = f"suggestion:{suggestion.id}"
    if not suggestion.is_correction:
        rec = PlaceRecord(name=suggestion.fields.get("name") or "",
                          categories=[suggestion.category] if suggestion.category else [],
                          status="draft",
                          **{k: v for k, v in suggestion.fields.items() if k != "name"})
        place_id = await editing.create_place(conn, user, rec, service_area=service_area,
                                              confirmed=True, action=action)
    else:
        if suggestion.place_id is None:
            raise NotFound("the place of this correction no longer exists")
        place_id = suggestion.place_id
        current = await editing.place_snapshot(conn, place_id)
        if current is None:
            raise NotFound(f"no place with id {place_id}")
        rec = editing.record_from_snapshot({**current, **suggestion.changes()})
        await editing.update_place(conn, user, place_id, rec, expected_version or 0,
                                   service_area=service_area, confirmed=True, action=action)
    await _close(conn, suggestion.id, user, "accepted", place_id)
    return place_id


async def reject(conn: AsyncConnection, user: User, suggestion_id: int) -> None:
    suggestion = await _open(conn, suggestion_id)
    await _close(conn, suggestion.id, user, "rejected", None)
