"""Media types, content negotiation and the HTML views of the OGC API.

``f=json|html`` decides; without it the ``Accept`` header does (RFC 9110 quality values), and a
tie goes to JSON, so ``curl`` and GIS clients get data while browsers get pages.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from app.config import PROJECT_ROOT
from app.ogc.params import parse_format

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.0"

_templates = Environment(
    loader=FileSystemLoader(PROJECT_ROOT / "app" / "ogc" / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _quality(accept: str, candidates: tuple[str, ...]) -> float:
    best = 0.0
    for entry in accept.split(","):
        media, *params = [part.strip() for part in entry.split(";")]
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media in candidates or media == "*/*" or (
                media.endswith("/*") and any(c.startswith(media[:-1]) for c in candidates)):
            best = max(best, q)
    return best


def wants_html(request: Request) -> bool:
    chosen = parse_format(request.query_params)
    if chosen is not None:
        return chosen == "html"
    accept = request.headers.get("accept", "")
    return _quality(accept, (HTML,)) > _quality(accept, (JSON, GEOJSON, OPENAPI_JSON))


def render(request: Request, template: str, **context: Any) -> HTMLResponse:
    settings = request.app.state.settings
    html = _templates.get_template(template).render(
        site_name=settings.site_name, data_attribution=settings.data_attribution, **context)
    return HTMLResponse(html)
