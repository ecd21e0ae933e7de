"""The practical lower bound in Python: FastAPI + asyncpg, ST_AsGeoJSON spliced into orjson.

    DATABASE_URL=postgresql://… uvicorn bench.bare_app:app

One endpoint, ``GET /places?bbox=minLon,minLat,maxLon,maxLat&limit=N``: the published places in
the box, ordered by id, each a Feature with its id, geometry and name. No validation beyond
float parsing, no filters, no categories: what any real API does costs more than this.
"""

import os
from contextlib import asynccontextmanager

import asyncpg
import orjson
from fastapi import FastAPI, Query
from fastapi.responses import Response

SQL = """
SELECT id, name, ST_AsGeoJSON(geom, 7) AS geometry FROM places
WHERE status = 'published' AND geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)
ORDER BY id LIMIT $5
"""


def _dsn() -> str:
    url = os.environ["DATABASE_URL"]
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(_dsn(), min_size=2, max_size=10)
    yield
    await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


@app.get("/places")
async def places(bbox: str, limit: int = Query(100, ge=1, le=10000)) -> Response:
    w, s, e, n = (float(v) for v in bbox.split(","))
    async with app.state.pool.acquire() as conn:
        rows = await conn.fetch(SQL, w, s, e, n, limit)
    features = [{"type": "Feature", "id": r["id"], "geometry": orjson.Fragment(r["geometry"]),
                 "properties": {"name": r["name"]}} for r in rows]
    body = orjson.dumps({"type": "FeatureCollection", "numberReturned": len(features),
                         "features": features})
    return Response(body, media_type="application/geo+json")
