"""``/vorschlag``: "Ort vorschlagen / Fehler melden" for everybody, without an account.

``?place=ID`` turns the form into a correction of that published place, pre-filled with what
the map shows now. Works without JavaScript; every typed value is shown back as text.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from app.admin.listing import category_choices
from app.auth.deps import client_address
from app.deps import AppSettings, Conn
from app.pages import i18n
from app.pages.render import render
from app.places import editing
from app.suggestions import spam, store

router = APIRouter(include_in_schema=False)


async def _published(conn: Conn, place_id: int | None) -> dict | None:
    if place_id is None:
        return None
    snapshot = await editing.place_snapshot(conn, place_id)
    if snapshot is None or snapshot.get("status") != "published":
        return None
    return {**snapshot, "id": place_id}


def _field(form: FormData, name: str, limit: int | None = None) -> str | None:
    # Stored text is never cut: too long is refused with a reason (store.problems/note_problems).
    value = form.get(name)
    return value.strip()[:limit] or None if isinstance(value, str) else None


async def _form_page(request: Request, conn: Conn, place: dict | None, values: dict,
                     errors: dict[str, list[str]] | None = None, notice: str | None = None,
                     status_code: int = 200) -> HTMLResponse:
    settings = request.app.state.settings
    lang = i18n.negotiate(request)
    return render(request, "suggest.html", status_code=status_code, place=place, v=values,
                  errors=errors or {}, notice=notice,
                  categories=await category_choices(conn, lang),
                  token=spam.issue_token(settings.secret_key),
                  honeypot=spam.HONEYPOT_FIELD, fields=store.FIELDS)


@router.get("/vorschlag")
async def suggestion_form(request: Request, conn: Conn,
                          place: Annotated[str | None, Query(max_length=100)] = None,
                          sent: bool = False) -> HTMLResponse:
    if sent:
        return render(request, "suggest_sent.html")
    # A citizen following an old or mangled link gets the form for a new place with a word on
    # why, not an error page.
    place_id = int(place) if place and place.isdigit() and len(place) < 10 else None
    snapshot = await _published(conn, place_id)
    values = {k: (snapshot or {}).get(k) or "" for k in store.FIELDS}
    notice = None
    if place and snapshot is None:
        notice = i18n.Translator(i18n.negotiate(request))("suggest_unknown_place")
    return await _form_page(request, conn, snapshot, values, notice=notice)


@router.post("/vorschlag")
async def suggestion_submit(request: Request, conn: Conn, settings: AppSettings) -> Response:
    form = await request.form()
    t = i18n.Translator(i18n.negotiate(request))
    place_id = _field(form, "place_id", 12)
    place = await _published(conn, int(place_id)) if place_id and place_id.isdigit() else None
    fields = {k: _field(form, k) for k in store.FIELDS}
    values = {k: v or "" for k, v in fields.items()} | {
        "category": _field(form, "category", 100) or "",
        "message": _field(form, "message") or "",
        "contact": _field(form, "contact") or ""}
    sent = RedirectResponse("/vorschlag?sent=1", status_code=303)
    if _field(form, spam.HONEYPOT_FIELD):
        return sent  # a bot: it is told "thank you" and nothing is kept
    age = spam.token_age(settings.secret_key, _field(form, "form_token", 100) or "")
    if age is None:
        return await _form_page(request, conn, place, values, notice=t("suggest_expired"),
                                status_code=403)
    if age < settings.suggestion_min_fill_s:
        return await _form_page(request, conn, place, values, notice=t("suggest_too_fast"),
                                status_code=422)
    hashed = spam.client_hash(settings.secret_key, client_address(request, settings))
    if await spam.sent_last_hour(conn, hashed) >= settings.suggestions_per_hour:
        page = await _form_page(request, conn, place, values, notice=t("suggest_rate_limited"),
                                status_code=429)
        page.headers["Retry-After"] = "3600"
        return page
    known = {slug for slug, _ in await category_choices(conn, "de")}
    found = store.problems(fields, values["category"] or None, known, correction=place is not None)
    found += store.note_problems(values["message"], values["contact"])
    if place is not None and not values["message"] and all(
            fields[k] == place.get(k) for k in store.FIELDS):
        found.append(("message", t("suggest_nothing_changed")))
    if found:
        errors: dict[str, list[str]] = {}
        for name, message in found:
            errors.setdefault("category" if name == "categories" else name, []).append(message)
        return await _form_page(request, conn, place, values, errors=errors,
                                notice=t("suggest_check_fields"), status_code=422)
    seen = {k: place.get(k) for k in store.FIELDS} if place else {}
    await store.submit(conn, place_id=place["id"] if place else None, fields=fields, seen=seen,
                       category=None if place else values["category"],
                       message=values["message"] or None, contact=values["contact"] or None,
                       hashed_client=hashed)
    return sent
