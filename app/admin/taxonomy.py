"""Managing the category tree (admins only): names per language, colour, icon, order and stage of
each category, and new categories. Plain SQL on ``categories`` inside the caller's transaction,
so the data-version trigger fires and the public ETags change at once."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.config import PROJECT_ROOT
from app.errors import NotFound
from app.vocabulary import LANGUAGES
from geo.errors import InvalidParameter

ICON_DIR = PROJECT_ROOT / "frontend" / "icons"
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
# Slugs appear in public URLs (?category=…): lower-case words joined by hyphens.
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Markers and legend chips carry white text on the category colour: WCAG AA for normal text.
MIN_CONTRAST = 4.5
MAX_NAME = 100
SORT_ORDER_MAX = 32767  # a SMALLINT column


@dataclass
class CategoryRow:
    slug: str
    stage: str
    names: dict[str, str]
    colour: str
    icon: str
    sort_order: int


@dataclass
class StageRow:
    slug: str
    name: str
    categories: list[CategoryRow] = field(default_factory=list)


@dataclass
class CategoryChange:
    """What an admin sends; None leaves a field as it is (a new category needs all but order)."""

    names: dict[str, str] | None = None
    colour: str | None = None
    icon: str | None = None
    sort_order: int | None = None
    stage: str | None = None


def available_icons() -> list[str]:
    return sorted(p.stem for p in ICON_DIR.glob("*.svg"))


def _luminance(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(colour[i:i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_with_white(colour: str) -> float:
    """The WCAG contrast ratio of white text on ``colour`` (#rrggbb)."""
    return 1.05 / (_luminance(colour) + 0.05)


def check_colour(colour: str) -> str:
    if not HEX_COLOUR.fullmatch(colour):
        raise InvalidParameter("colour", "give the colour as #rrggbb, e.g. #1d4ed8")
    ratio = contrast_with_white(colour)
    if ratio < MIN_CONTRAST:
        raise InvalidParameter("colour", f"white text on {colour} has a contrast of only "
                                         f"{ratio:.1f}:1 (at least {MIN_CONTRAST}:1 is needed); "
                                         "choose a darker colour")
    return colour.lower()


def _check_names(names: dict[str, str]) -> dict[str, str]:
    unknown = set(names) - set(LANGUAGES)
    if unknown:
        raise InvalidParameter("names", "languages are " + ", ".join(LANGUAGES))
    cleaned = {lang: value.strip() for lang, value in names.items() if value and value.strip()}
    if any(ch < " " for value in cleaned.values() for ch in value):
        raise InvalidParameter("names", "names cannot contain control characters")
    if not cleaned.get("de"):
        raise InvalidParameter("names", "the German name is required")
    for lang, value in cleaned.items():
        if len(value) > MAX_NAME:
            raise InvalidParameter("names", f"the name ({lang}) is longer than {MAX_NAME} "
                                            "characters")
    return cleaned


async def _stage_id(conn: AsyncConnection, slug: str) -> int:
    stage_id = None
    if SLUG.fullmatch(slug):
        stage_id = (await conn.execute(text("SELECT id FROM stages WHERE slug = :s"),
                                       {"s": slug})).scalar()
    if stage_id is None:
        raise InvalidParameter("stage", f"there is no stage '{slug[:64]}'")
    return stage_id


async def taxonomy(conn: AsyncConnection, lang: str) -> list[StageRow]:
    """Every stage in order, each with its categories in order."""
    stages = {r.slug: StageRow(r.slug, r.name) for r in await conn.execute(text(
        "SELECT slug, coalesce(names->>:lang, names->>'de') AS name FROM stages "
        "ORDER BY sort_order"), {"lang": lang})}
    for r in await conn.execute(text(
            "SELECT c.slug, s.slug AS stage, c.names, c.colour, c.icon, c.sort_order "
            "FROM categories c JOIN stages s ON s.id = c.stage_id "
            "ORDER BY c.sort_order, c.slug")):
        stages[r.stage].categories.append(CategoryRow(**r._asdict()))
    return list(stages.values())


async def category(conn: AsyncConnection, slug: str) -> CategoryRow:
    if not SLUG.fullmatch(slug):
        raise NotFound(f"no category '{slug[:64]}'")
    row = (await conn.execute(text(
        "SELECT c.slug, s.slug AS stage, c.names, c.colour, c.icon, c.sort_order "
        "FROM categories c JOIN stages s ON s.id = c.stage_id WHERE c.slug = :slug"),
        {"slug": slug})).first()
    if row is None:
        raise NotFound(f"no category '{slug[:64]}'")
    return CategoryRow(**row._asdict())


def _check_icon(icon: str, current: str | None) -> str:
    # Seeded categories may name an icon that has no file yet; keeping it is allowed.
    if icon != current and icon not in available_icons():
        raise InvalidParameter("icon", "choose one of " + ", ".join(available_icons()))
    return icon


def _check_order(sort_order: int) -> int:
    if not 0 <= sort_order <= SORT_ORDER_MAX:
        raise InvalidParameter("sort_order", f"the order is a number from 0 to {SORT_ORDER_MAX}")
    return sort_order


async def create_category(conn: AsyncConnection, slug: str, change: CategoryChange) -> CategoryRow:
    if not SLUG.fullmatch(slug) or len(slug) > 64:
        raise InvalidParameter("slug", "use lower-case letters, digits and hyphens "
                                       "(e.g. musikschule), at most 64 characters")
    if change.names is None or change.colour is None or change.icon is None or not change.stage:
        raise InvalidParameter("category", "a new category needs names, colour, icon and stage")
    taken = (await conn.execute(text("SELECT 1 FROM categories WHERE slug = :s UNION ALL "
                                     "SELECT 1 FROM stages WHERE slug = :s"), {"s": slug})).first()
    if taken:
        # Stage slugs filter too (?category=schule), so a category may not take one either.
        raise InvalidParameter("slug", f"'{slug}' is already in use")
    values = {"slug": slug, "names": _check_names(change.names),
              "colour": check_colour(change.colour), "icon": _check_icon(change.icon, None),
              "stage_id": await _stage_id(conn, change.stage)}
    if change.sort_order is None:
        values["sort_order"] = (await conn.execute(text(
            "SELECT coalesce(max(sort_order), 0) + 1 FROM categories"))).scalar_one()
    else:
        values["sort_order"] = _check_order(change.sort_order)
    await conn.execute(text(
        "INSERT INTO categories (slug, stage_id, names, colour, icon, sort_order) "
        "VALUES (:slug, :stage_id, CAST(:names AS jsonb), :colour, :icon, :sort_order)"),
        {**values, "names": _json(values["names"])})
    return await category(conn, slug)


async def update_category(conn: AsyncConnection, slug: str, change: CategoryChange) -> CategoryRow:
    """Rename, recolour, re-icon, reorder or move a category; its slug (in URLs) stays."""
    current = await category(conn, slug)
    values = {
        "names": _json(_check_names(change.names)) if change.names is not None else None,
        "colour": check_colour(change.colour) if change.colour is not None else None,
        "icon": _check_icon(change.icon, current.icon) if change.icon is not None else None,
        "sort_order": _check_order(change.sort_order) if change.sort_order is not None else None,
        "stage_id": await _stage_id(conn, change.stage) if change.stage else None,
    }
    await conn.execute(text(
        "UPDATE categories SET names = coalesce(CAST(:names AS jsonb), names), "
        "colour = coalesce(:colour, colour), icon = coalesce(:icon, icon), "
        "sort_order = coalesce(CAST(:sort_order AS smallint), sort_order), "
        "stage_id = coalesce(CAST(:stage_id AS integer), stage_id) WHERE slug = :slug"),
        {**values, "slug": slug})
    return await category(conn, slug)


def _json(names: dict[str, str]) -> str:
    return json.dumps(names, ensure_ascii=False)
