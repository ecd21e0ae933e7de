"""One Jinja2 environment and one ``render()`` for every server-rendered page.

Autoescape is on for everything, so text a person typed can never become markup. Templates get
the language, the text direction, ``t()`` for interface words, the settings, the site's name
and the data attribution without each route passing them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from app.config import PROJECT_ROOT
from app.pages import i18n
from app.vocabulary import LANGUAGES

TEMPLATES = PROJECT_ROOT / "app" / "pages" / "templates"
# The administration's pages (app/admin/templates, under admin/…) extend the same base.
ADMIN_TEMPLATES = PROJECT_ROOT / "app" / "admin" / "templates"

environment = Environment(
    loader=ChoiceLoader([FileSystemLoader(TEMPLATES), FileSystemLoader(ADMIN_TEMPLATES)]),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def language_links(request: Request) -> list[dict[str, str]]:
    """The language switch: this very URL in each language, other query parameters kept."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return [{"code": code, "name": i18n.LANGUAGE_NAMES[code],
             "href": request.url.path + "?" + urlencode([*kept, ("lang", code)])}
            for code in LANGUAGES]


def lang_query(request: Request, lang: str) -> str:
    """``?lang=xx`` for internal links when the language came from the URL, else nothing
    (a cookie or the browser's preference already carries it)."""
    return f"?lang={lang}" if "lang" in request.query_params else ""


def render(request: Request, template: str, status_code: int = 200, **context: Any
           ) -> HTMLResponse:
    settings = request.app.state.settings
    lang = i18n.negotiate(request)
    html = environment.get_template(template).render(
        request=request,
        lang=lang,
        dir=i18n.direction(lang),
        t=i18n.Translator(lang),
        settings=settings,
        site_name=settings.site_name,
        data_attribution=settings.data_attribution,
        languages=language_links(request),
        lang_query=lang_query(request, lang),
        **context,
    )
    # Shared caches must keep one copy per language choice.
    response = HTMLResponse(html, status_code=status_code,
                            headers={"Vary": "Accept-Language, Cookie"})
    i18n.remember(request, response)
    return response
