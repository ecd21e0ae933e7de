"""Liveness and readiness for load balancers and orchestrators."""

from fastapi import APIRouter, Request

from app.migrate import schema_revision
from app.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.get("/healthz", response_class=JSONResponse, summary="The process is alive")
async def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"})


@router.get("/readyz", response_class=JSONResponse, summary="Database reachable and schema current",
            responses={503: {"description": "Not ready"}})
async def readyz(request: Request) -> JSONResponse:
    expected = request.app.state.head_revision
    try:
        async with request.app.state.engine.connect() as conn:
            current = await schema_revision(conn)
    except Exception as exc:  # any database failure means "not ready", never a 500
        return JSONResponse({"status": "unavailable", "database": type(exc).__name__},
                            status_code=503)
    if current != expected:
        return JSONResponse({"status": "migrations pending", "schema": current, "expected": expected},
                            status_code=503)
    return JSONResponse({"status": "ready", "schema": current})
