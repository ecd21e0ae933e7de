"""``/barrierefreiheit``: the accessibility statement that public bodies must publish (EU model
statement; in Hessen HessBGG § 14 with the HVBIT, which take over BITV 2.0), in every interface
language. Contact, date and the enforcement body's address are settings."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.config import Settings
from app.pages import i18n
from app.pages.render import render

router = APIRouter(include_in_schema=False)


@router.get("/barrierefreiheit")
async def accessibility_statement(request: Request) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    return render(
        request, "statement.html",
        statement_date=i18n.date_text(settings.accessibility_statement_date.isoformat(),
                                 i18n.negotiate(request)),
        contact_email=settings.accessibility_contact_email,
        enforcement_url=settings.accessibility_enforcement_url,
    )
