"""Bulk import and export in the browser (administrators only).

Upload → preview (what will be created, updated, left unchanged and rejected, by row number)
with a column mapping → one commit of the very same upload in one transaction. Importing the
same file again changes nothing: rows are matched by (source, source_id). Exports write the
admin list's current selection as CSV, GeoJSON or XLSX.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from starlette.datastructures import UploadFile

from app.admin.listing import ADMIN_STATUSES, admin_filter
from app.admin.pages import _page
from app.auth.deps import AdminUser, CurrentSession, require_csrf
from app.deps import Conn
from app.errors import NotFound
from app.importing import export, readers, schools, uploads
from app.importing.store import import_rows
from app.pages import i18n
from app.places.query import PlaceFilter, count_matched, resolve_categories, validate
from app.places.validation import PlaceRecord
from geo.errors import InvalidParameter

router = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[Depends(require_csrf)])
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Rows listed per action in the preview; the counts are always complete.
SHOWN_ROWS = 200
FIELDS = ("id", *PlaceRecord.field_names())
EXPORTS = {
    # A byte order mark, so that spreadsheets read the CSV as UTF-8.
    "csv": ("text/csv; charset=utf-8", lambda places: export.csv_chunks(places, "\ufeff")),
    "geojson": ("application/geo+json", export.geojson_chunks),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             export.xlsx_chunks),
}


# A worksheet's rows but the header's: Excel and LibreOffice open no more.
SHEET_MAX_PLACES = 1_048_575


async def _sheet_holds(conn: AsyncConnection, flt: PlaceFilter) -> bool:
    """Whether a worksheet holds the selection. The whole directory is asked first: counted
    along an index (70 ms at a million), and no selection of it holds more; counting a common
    word's matches took 4.8 s (every place that holds "Kita")."""
    for selection in (admin_filter(None, None, (), None), flt):
        categories = await resolve_categories(conn, selection.categories)
        if await count_matched(conn, selection, categories, SHEET_MAX_PLACES) is not None:
            return True
    return False


def _export_links(q: str | None, status: str | None) -> dict[str, str]:
    query = urlencode({k: v for k, v in {"q": q or "", "status": status or ""}.items() if v})
    return {fmt: f"/admin/export.{fmt}" + (f"?{query}" if query else "") for fmt in EXPORTS}


@router.get("/import")
async def import_form(request: Request, conn: Conn, session: CurrentSession, admin: AdminUser,
                      q: Annotated[str | None, Query(max_length=200)] = None,
                      status: str | None = None) -> HTMLResponse:
    status = status if status in ADMIN_STATUSES else None
    return _page(request, "admin/import.html", session, error=None,
                 exports=_export_links(q, status),
                 sheet_max=i18n.count_text(SHEET_MAX_PLACES, i18n.negotiate(request)),
                 sheet_holds=await _sheet_holds(conn, admin_filter(q, status, (), None)))


@router.post("/import")
async def upload(request: Request, conn: Conn, session: CurrentSession,
                 admin: AdminUser) -> Response:
    form = await request.form()
    file = form.get("file")
    content = await file.read(MAX_UPLOAD_BYTES + 1) if isinstance(file, UploadFile) else b""
    if not content or len(content) > MAX_UPLOAD_BYTES:
        error = "choose a file" if not content else "the file is larger than 20 MB"
        return _page(request, "admin/import.html", session, status_code=422, error=error,
                     exports=_export_links(None, None))
    token = await uploads.keep(conn, admin.id, file.filename or "upload.csv", content)
    return RedirectResponse(f"/admin/import/{token}", status_code=303)


def _mapping(params, columns: list[str]) -> dict[str, str] | None:
    """``m0=name&m1=street``: the admin's choice per file column (by position); None when the
    admin has not chosen yet (the file's own names are used)."""
    if not any(f"m{i}" in params for i in range(len(columns))):
        return None
    return {c: str(params.get(f"m{i}") or "") for i, c in enumerate(columns)
            if params.get(f"m{i}") in FIELDS}


async def _upload(conn: Conn, admin, token: str) -> tuple[str, bytes]:
    found = await uploads.load(conn, admin.id, token)
    if found is None:
        raise NotFound("this upload is unknown or older than a day; upload the file again")
    return found


async def _report_page(request: Request, conn: Conn, session, token: str, params,
                       commit: bool) -> HTMLResponse:
    filename, content = await _upload(conn, session.user, token)
    try:
        columns = readers.upload_columns(content, filename)
    except readers.UnreadableFile as exc:
        return _page(request, "admin/import.html", session, status_code=422,
                     error=f"{filename}: {exc}", exports=_export_links(None, None))
    mapping = _mapping(params, columns)
    automatic = mapping is None and schools.is_school_directory_csv(columns)
    chosen = mapping if mapping is not None else {c: c for c in columns if c in FIELDS}
    page = {"token": token, "filename": filename, "columns": columns, "chosen": chosen,
            "automatic": automatic, "fields": FIELDS, "shown_rows": SHOWN_ROWS}
    try:
        report = await import_rows(conn, readers.read_upload(content, filename, mapping),
                                   user_id=session.user.id, dry_run=not commit, detail=True)
    except readers.UnreadableFile as exc:
        # Usually a column the file names differently: the mapping form fixes it.
        return _page(request, "admin/import_preview.html", session, status_code=422,
                     committed=False, report=None, error=str(exc), created=[], updated=[],
                     **page)
    if commit:
        await uploads.forget(conn, token)
    by_action: dict[str, list[tuple[int, str]]] = {"create": [], "update": []}
    for number, action, name in report.rows:
        if action in by_action and len(by_action[action]) < SHOWN_ROWS:
            by_action[action].append((number, name))
    return _page(request, "admin/import_preview.html", session, committed=commit, report=report,
                 error=None, created=by_action["create"], updated=by_action["update"], **page)


@router.get("/import/{token}")
async def preview(request: Request, token: str, conn: Conn, session: CurrentSession,
                  admin: AdminUser) -> HTMLResponse:
    return await _report_page(request, conn, session, token, request.query_params, commit=False)


@router.post("/import/{token}")
async def commit(request: Request, token: str, conn: Conn, session: CurrentSession,
                 admin: AdminUser) -> HTMLResponse:
    return await _report_page(request, conn, session, token, await request.form(), commit=True)


@router.get("/export.{fmt}")
async def export_selection(request: Request, fmt: str, conn: Conn, admin: AdminUser,
                           q: Annotated[str | None, Query(max_length=200)] = None,
                           status: str | None = None) -> StreamingResponse:
    if fmt not in EXPORTS:
        raise NotFound(f"no export format '{fmt[:10]}'; choose csv, geojson or xlsx")
    media_type, write = EXPORTS[fmt]
    flt = admin_filter(q, status if status in ADMIN_STATUSES else None, (), None)
    validate(flt)  # a refused search is a 422 before the file begins, not a broken file
    if fmt == "xlsx" and not await _sheet_holds(conn, flt):
        raise InvalidParameter("xlsx", f"the selection has more places than a worksheet holds "
                                       f"({SHEET_MAX_PLACES:,}); export it as CSV or narrow it")
    engine: AsyncEngine = request.app.state.engine

    async def chunks() -> AsyncIterator[bytes]:
        # A connection of its own, for as long as the file takes: the request's ends with the
        # handler, and the places come from a cursor, which lives in a transaction.
        async with engine.begin() as conn:
            async for chunk in write(export.selection_snapshots(conn, flt)):
                yield chunk

    return StreamingResponse(chunks(), media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="lernorte.{fmt}"'})
