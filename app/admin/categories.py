"""Categories management for admins: the page /admin/categories and the JSON API
/api/admin/categories, both over app/admin/taxonomy.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from app.admin.api import ADMIN_RESPONSES
from app.admin.pages import _page
from app.admin.taxonomy import (
    HEX_COLOUR,
    CategoryChange,
    CategoryRow,
    available_icons,
    contrast_with_white,
    create_category,
    taxonomy,
    update_category,
)
from app.auth.deps import AdminUser, CurrentSession, require_csrf
from app.deps import Conn
from app.pages import i18n
from app.vocabulary import LANGUAGES
from geo.errors import InvalidParameter

router = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[Depends(require_csrf)])
api_router = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[Depends(require_csrf)],
                       responses=ADMIN_RESPONSES)
Slug = Annotated[str, Path(max_length=64)]


async def _categories_page(request: Request, conn: Conn, session, *, status_code: int = 200,
                           error: InvalidParameter | None = None, error_slug: str | None = None,
                           submitted: dict | None = None, saved: str | None = None
                           ) -> HTMLResponse:
    stages = await taxonomy(conn, i18n.negotiate(request))
    if submitted is not None and error_slug:
        # Show the admin what they typed, next to the message, rather than the stored values.
        for stage in stages:
            stage.categories = [CategoryRow(**{**vars(c), **submitted}) if c.slug == error_slug
                                else c for c in stage.categories]
    return _page(request, "admin/categories.html", session, status_code=status_code,
                 stages=stages, icons=available_icons(), name_languages=LANGUAGES,
                 contrast={c.slug: round(contrast_with_white(c.colour), 1)
                           for s in stages for c in s.categories if HEX_COLOUR.fullmatch(c.colour)},
                 error=error, error_slug=error_slug, saved=saved,
                 new=submitted if error_slug == "" else None)


def _from_form(form) -> tuple[CategoryChange, dict]:
    names = {lang: str(form.get(f"name_{lang}", "")) for lang in LANGUAGES}
    order = str(form.get("sort_order", "")).strip()
    try:
        sort_order = int(order) if order else None
    except ValueError:
        raise InvalidParameter("sort_order", "the order is a whole number") from None
    change = CategoryChange(names=names, colour=str(form.get("colour", "")).strip(),
                            icon=str(form.get("icon", "")), sort_order=sort_order,
                            stage=str(form.get("stage", "")) or None)
    shown = {"names": names, "colour": change.colour, "icon": change.icon,
             "sort_order": order, "stage": change.stage or ""}
    return change, shown


@router.get("/categories")
async def categories_page(request: Request, conn: Conn, session: CurrentSession,
                          admin: AdminUser, saved: str | None = None) -> HTMLResponse:
    return await _categories_page(request, conn, session, saved=saved)


@router.post("/categories")
async def categories_create(request: Request, conn: Conn, session: CurrentSession,
                            admin: AdminUser) -> Response:
    form = await request.form()
    slug = str(form.get("slug", "")).strip()
    shown = {"slug": slug}
    try:
        change, shown = _from_form(form)
        shown["slug"] = slug
        await create_category(conn, slug, change)
    except InvalidParameter as exc:
        return await _categories_page(request, conn, session, status_code=422, error=exc,
                                      error_slug="", submitted=shown)
    return RedirectResponse(f"/admin/categories?saved={slug}#cat-{slug}", status_code=303)


@router.post("/categories/{slug}")
async def categories_update(request: Request, slug: Slug, conn: Conn, session: CurrentSession,
                            admin: AdminUser) -> Response:
    form = await request.form()
    shown: dict = {}
    try:
        change, shown = _from_form(form)
        await update_category(conn, slug, change)
    except InvalidParameter as exc:
        return await _categories_page(request, conn, session, status_code=422, error=exc,
                                      error_slug=slug, submitted=shown)
    return RedirectResponse(f"/admin/categories?saved={slug}#cat-{slug}", status_code=303)


class CategoryUpdate(BaseModel):
    """Only the fields sent change; the slug never does (it is part of public URLs)."""

    names: dict[str, Annotated[str, Field(max_length=100)]] | None = None
    colour: str | None = Field(None, max_length=7, description="#rrggbb, white text readable on it")
    icon: str | None = Field(None, max_length=64, description="an icon of frontend/icons")
    sort_order: int | None = None
    stage: str | None = Field(None, max_length=64)


class CategoryCreate(CategoryUpdate):
    slug: str = Field(max_length=64)
    names: dict[str, Annotated[str, Field(max_length=100)]]
    colour: str = Field(max_length=7)
    icon: str = Field(max_length=64)
    stage: str = Field(max_length=64)


def _change(body: CategoryUpdate) -> CategoryChange:
    return CategoryChange(names=body.names, colour=body.colour, icon=body.icon,
                          sort_order=body.sort_order, stage=body.stage)


@api_router.get("/categories", summary="Stages with their categories (admins only)")
async def api_categories(conn: Conn, admin: AdminUser) -> list[CategoryRow]:
    return [c for s in await taxonomy(conn, "de") for c in s.categories]


@api_router.post("/categories", status_code=201, summary="Add a category (admins only)")
async def api_create(body: CategoryCreate, conn: Conn, admin: AdminUser) -> CategoryRow:
    return await create_category(conn, body.slug, _change(body))


@api_router.patch("/categories/{slug}",
                  summary="Rename, recolour, re-icon, reorder or move a category (admins only)")
async def api_update(slug: Slug, body: CategoryUpdate, conn: Conn,
                     admin: AdminUser) -> CategoryRow:
    return await update_category(conn, slug, _change(body))
