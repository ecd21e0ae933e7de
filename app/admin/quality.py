"""The data-quality page /admin/quality: places that need a location, have not been verified for
12 months, lack contact data, or look like duplicates, each with a one-click way to fix it.
Editors limited to some municipalities see only those places. Places are selected through the
one query builder's WHERE clauses (app/places/query.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import ColumnElement, and_, exists, func, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from app.admin import schemas as s
from app.admin.api import ADMIN_RESPONSES, Id
from app.admin.pages import _page
from app.auth.accounts import User
from app.auth.deps import CurrentSession, CurrentUser, require_csrf
from app.deps import AppSettings, Conn
from app.models import Place
from app.places import editing
from app.places.errors import StaleVersion
from app.places.query import PlaceFilter, where_clauses

router = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[Depends(require_csrf)])
api_router = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[Depends(require_csrf)],
                       responses=ADMIN_RESPONSES)

# Archived places are out of sight; everything else can still reach the public map.
OPEN_STATUSES = ("draft", "published")
LIST_LIMIT = 100
# Stricter than the warning while editing (editing.DUPLICATE_SIMILARITY): this list is read
# without a trigger, so it should hold few false alarms.
DUPLICATE_SIMILARITY = 0.6
UNVERIFIED_AFTER = literal_column("interval '12 months'")


@dataclass
class Entry:
    id: int
    name: str
    municipality: str | None
    version: int
    last_verified: dt.date | None


@dataclass
class Duplicate:
    first_id: int
    first_name: str
    second_id: int
    second_name: str
    metres: int


@dataclass
class QualityList:
    key: str  # the section's id and the word's key
    entries: list
    count: int | None  # None: not searched (too many places at once)


def _visible(user: User, municipality: str | None) -> list[ColumnElement]:
    """The open places the user may edit, narrowed to a chosen municipality (name or AGS)."""
    clauses = where_clauses(PlaceFilter(statuses=OPEN_STATUSES,
                                        municipalities=tuple(user.municipalities)), [])
    if municipality and municipality.strip():
        clauses += where_clauses(PlaceFilter(statuses=OPEN_STATUSES,
                                             municipalities=(municipality,)), [])
    return clauses


def _blank(column) -> ColumnElement:
    return func.nullif(func.trim(column), "").is_(None)


async def _places(conn: AsyncConnection, clauses: list[ColumnElement], *order) -> QualityList:
    count = (await conn.execute(select(func.count()).select_from(Place).where(*clauses))).scalar_one()
    rows = (await conn.execute(
        select(Place.id, Place.name, Place.municipality, Place.version, Place.last_verified)
        .where(*clauses).order_by(*order, Place.name, Place.id).limit(LIST_LIMIT))).all()
    return QualityList("", [Entry(**r._asdict()) for r in rows], count)


async def _duplicates(conn: AsyncConnection, visible: list[ColumnElement],
                      max_places: int) -> QualityList:
    """Pairs of open places at most 50 m apart with similar names, at least one of them visible.

    Each visible place probes the index ix_places_geog (the expression geography(geom)) for its
    neighbours: about 0.15 ms a place, so over ``max_places`` visible places (a national
    directory) the pairs are not searched at all (count None) and the page asks for a
    municipality instead of timing out."""
    mine = select(func.count()).select_from(
        select(Place.id).where(*visible).limit(max_places + 1).subquery())
    if (await conn.execute(mine)).scalar_one() > max_places:
        return QualityList("duplicates", [], None)
    place, other = aliased(Place), aliased(Place)
    near = (
        select(func.least(place.id, other.id).label("first_id"),
               func.greatest(place.id, other.id).label("second_id"))
        .join(other, and_(
            other.id != place.id,
            func.ST_DWithin(func.geography(place.geom), func.geography(other.geom),
                            editing.DUPLICATE_RADIUS_M),
            func.similarity(func.lernorte_fold(place.name), func.lernorte_fold(other.name))
            >= DUPLICATE_SIMILARITY))
        .where(place.id.in_(select(Place.id).where(*visible)),
               other.status.in_(OPEN_STATUSES))
        .distinct()
    ).subquery()
    first, second = aliased(Place), aliased(Place)
    pairs = (
        select(first.id.label("first_id"), first.name.label("first_name"),
               second.id.label("second_id"), second.name.label("second_name"),
               func.round(func.ST_Distance(func.geography(first.geom), func.geography(second.geom)))
               .label("metres"))
        .select_from(near)
        .join(first, first.id == near.c.first_id)
        .join(second, second.id == near.c.second_id)
    ).subquery()
    # Every pair in one query (the probes are the cost; a second one to count them doubled it).
    rows = (await conn.execute(select(pairs).order_by(pairs.c.first_name, pairs.c.first_id,
                                                      pairs.c.second_id))).all()
    return QualityList("duplicates", [Duplicate(**{**r._asdict(), "metres": int(r.metres)})
                                      for r in rows[:LIST_LIMIT]], len(rows))


async def quality_lists(conn: AsyncConnection, user: User, municipality: str | None,
                        max_places: int) -> list[QualityList]:
    visible = _visible(user, municipality)
    needs_location = await _places(conn, [*visible, Place.geom.is_(None)])
    unverified = await _places(conn, [*visible, or_(
        Place.last_verified.is_(None),
        Place.last_verified < func.current_date() - UNVERIFIED_AFTER)],
        Place.last_verified.asc().nulls_first())
    no_contact = await _places(conn, [*visible, _blank(Place.phone), _blank(Place.email),
                                      _blank(Place.website)])
    needs_location.key, unverified.key, no_contact.key = "needs_location", "unverified", "no_contact"
    return [needs_location, unverified, no_contact,
            await _duplicates(conn, visible, max_places)]


async def _quality_page(request: Request, conn: Conn, session, status_code: int = 200,
                        verified: int | None = None, error: str | None = None,
                        municipality: str | None = None) -> HTMLResponse:
    max_places = request.app.state.settings.quality_duplicates_max_places
    chosen = (municipality or "").strip()
    # A misspelt municipality would show four empty lists, which reads as "all is well".
    unknown = bool(chosen) and not (await conn.execute(
        select(exists().where(*_visible(session.user, chosen))))).scalar_one()
    return _page(request, "admin/quality.html", session, status_code=status_code,
                 lists=await quality_lists(conn, session.user, municipality, max_places),
                 limit=LIST_LIMIT, verified=verified, error=error,
                 municipality=chosen, unknown_municipality=unknown, max_places=max_places)


@router.get("/quality")
async def quality(request: Request, conn: Conn, session: CurrentSession,
                  verified: int | None = None,
                  municipality: Annotated[str | None, Query(max_length=100)] = None
                  ) -> HTMLResponse:
    return await _quality_page(request, conn, session, verified=verified,
                               municipality=municipality)


@router.post("/quality/{place_id}/verified")
async def mark_verified(request: Request, place_id: Id, conn: Conn,
                        session: CurrentSession) -> Response:
    form = await request.form()
    try:
        version = str(form.get("version", ""))
        await editing.mark_verified(conn, session.user, place_id,
                                    int(version) if version.isdigit() else 0)
    except StaleVersion as exc:
        return await _quality_page(request, conn, session, 409, error=str(exc))
    return RedirectResponse(f"/admin/quality?verified={place_id}#unverified", status_code=303)


@api_router.get("/quality", summary="Places that need a location, have not been verified for 12 "
                                    "months, lack contact data, or look like duplicates")
async def api_quality(conn: Conn, user: CurrentUser, settings: AppSettings,
                      municipality: Annotated[str | None, Query(
                          max_length=100, description="Only this municipality (name or AGS)")] = None
                      ) -> s.QualityOut:
    lists = {q.key: q for q in await quality_lists(conn, user, municipality,
                                                  settings.quality_duplicates_max_places)}

    def places(key: str) -> s.QualityPlacesOut:
        return s.QualityPlacesOut(count=lists[key].count,
                                  places=[s.QualityPlaceOut(**vars(e)) for e in lists[key].entries])

    return s.QualityOut(limit=LIST_LIMIT, needs_location=places("needs_location"),
                        unverified=places("unverified"), no_contact=places("no_contact"),
                        duplicates=s.DuplicatesOut(
                            count=lists["duplicates"].count,
                            pairs=[s.DuplicateOut(**vars(d)) for d in lists["duplicates"].entries]))
