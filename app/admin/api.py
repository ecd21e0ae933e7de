"""The admin JSON API under /api/admin: the same rules as the pages (session cookie, CSRF token
on every change, roles and municipalities, versions)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from app.admin import schemas as s
from app.admin.listing import ADMIN_STATUSES, admin_filter, list_places
from app.admin.login import log_in, log_out
from app.auth.accounts import create_user, list_users, update_user
from app.auth.accounts import change_password as change_pw
from app.auth.deps import AdminUser, CurrentSession, CurrentUser, require_csrf
from app.deps import AppSettings, Conn
from app.errors import PROBLEM_RESPONSES, NotFound, Problem
from app.places import editing
from app.places.query import MAX_OFFSET, Page
from geo.errors import InvalidParameter

# Every answer the admin API can give, so that clients (and schemathesis) can rely on the schema.
ADMIN_RESPONSES = {**PROBLEM_RESPONSES, **{
    status: {"model": Problem, "description": description,
             "content": {"application/problem+json": {}}}
    for status, description in ((400, "The body is not JSON"), (401, "Not logged in"),
                                (403, "Not allowed: role, municipality or CSRF token"),
                                (409, "Changed by someone else since that version"))}}
# Ids are PostgreSQL integers: anything beyond is a 422, not a database error.
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]

router = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[Depends(require_csrf)],
                   responses=ADMIN_RESPONSES)
# Logging in has no session yet: its CSRF defence is that only JSON is accepted, which a
# cross-site form cannot send, and CORS never admits /api/admin.
login_router = APIRouter(prefix="/api/admin", tags=["admin"], responses=PROBLEM_RESPONSES)


def _user_out(user) -> s.UserOut:
    return s.UserOut(id=user.id, email=user.email, role=user.role,
                     municipalities=list(user.municipalities), active=user.active)


@login_router.post("/session", summary="Log in (sets the session cookie)")
async def api_login(body: s.LoginIn, request: Request, response: Response, conn: Conn,
                    settings: AppSettings) -> s.SessionOut:
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise InvalidParameter("body", "send the credentials as application/json")
    session = await log_in(conn, request, response, settings, body.email, body.password)
    return s.SessionOut(user=_user_out(session.user), csrf_token=session.csrf_token)


@router.delete("/session", status_code=204, summary="Log out")
async def api_logout(session: CurrentSession, request: Request, conn: Conn,
                     settings: AppSettings) -> Response:
    response = Response(status_code=204)
    await log_out(conn, request, response, settings, session)
    return response


@router.get("/me", summary="The logged-in account and its CSRF token")
async def me(session: CurrentSession) -> s.SessionOut:
    return s.SessionOut(user=_user_out(session.user), csrf_token=session.csrf_token)


@router.post("/password", status_code=204, summary="Change the own password")
async def password(body: s.PasswordIn, session: CurrentSession, conn: Conn) -> Response:
    await change_pw(conn, session.user, body.current, body.new, keep_session_id=session.id)
    return Response(status_code=204)


@router.get("/places", summary="Places of every status, with search and filters")
async def places(conn: Conn, user: CurrentUser,
                 q: str | None = None,
                 status: Annotated[str | None, Query(description=", ".join(ADMIN_STATUSES))] = None,
                 category: Annotated[list[str], Query()] = [],
                 municipality: str | None = None,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 50,
                 offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0) -> s.PlaceListOut:
    if status is not None and status not in ADMIN_STATUSES:
        raise InvalidParameter("status", "choose one of " + ", ".join(ADMIN_STATUSES))
    rows, total = await list_places(conn, admin_filter(q, status, tuple(category), municipality),
                                    Page(limit, offset))
    return s.PlaceListOut(places=rows, number_matched=total)


@router.get("/places/{place_id}", summary="One place, any status, with its version")
async def place(place_id: Id, conn: Conn, user: CurrentUser) -> s.PlaceOut:
    snapshot = await editing.place_snapshot(conn, place_id)
    if snapshot is None:
        raise NotFound(f"no place with id {place_id}")
    return s.PlaceOut(id=place_id, place=snapshot)


@router.post("/places", status_code=201, summary="Create a place (a draft unless status says so)")
async def create(body: s.PlaceCreate, conn: Conn, user: CurrentUser,
                 settings: AppSettings) -> s.SavedOut:
    place_id = await editing.create_place(conn, user, body.record(),
                                          service_area=settings.service_area, confirmed=body.confirm)
    return s.SavedOut(id=place_id, version=1)


@router.put("/places/{place_id}",
            summary="Save a place; 409 with the current place when it changed since `version`")
async def save(place_id: Id, body: s.PlaceUpdate, conn: Conn, user: CurrentUser,
               settings: AppSettings) -> s.SavedOut:
    version = await editing.update_place(conn, user, place_id, body.record(), body.version,
                                         service_area=settings.service_area,
                                         confirmed=body.confirm)
    return s.SavedOut(id=place_id, version=version)


@router.post("/places/{place_id}/{action}",
             summary="publish, unpublish, archive or unarchive a place")
async def status_action(place_id: Id, action: str, body: s.VersionIn, conn: Conn,
                        user: CurrentUser) -> s.SavedOut:
    version = await editing.change_status(conn, user, place_id, body.version, action)
    return s.SavedOut(id=place_id, version=version)


@router.get("/places/{place_id}/history", summary="Every change to a place, newest first")
async def place_history(place_id: Id, conn: Conn, user: CurrentUser) -> list[s.RevisionOut]:
    entries = await editing.history(conn, place_id)
    if not entries and await editing.place_snapshot(conn, place_id) is None:
        raise NotFound(f"no place with id {place_id}")
    return [s.RevisionOut(id=e.id, at=e.at, user=e.user, action=e.action, version=e.version,
                          changes=[s.ChangeOut(**vars(c)) for c in e.changes]) for e in entries]


@router.post("/places/{place_id}/history/{revision_id}/restore",
             summary="Make the place look as it did after that revision")
async def restore(place_id: Id, revision_id: Id, body: s.VersionIn, conn: Conn,
                  user: CurrentUser, settings: AppSettings) -> s.SavedOut:
    version = await editing.restore_revision(conn, user, place_id, revision_id, body.version,
                                             settings.service_area)
    return s.SavedOut(id=place_id, version=version)


@router.get("/users", summary="All accounts (admins only)")
async def users(conn: Conn, admin: AdminUser) -> list[s.UserOut]:
    return [_user_out(u) for u in await list_users(conn)]


@router.post("/users", status_code=201, summary="Create an account (admins only)")
async def new_user(body: s.UserIn, conn: Conn, admin: AdminUser) -> s.UserOut:
    return _user_out(await create_user(conn, body.email, body.password, body.role,
                                       body.municipalities))


@router.patch("/users/{user_id}", summary="Role, municipalities, deactivation (admins only)")
async def change_user(user_id: Id, body: s.UserUpdate, conn: Conn, admin: AdminUser) -> s.UserOut:
    return _user_out(await update_user(conn, user_id, role=body.role,
                                       municipalities=body.municipalities, active=body.active))
