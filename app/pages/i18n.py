"""Languages of the server-rendered pages: which one a request gets, and the words in it.

The interface words live in ``frontend/i18n/<part>.<lang>.json`` (one file per part of the
interface, shared with the JavaScript). A page sees all parts of its language merged, with the
German words filling any gap, so an untranslated key shows German rather than nothing.
"""

from __future__ import annotations

import json
from functools import lru_cache

from starlette.requests import Request
from starlette.responses import Response

from app.config import PROJECT_ROOT
from app.vocabulary import LANGUAGES

I18N_DIR = PROJECT_ROOT / "frontend" / "i18n"
DEFAULT_LANGUAGE = "de"
RTL_LANGUAGES = frozenset({"ar"})
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English", "uk": "Українська", "ar": "العربية"}
LANG_COOKIE = "lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600


def negotiate(request: Request) -> str:
    """``?lang=`` → the remembered ``lang`` cookie → Accept-Language (by q) → German."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    remembered = request.cookies.get(LANG_COOKIE)
    if remembered in LANGUAGES:
        return remembered
    return from_accept_language(request.headers.get("accept-language", ""))


def from_accept_language(header: str) -> str:
    """The supported language the browser prefers most (``uk-UA,uk;q=0.9,de;q=0.8`` → uk)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                continue
        code = tag.strip().lower().split("-")[0]
        if code in LANGUAGES and quality > 0:
            ranked.append((-quality, position, code))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


def remember(request: Request, response: Response) -> None:
    """When the person chose a language with ``?lang=``, keep it for their next visits."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        response.set_cookie(LANG_COOKIE, asked, max_age=LANG_COOKIE_MAX_AGE, samesite="lax")


def date_text(iso_date: str | None, lang: str) -> str | None:
    """A date as people in that language write it (German and Ukrainian 31.12.2025)."""
    if not iso_date:
        return None
    year, month, day = iso_date.split("-")
    return f"{day}.{month}.{year}" if lang in ("de", "uk") else iso_date


# Digit grouping as the map writes counts (Intl.NumberFormat of frontend/src/data/format.js).
THOUSANDS = {"de": ".", "en": ",", "uk": "\u00a0", "ar": ","}


def count_text(n: int, lang: str) -> str:
    """959.946, 959,946, 959 946: a count as people in the language write it."""
    return f"{n:,}".replace(",", THOUSANDS.get(lang, "."))


def direction(lang: str) -> str:
    return "rtl" if lang in RTL_LANGUAGES else "ltr"


@lru_cache
def _words(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted(I18N_DIR.glob(f"*.{lang}.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def translations(lang: str) -> dict[str, str]:
    """All interface words of a language, German where a translation is missing."""
    if lang == DEFAULT_LANGUAGE:
        return _words(DEFAULT_LANGUAGE)
    return {**_words(DEFAULT_LANGUAGE), **_words(lang)}


class Translator:
    """``t("key", name=...)``: the word for a key, with ``{name}`` placeholders filled in."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._words = translations(lang)

    def __call__(self, key: str, **values: object) -> str:
        text = self._words.get(key, key)
        return text.format_map(values) if values else text
