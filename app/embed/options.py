"""The URL parameters of ``/embed``, read forgivingly: what makes sense is used, the rest is
dropped with a hint. An embed lives on someone else's page for years; a typo there must never
show a broken map (the builder shows the hints so that the web editor can fix them)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from app.vocabulary import LANGUAGES
from geo.errors import InvalidParameter
from geo.params import BBox, parse_bbox
from geo.text import search_words

HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
VIEW = re.compile(r"^(\d{1,2})/(-?\d{1,2}(?:\.\d+)?)/(-?\d{1,3}(?:\.\d+)?)$")
FLAGS = {"1": True, "true": True, "ja": True, "yes": True,
         "0": False, "false": False, "nein": False, "no": False}
MAX_VALUES = 50  # repeated parameters beyond this are dropped, not looked up
MAX_TEXT = 200
# White text on the accent colour (buttons) needs WCAG AA contrast: 4.5:1.
MIN_CONTRAST = 4.5
KNOWN = ("category", "municipality", "bbox", "q", "map", "place", "fit", "lang", "list",
         "legend", "accent")


@dataclass(frozen=True)
class Hint:
    parameter: str
    message: str  # English, for logs; the builder shows ``code`` translated
    code: str


@dataclass
class EmbedOptions:
    categories: list[str] = field(default_factory=list)
    municipalities: list[str] = field(default_factory=list)
    bbox: BBox | None = None
    q: str | None = None
    view: str | None = None  # "zoom/lat/lon" as the map page reads it
    place: int | None = None
    fit: bool = True
    lang: str | None = None
    show_list: bool = True
    legend: bool = True
    accent: str | None = None
    hints: list[Hint] = field(default_factory=list)

    def page_options(self) -> dict[str, Any]:
        """Settings for the map page in embed mode (see ``app.pages.map.render_map_page``)."""
        fixed: dict[str, Any] = {}
        if self.categories:
            fixed["category"] = self.categories
        if self.municipalities:
            fixed["municipality"] = self.municipalities
        if self.bbox is not None:
            b = self.bbox
            fixed["bbox"] = [b.min_lon, b.min_lat, b.max_lon, b.max_lat]
        if self.q:
            fixed["q"] = self.q
        options: dict[str, Any] = {"mode": "embed", "list": self.show_list,
                                   "legend": self.legend, "fixed": fixed,
                                   "fit": self.fit and self.view is None}
        if self.accent:
            options["accent"] = self.accent
        return options

    def query(self) -> list[tuple[str, str]]:
        """The cleaned parameters, in a stable order (for links and oEmbed)."""
        params: list[tuple[str, str]] = [("category", c) for c in self.categories]
        params += [("municipality", m) for m in self.municipalities]
        if self.bbox is not None:
            b = self.bbox
            params.append(("bbox", f"{b.min_lon:g},{b.min_lat:g},{b.max_lon:g},{b.max_lat:g}"))
        if self.q:
            params.append(("q", self.q))
        if self.view:
            params.append(("map", self.view))
        if self.place is not None:
            params.append(("place", str(self.place)))
        if not self.fit:
            params.append(("fit", "0"))
        if self.lang:
            params.append(("lang", self.lang))
        if not self.show_list:
            params.append(("list", "0"))
        if not self.legend:
            params.append(("legend", "0"))
        if self.accent:
            params.append(("accent", self.accent))
        return params

    def full_map_url(self) -> str:
        """The full map with the same filters it understands (categories, municipalities,
        search, view); a box is the embed's own framing and stays behind."""
        keep = ("category", "municipality", "q", "map", "place", "lang")
        query = urlencode([(k, v) for k, v in self.query() if k in keep])
        return "/" + (f"?{query}" if query else "")


def _luminance(hex6: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex6[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_with_white(colour: str) -> float:
    return 1.05 / (_luminance(colour.lstrip("#")) + 0.05)


def _accent(raw: str) -> str | None:
    match = HEX.match(raw.strip())
    if not match:
        return None
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits.lower()


def _flag(options: EmbedOptions, name: str, raw: str, default: bool) -> bool:
    value = FLAGS.get(raw.strip().lower())
    if value is None:
        options.hints.append(Hint(name, f"'{raw[:20]}' is not 0 or 1; using the default",
                                  "not_a_flag"))
        return default
    return value


def _last(values: list[str]) -> str:
    return values[-1]


def parse_embed_query(items: Iterable[tuple[str, str]], known_categories: set[str]
                      ) -> EmbedOptions:
    """Read the query of an ``/embed`` URL; ``known_categories`` are category and stage slugs."""
    grouped: dict[str, list[str]] = {}
    for key, value in items:
        grouped.setdefault(key, []).append(value)
    options = EmbedOptions()
    hints = options.hints
    for name in grouped:
        if name not in KNOWN:
            hints.append(Hint(name, "unknown parameter, ignored", "unknown_parameter"))

    for slug in dict.fromkeys(grouped.get("category", [])[:MAX_VALUES]):
        if slug in known_categories:
            options.categories.append(slug)
        else:
            hints.append(Hint("category", f"unknown category '{slug[:60]}', ignored",
                              "unknown_category"))
    for name in dict.fromkeys(grouped.get("municipality", [])[:MAX_VALUES]):
        if name.strip() and len(name) <= 100:
            options.municipalities.append(name.strip())
        else:
            hints.append(Hint("municipality", "empty or too long, ignored", "bad_municipality"))
    if "bbox" in grouped:
        try:
            options.bbox = parse_bbox(_last(grouped["bbox"]))
        except InvalidParameter as exc:
            hints.append(Hint("bbox", f"{exc.message}; ignored", "bad_bbox"))
    if "q" in grouped:
        q = _last(grouped["q"]).strip()
        if q and len(q) <= MAX_TEXT and search_words(q):
            options.q = q
        else:
            hints.append(Hint("q", "needs a word of at most 200 characters; ignored", "bad_q"))
    if "map" in grouped:
        view = _last(grouped["map"])
        match = VIEW.match(view)
        if match and int(match[1]) <= 19 and abs(float(match[2])) <= 90 \
                and abs(float(match[3])) <= 180:
            options.view = view
        else:
            hints.append(Hint("map", "needs zoom/latitude/longitude such as 13/50.55/9.68; "
                                     "ignored", "bad_view"))
    if "place" in grouped:
        raw = _last(grouped["place"])
        if raw.isdigit() and 0 < int(raw) < 2**31:
            options.place = int(raw)
        else:
            hints.append(Hint("place", "is not a place id; ignored", "bad_place"))
    if "lang" in grouped:
        lang = _last(grouped["lang"])
        if lang in LANGUAGES:
            options.lang = lang
        else:
            hints.append(Hint("lang", f"'{lang[:20]}' is not offered ({', '.join(LANGUAGES)}); "
                                      "ignored", "bad_lang"))
    for name, attribute in (("fit", "fit"), ("list", "show_list"), ("legend", "legend")):
        if name in grouped:
            setattr(options, attribute, _flag(options, name, _last(grouped[name]), True))
    if "accent" in grouped:
        accent = _accent(_last(grouped["accent"]))
        if accent is None:
            hints.append(Hint("accent", "is not a colour such as #1d4ed8; ignored", "bad_accent"))
        elif contrast_with_white(accent) < MIN_CONTRAST:
            hints.append(Hint("accent", f"{accent} is too light for white text "
                                        f"(contrast {contrast_with_white(accent):.1f}:1, needs "
                                        f"{MIN_CONTRAST}:1); ignored", "low_contrast"))
        else:
            options.accent = accent
    return options
