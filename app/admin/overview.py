"""The education office's monitoring view: published places per municipality and stage of the
learning biography (by each place's primary category), as a table and a bar chart."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import text

from app.admin.pages import _page
from app.auth.deps import CurrentSession, require_csrf
from app.deps import Conn
from app.pages import i18n

router = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[Depends(require_csrf)])


@router.get("/overview")
async def overview(request: Request, conn: Conn, session: CurrentSession) -> HTMLResponse:
    lang = i18n.negotiate(request)
    stages = (await conn.execute(text(
        "SELECT slug, coalesce(names->>:lang, names->>'de') AS name FROM stages "
        "ORDER BY sort_order"), {"lang": lang})).all()
    rows = (await conn.execute(text("""
        SELECT coalesce(p.municipality, '–') AS municipality, s.slug AS stage, count(*) AS n
        FROM places p
        JOIN place_categories pc ON pc.place_id = p.id AND pc.position = 0
        JOIN categories c ON c.id = pc.category_id
        JOIN stages s ON s.id = c.stage_id
        WHERE p.status = 'published'
        GROUP BY 1, 2
    """))).all()
    table: dict[str, dict[str, int]] = {}
    for r in rows:
        table.setdefault(r.municipality, {})[r.stage] = r.n
    totals = {m: sum(counts.values()) for m, counts in table.items()}
    municipalities = sorted(table, key=lambda m: (-totals[m], m))
    return _page(request, "admin/overview.html", session, stages=stages, table=table,
                 municipalities=municipalities, totals=totals,
                 largest=max(totals.values(), default=1))
