"""``GET /api/gazetteer``: postcodes and towns, from the published places' own addresses.

The gazetteer is rebuilt when the data version (bumped by triggers on every change to places)
differs from the one it was built from, so a new place's town is findable at once (over a large
directory: a build later, see WAIT_FOR_BUILD_S), and an unchanged database costs one one-row
query. An outside geocoder is asked only when one is
configured and the gazetteer has nothing; otherwise no request leaves the server.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from starlette.datastructures import State

from app.caching import data_version
from app.config import Settings
from app.deps import AppSettings, Conn, StrictQuery
from app.errors import PROBLEM_RESPONSES
from app.models import Place
from app.places.query import PlaceFilter, where_clauses
from geo.errors import InvalidParameter
from geo.gazetteer import AddressGroup, Gazetteer, build
from geo.text import search_words

GEOCODER_TIMEOUT_S = 4.0
log = logging.getLogger("lernorte.gazetteer")
router = APIRouter(prefix="/api", tags=["public"], dependencies=[StrictQuery])


class GazetteerResult(BaseModel):
    label: str
    kind: str  # postcode, town, municipality or geocoder
    lon: float
    lat: float
    bbox: list[float]  # minLon, minLat, maxLon, maxLat


class GazetteerAnswer(BaseModel):
    results: list[GazetteerResult]


async def _address_groups(conn: AsyncConnection) -> list[AddressGroup]:
    """Published places grouped by address, read with the query builder's own filter."""
    x, y = func.ST_X(Place.geom), func.ST_Y(Place.geom)
    rows = (await conn.execute(
        select(Place.postcode, Place.city, Place.municipality, func.count().label("n"),
               func.avg(x).label("lon"), func.avg(y).label("lat"), func.min(x).label("w"),
               func.min(y).label("s"), func.max(x).label("e"), func.max(y).label("n_"))
        .where(*where_clauses(PlaceFilter(), []))
        .group_by(Place.postcode, Place.city, Place.municipality)
    )).all()
    return [AddressGroup(r.postcode, r.city, r.municipality, r.n, r.lon, r.lat,
                         (r.w, r.s, r.e, r.n_)) for r in rows]


# A gazetteer whose build took longer than this is not waited for again after an edit: over a
# million places a build reads them all (1.3-1.6 s), and where edits come every few seconds
# nearly every address search waited for one. The last gazetteer answers meanwhile and the new
# one is built in the background, so a place's new town is findable a build later. A
# district's build (milliseconds) is still waited for: its new town is findable at once.
WAIT_FOR_BUILD_S = 0.2


@dataclass(frozen=True)
class Built:
    version: int
    gazetteer: Gazetteer
    seconds: float  # how long its build took


def _built(state: State) -> Built | None:
    return getattr(state, "gazetteer", None)


async def _build(state: State, conn: AsyncConnection, version: int) -> Gazetteer:
    """The gazetteer of ``version`` or newer. One build at a time per process: the searches
    arriving during a build wait for it rather than start the same build again."""
    if getattr(state, "gazetteer_building", None) is None:
        state.gazetteer_building = asyncio.Lock()
    async with state.gazetteer_building:
        # Versions only grow: one built from a newer version than asked for is current too.
        if (built := _built(state)) is None or built.version < version:
            started = time.perf_counter()
            gazetteer = build(await _address_groups(conn))
            built = Built(version, gazetteer, time.perf_counter() - started)
            state.gazetteer = built
    return built.gazetteer


def _build_in_background(state: State, engine: AsyncEngine) -> None:
    running: asyncio.Task | None = getattr(state, "gazetteer_rebuild", None)
    if running is not None and not running.done():
        return

    async def rebuild() -> None:
        async with engine.connect() as conn:
            version, _ = await data_version(conn)
            await _build(state, conn, version)

    def report(task: asyncio.Task) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("gazetteer rebuild failed", exc_info=task.exception())

    state.gazetteer_rebuild = asyncio.create_task(rebuild())
    state.gazetteer_rebuild.add_done_callback(report)


def stop_rebuilding(state: State) -> None:
    """At shutdown: a background build would outlive the database engine."""
    running: asyncio.Task | None = getattr(state, "gazetteer_rebuild", None)
    if running is not None:
        running.cancel()


async def current_gazetteer(request: Request, conn: AsyncConnection) -> Gazetteer:
    version, _ = await data_version(conn)
    state: State = request.app.state
    built = _built(state)
    if built is not None and built.version >= version:
        return built.gazetteer
    if built is not None and built.seconds > WAIT_FOR_BUILD_S:
        _build_in_background(state, request.app.state.engine)
        return built.gazetteer
    return await _build(state, conn, version)


async def geocode(settings: Settings, q: str, limit: int) -> list[dict[str, Any]]:
    """Ask the configured Nominatim-compatible geocoder, within the service area."""
    w, s, e, n = settings.service_area
    params = {"q": q, "format": "jsonv2", "limit": limit, "viewbox": f"{w},{n},{e},{s}",
              "bounded": 1}
    try:
        async with httpx.AsyncClient(timeout=GEOCODER_TIMEOUT_S,
                                     headers={"User-Agent": f"Lernorte ({settings.site_name})"}
                                     ) as client:
            response = await client.get(settings.geocoder_url.rstrip("/") + "/search",
                                        params=params)
            response.raise_for_status()
            items = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        # The gazetteer's answer ("nothing found") stands; the operator sees why in the log.
        log.warning("geocoder failed", extra={"error": repr(exc)})
        return []
    results = []
    for item in items if isinstance(items, list) else []:
        try:
            lon, lat = float(item["lon"]), float(item["lat"])
            south, north, west, east = (float(v) for v in item["boundingbox"])
            results.append({"label": str(item["display_name"]), "kind": "geocoder",
                            "lon": lon, "lat": lat, "bbox": [west, south, east, north]})
        except (KeyError, TypeError, ValueError):
            continue  # one malformed answer does not spoil the others
    return results[:limit]


@router.get("/gazetteer", response_model=GazetteerAnswer, responses=PROBLEM_RESPONSES,
            summary="Postcodes and towns matching a query, with centre and bounding box")
async def gazetteer(
    request: Request, conn: Conn, settings: AppSettings,
    q: Annotated[str, Query(min_length=1, max_length=100,
                            description="A postcode (or its beginning) or a town's name")],
    limit: Annotated[int, Query(ge=1, le=20, description="At most this many results")] = 8,
) -> dict[str, Any]:
    if not search_words(q):
        raise InvalidParameter("q", "needs at least one letter or digit")
    found = [entry.as_dict() for entry in (await current_gazetteer(request, conn)).search(q, limit)]
    if not found and settings.geocoder_url:
        found = await geocode(settings, q, limit)
    return {"results": found}
