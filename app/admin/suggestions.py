"""The review queue of citizens' suggestions: editors accept (the place is created as a draft or
corrected, recorded in its history) or reject."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.admin import schemas as s
from app.admin.api import ADMIN_RESPONSES, Id
from app.admin.pages import _page
from app.auth.deps import CurrentSession, CurrentUser, require_csrf
from app.deps import AppSettings, Conn
from app.places import editing
from app.places.errors import PlaceInvalid
from app.suggestions import store

router = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[Depends(require_csrf)])
api_router = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[Depends(require_csrf)],
                       responses=ADMIN_RESPONSES)
REVIEW_STATUSES = ("open", "accepted", "rejected")


@router.get("/suggestions")
async def queue(request: Request, conn: Conn, session: CurrentSession,
                status: str = "open") -> HTMLResponse:
    status = status if status in REVIEW_STATUSES else "open"
    return _page(request, "admin/suggestions.html", session, status=status,
                 statuses=REVIEW_STATUSES, items=await store.list_suggestions(conn, status))


async def _review_page(request: Request, conn: Conn, session, suggestion_id: int,
                       status_code: int = 200, problems: list[tuple[str, str]] = ()
                       ) -> HTMLResponse:
    suggestion = await store.get(conn, suggestion_id)
    current = (await editing.place_snapshot(conn, suggestion.place_id)
               if suggestion.place_id else None)
    changes = suggestion.changes()
    return _page(request, "admin/suggestion.html", session, status_code=status_code,
                 s=suggestion, current=current, changes=changes, problems=list(problems))


@router.get("/suggestions/{suggestion_id}")
async def review(request: Request, suggestion_id: int, conn: Conn,
                 session: CurrentSession) -> HTMLResponse:
    return await _review_page(request, conn, session, suggestion_id)


@router.post("/suggestions/{suggestion_id}/accept")
async def accept(request: Request, suggestion_id: int, conn: Conn, session: CurrentSession,
                 settings: AppSettings) -> Response:
    form = await request.form()
    version = str(form.get("version") or "")
    try:
        place_id = await store.accept(conn, session.user, suggestion_id,
                                      int(version) if version.isdigit() else None,
                                      settings.service_area)
    except PlaceInvalid as exc:
        return await _review_page(request, conn, session, suggestion_id, 422,
                                  [*exc.problems, *exc.warnings])
    return RedirectResponse(f"/admin/places/{place_id}?saved=1", status_code=303)


@router.post("/suggestions/{suggestion_id}/reject")
async def reject(suggestion_id: int, conn: Conn, session: CurrentSession) -> Response:
    await store.reject(conn, session.user, suggestion_id)
    return RedirectResponse("/admin/suggestions", status_code=303)


@api_router.get("/suggestions", summary="Open citizens' suggestions, oldest first")
async def api_queue(conn: Conn, user: CurrentUser) -> list[s.SuggestionOut]:
    return [s.SuggestionOut(id=x.id, place_id=x.place_id, place_name=x.place_name,
                            fields=x.fields, changes=x.changes(), category=x.category,
                            message=x.message, contact=x.contact, status=x.status,
                            created_at=x.created_at)
            for x in await store.list_suggestions(conn, "open")]


@api_router.post("/suggestions/{suggestion_id}/accept",
                 summary="Accept: create the place as a draft or apply the correction "
                         "(404 when already reviewed, 409 when the place changed)")
async def api_accept(suggestion_id: Id, conn: Conn, user: CurrentUser, settings: AppSettings,
                     body: Annotated[s.AcceptIn | None, Body()] = None) -> s.AcceptedOut:
    place_id = await store.accept(conn, user, suggestion_id, body.version if body else None,
                                  settings.service_area)
    return s.AcceptedOut(suggestion_id=suggestion_id, place_id=place_id)


@api_router.post("/suggestions/{suggestion_id}/reject", status_code=204,
                 summary="Reject a suggestion (404 when already reviewed)")
async def api_reject(suggestion_id: Id, conn: Conn, user: CurrentUser) -> Response:
    await store.reject(conn, user, suggestion_id)
    return Response(status_code=204)
