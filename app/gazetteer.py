"""``GET /api/gazetteer``: postcodes and towns, from the published places' own addresses.

The gazetteer is rebuilt when the data version (bumped by triggers on every change to places)
differs from the one it was built from, so a new place's town is findable at once (over a large
directory: a build later, see app/derived.py), and an unchanged database costs one one-row
query. An outside geocoder is asked only when one is configured and the gazetteer has nothing;
otherwise no request leaves the server.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.config import Settings
from app.deps import AppSettings, Conn, StrictQuery
from app.derived import Derived
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


async def _gazetteer(conn: AsyncConnection) -> Gazetteer:
    return build(await _address_groups(conn))


# Built again once the data version has moved on (over a large directory in the background).
GAZETTEER = Derived("the gazetteer", _gazetteer)


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
    conn: Conn, settings: AppSettings,
    q: Annotated[str, Query(min_length=1, max_length=100,
                            description="A postcode (or its beginning) or a town's name")],
    limit: Annotated[int, Query(ge=1, le=20, description="At most this many results")] = 8,
) -> dict[str, Any]:
    if not search_words(q):
        raise InvalidParameter("q", "needs at least one letter or digit")
    found = [entry.as_dict() for entry in (await GAZETTEER.get(conn)).search(q, limit)]
    if not found and settings.geocoder_url:
        found = await geocode(settings, q, limit)
    return {"results": found}
