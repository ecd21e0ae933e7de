"""The administration's pages at /admin: server-rendered forms that work without JavaScript
(the map is an addition), every POST carrying the session's CSRF token."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.admin.forms import form_values, record_from_form, record_values
from app.admin.listing import ADMIN_STATUSES, admin_filter, category_choices, list_places
from app.admin.login import log_in, log_out
from app.auth.accounts import change_password, create_user, list_users, update_user
from app.auth.deps import (
    AdminUser,
    CurrentSession,
    CurrentUser,
    OptionalSession,
    form_csrf_token,
    require_csrf,
    require_form_csrf,
    set_form_csrf_cookie,
)
from app.auth.errors import AccountProblem, LoginFailed, LoginThrottled
from app.deps import AppSettings, Conn
from app.errors import NotFound
from app.models import PROVIDER_KINDS, WHEELCHAIR_VALUES
from app.pages import i18n
from app.pages.render import render
from app.places import editing
from app.places.errors import PlaceInvalid, StaleVersion
from app.places.query import MAX_OFFSET, Page
from app.static import vendor_url
from app.vocabulary import TARGET_GROUPS

router = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[Depends(require_csrf)])
login_router = APIRouter(prefix="/admin", include_in_schema=False)
PAGE_SIZE = 50


def _page(request: Request, template: str, session, status_code: int = 200, **context
          ) -> HTMLResponse:
    return render(request, template, status_code=status_code, session=session,
                  csrf_token=session.csrf_token if session else "", **context)


def _safe_next(target: str | None) -> str:
    # Only paths inside the admin: never an open redirect to another site.
    if target and target.startswith("/admin") and not target.startswith("//"):
        return target
    return "/admin/places"


@login_router.get("/login")
async def login_form(request: Request, session: OptionalSession,
                     next: str | None = None) -> Response:
    if session is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_page(request, next, None, 200)


def _login_page(request: Request, next_url: str | None, error: str | None,
                status_code: int) -> HTMLResponse:
    token = form_csrf_token(request)
    response = render(request, "admin/login.html", status_code=status_code, session=None,
                      csrf_token=token, next_url=_safe_next(next_url), error=error)
    set_form_csrf_cookie(response, request, request.app.state.settings, token)
    return response


@login_router.post("/login", dependencies=[Depends(require_form_csrf)])
async def login_submit(request: Request, conn: Conn, settings: AppSettings) -> Response:
    form = await request.form()
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    next_url = _safe_next(str(form.get("next", "")))
    response = RedirectResponse(next_url, status_code=303)
    t = i18n.Translator(i18n.negotiate(request))
    try:
        await log_in(conn, request, response, settings, email, password)
    except LoginFailed:
        return _login_page(request, next_url, t("admin_login_failed"), 401)
    except LoginThrottled as exc:
        page = _login_page(request, next_url,
                           t("admin_login_throttled", minutes=max(1, exc.retry_after_s // 60)), 429)
        page.headers["Retry-After"] = str(exc.retry_after_s)
        return page
    return response


@router.post("/logout")
async def logout(request: Request, session: CurrentSession, conn: Conn,
                 settings: AppSettings) -> Response:
    response = RedirectResponse("/admin/login", status_code=303)
    await log_out(conn, request, response, settings, session)
    return response


@router.get("")
@router.get("/")
async def home(user: CurrentUser) -> Response:
    return RedirectResponse("/admin/places", status_code=303)


@router.get("/places")
async def places(request: Request, conn: Conn, session: CurrentSession,
                 q: Annotated[str | None, Query(max_length=200)] = None,
                 status: str | None = None, offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0
                 ) -> HTMLResponse:
    status = status if status in ADMIN_STATUSES else None
    rows, total = await list_places(conn, admin_filter(q, status, (), None),
                                    Page(PAGE_SIZE, offset))
    def page_link(new_offset: int) -> str:
        return "/admin/places?" + urlencode({k: v for k, v in
                                             {"q": q or "", "status": status or "",
                                              "offset": new_offset}.items() if v != ""})
    return _page(request, "admin/places.html", session, rows=rows, total=total, q=q or "",
                 export_query=urlencode({"q": q or "", "status": status or ""}),
                 status=status or "", statuses=ADMIN_STATUSES,
                 next_link=page_link(offset + PAGE_SIZE) if total and offset + PAGE_SIZE < total
                 else None,
                 previous_link=page_link(max(0, offset - PAGE_SIZE)) if offset else None)


async def _editor_page(request: Request, conn: Conn, session, values: dict,
                       place_id: int | None, status_code: int = 200,
                       problems: list[tuple[str, str]] = (),
                       warnings: list[tuple[str, str]] = (), saved: bool = False) -> HTMLResponse:
    settings = request.app.state.settings
    lang = i18n.negotiate(request)
    errors: dict[str, list[str]] = {}
    for field, message in problems:
        errors.setdefault(field, []).append(message)
    map_settings = {"tileUrl": settings.tile_url if settings.tiles_enabled else None,
                    "attribution": settings.tile_attribution,
                    "maxZoom": settings.tile_max_zoom, "serviceArea": settings.service_area,
                    "noResults": i18n.Translator(lang)("admin_no_results")}
    return _page(request, "admin/place_form.html", session, status_code=status_code,
                 place_id=place_id, v=values, errors=errors, warnings=list(warnings),
                 saved=saved, categories=await category_choices(conn, lang),
                 target_groups={k: n.get(lang, n["de"]) for k, n in TARGET_GROUPS.items()},
                 provider_kinds=PROVIDER_KINDS, wheelchair_values=WHEELCHAIR_VALUES,
                 map_settings=map_settings,
                 leaflet_js=vendor_url("leaflet", "dist/leaflet.js"),
                 leaflet_css=vendor_url("leaflet", "dist/leaflet.css"))


@router.get("/places/new")
async def new_place(request: Request, conn: Conn, session: CurrentSession) -> HTMLResponse:
    return await _editor_page(request, conn, session, form_values({}), None)


@router.post("/places/new")
async def create_place(request: Request, conn: Conn, session: CurrentSession,
                       settings: AppSettings) -> Response:
    form = await request.form()
    record, problems = record_from_form(form)
    try:
        if problems:
            raise PlaceInvalid(problems, [])
        place_id = await editing.create_place(conn, session.user, record,
                                              service_area=settings.service_area,
                                              confirmed=form.get("confirm") == "yes")
    except PlaceInvalid as exc:
        return await _editor_page(request, conn, session, record_values(record), None, 422,
                                  exc.problems, exc.warnings)
    return RedirectResponse(f"/admin/places/{place_id}?saved=1", status_code=303)


@router.get("/places/{place_id}")
async def edit_place(request: Request, place_id: int, conn: Conn, session: CurrentSession,
                     saved: bool = False) -> HTMLResponse:
    snapshot = await editing.place_snapshot(conn, place_id)
    if snapshot is None:
        raise NotFound(f"no place with id {place_id}")
    return await _editor_page(request, conn, session, form_values(snapshot), place_id,
                              saved=saved)


@router.post("/places/{place_id}")
async def save_place(request: Request, place_id: int, conn: Conn, session: CurrentSession,
                     settings: AppSettings) -> Response:
    form = await request.form()
    record, problems = record_from_form(form)
    version = int(str(form.get("version") or 0))
    values = {**record_values(record), "version": version}
    try:
        if problems:
            raise PlaceInvalid(problems, [])
        await editing.update_place(conn, session.user, place_id, record, version,
                                   service_area=settings.service_area,
                                   confirmed=form.get("confirm") == "yes")
    except PlaceInvalid as exc:
        return await _editor_page(request, conn, session, values, place_id, 422,
                                  exc.problems, exc.warnings)
    except StaleVersion as exc:
        mine = {**vars(record)}
        changes = [c for c in editing.diff(exc.current, mine) if c.field in mine
                   and c.field not in ("status", "source", "source_id", "extra")]
        return _page(request, "admin/conflict.html", session, status_code=409,
                     place_id=place_id, yours=version, current=exc.current, changes=changes,
                     v={**values, "version": exc.current["version"]},
                     form_items=[(k, v) for k, v in form.multi_items()
                                 if k not in ("version", "csrf_token")])
    return RedirectResponse(f"/admin/places/{place_id}?saved=1", status_code=303)


@router.post("/places/{place_id}/status")
async def place_status(request: Request, place_id: int, conn: Conn,
                       session: CurrentSession) -> Response:
    form = await request.form()
    try:
        await editing.change_status(conn, session.user, place_id,
                                    int(str(form.get("version") or 0)), str(form.get("action")))
    except PlaceInvalid as exc:
        snapshot = await editing.place_snapshot(conn, place_id) or {}
        return await _editor_page(request, conn, session, form_values(snapshot), place_id, 422,
                                  exc.problems)
    return RedirectResponse(f"/admin/places/{place_id}?saved=1", status_code=303)


@router.get("/places/{place_id}/history")
async def place_history(request: Request, place_id: int, conn: Conn,
                        session: CurrentSession) -> HTMLResponse:
    snapshot = await editing.place_snapshot(conn, place_id)
    if snapshot is None:
        raise NotFound(f"no place with id {place_id}")
    return _page(request, "admin/history.html", session, place_id=place_id, place=snapshot,
                 entries=await editing.history(conn, place_id))


@router.post("/places/{place_id}/history/{revision_id}/restore")
async def restore_revision(request: Request, place_id: int, revision_id: int, conn: Conn,
                           session: CurrentSession, settings: AppSettings) -> Response:
    form = await request.form()
    await editing.restore_revision(conn, session.user, place_id, revision_id,
                                   int(str(form.get("version") or 0)), settings.service_area)
    return RedirectResponse(f"/admin/places/{place_id}/history", status_code=303)


@router.get("/password")
async def password_form(request: Request, session: CurrentSession,
                        done: bool = False) -> HTMLResponse:
    return _page(request, "admin/password.html", session, error=None, done=done)


@router.post("/password")
async def password_submit(request: Request, conn: Conn, session: CurrentSession) -> Response:
    form = await request.form()
    try:
        await change_password(conn, session.user, str(form.get("current", "")),
                              str(form.get("new", "")), keep_session_id=session.id)
    except AccountProblem as exc:
        return _page(request, "admin/password.html", session, status_code=422, error=str(exc),
                     done=False)
    return RedirectResponse("/admin/password?done=1", status_code=303)


@router.get("/users")
async def users(request: Request, conn: Conn, session: CurrentSession,
                admin: AdminUser) -> HTMLResponse:
    return _page(request, "admin/users.html", session, users=await list_users(conn), error=None)


@router.post("/users")
async def users_submit(request: Request, conn: Conn, session: CurrentSession,
                       admin: AdminUser) -> Response:
    form = await request.form()
    municipalities = [m.strip() for m in str(form.get("municipalities", "")).split(",") if m.strip()]
    try:
        if form.get("user_id"):
            await update_user(conn, int(str(form["user_id"])), role=str(form.get("role")),
                              municipalities=municipalities, active=form.get("active") == "yes")
        else:
            await create_user(conn, str(form.get("email", "")), str(form.get("password", "")),
                              str(form.get("role", "editor")), municipalities)
    except AccountProblem as exc:
        return _page(request, "admin/users.html", session, status_code=422,
                     users=await list_users(conn), error=str(exc))
    return RedirectResponse("/admin/users", status_code=303)
