"""``/barrierefreiheit``: the accessibility statement that public bodies must publish
(BITV 2.0 § 12 with the EU model statement), in every interface language."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.pages.render import render

router = APIRouter(include_in_schema=False)


@router.get("/barrierefreiheit")
async def accessibility_statement(request: Request) -> HTMLResponse:
    return render(request, "statement.html")
