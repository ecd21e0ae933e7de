"""Checks on a place's fields, shared by imports, the admin and the suggestion form."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date

from app.models import PLACE_STATUSES, PROVIDER_KINDS, WHEELCHAIR_VALUES
from app.vocabulary import TARGET_GROUPS
from geo.opening_hours import opening_hours_problem

EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
PHONE = re.compile(r"^\+?[0-9 ()/\-.]{3,40}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
POSTCODE = re.compile(r"^[0-9A-Za-z \-]{3,10}$")

# Column lengths from the schema; a longer value is an error, not silently cut.
MAX_LENGTHS = {
    "name": 300, "street": 300, "postcode": 10, "city": 200, "municipality": 200, "ags": 12,
    "phone": 100, "email": 254, "website": 500, "provider": 300, "opening_hours": 500,
    "source": 100, "source_id": 100, "description": 5000, "accessibility_notes": 2000,
}


@dataclass
class PlaceRecord:
    """A place as an import or form delivers it, before it is stored."""

    name: str
    categories: list[str] = field(default_factory=list)  # slugs; the first is the primary one
    lon: float | None = None
    lat: float | None = None
    description: str | None = None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    municipality: str | None = None
    ags: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    provider: str | None = None
    provider_kind: str | None = None
    target_groups: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    wheelchair: str = "unknown"
    accessibility_notes: str | None = None
    opening_hours: str | None = None
    status: str | None = None  # None: published when it has a location, else draft
    source: str | None = None
    source_id: str | None = None
    last_verified: str | None = None
    extra: dict = field(default_factory=dict)

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


def _is_date(text: str) -> bool:
    """A real calendar day written as YYYY-MM-DD (2026-02-30 has the form but is no day)."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def validate_record(rec: PlaceRecord, known_categories: set[str]) -> list[str]:
    """Everything wrong with a record, as sentences; an empty list means it can be stored."""
    return [message for _, message in field_problems(rec, known_categories)]


def field_problems(rec: PlaceRecord, known_categories: set[str]) -> list[tuple[str, str]]:
    """Everything wrong with a record as (field, sentence), so a form can show each at its field."""
    problems: list[tuple[str, str]] = []
    if not rec.name or not rec.name.strip():
        problems.append(("name", "name is missing"))
    for name, limit in MAX_LENGTHS.items():
        value = getattr(rec, name)
        if value is not None and len(value) > limit:
            problems.append((name, f"{name} is longer than {limit} characters"))
        if isinstance(value, str) and "\x00" in value:
            problems.append((name, f"{name} contains a NUL character"))
    if (rec.lon is None) != (rec.lat is None):
        problems.append(("location", "only one of longitude and latitude is given"))
    elif rec.lon is not None and rec.lat is not None:
        if not -180 <= rec.lon <= 180:
            problems.append(("location", f"longitude {rec.lon:g} is outside -180…180"))
        # A point with both coordinates in range (NaN and infinities fail the range checks)
        # is always a valid geometry; no Shapely object per row of a large import.
        if not -90 <= rec.lat <= 90:
            problems.append(("location", f"latitude {rec.lat:g} is outside -90…90"))
    if not rec.categories:
        problems.append(("categories", "no category"))
    for slug in rec.categories:
        if slug not in known_categories:
            problems.append(("categories", f"unknown category '{slug[:60]}'"))
    if rec.email and not EMAIL.match(rec.email):
        problems.append(("email", f"'{rec.email[:80]}' is not an email address"))
    if rec.phone and not PHONE.match(rec.phone):
        problems.append(("phone", f"'{rec.phone[:40]}' is not a phone number"))
    if rec.website and not re.match(r"^https?://[^\s/$.?#][^\s]*$", rec.website, re.IGNORECASE):
        problems.append(("website", "website must be an http:// or https:// address"))
    if rec.postcode and not POSTCODE.match(rec.postcode):
        problems.append(("postcode", f"'{rec.postcode[:20]}' is not a postcode"))
    if rec.provider_kind and rec.provider_kind not in PROVIDER_KINDS:
        problems.append(("provider_kind", f"provider kind must be one of {', '.join(PROVIDER_KINDS)}"))
    if rec.wheelchair not in WHEELCHAIR_VALUES:
        problems.append(("wheelchair", f"wheelchair must be one of {', '.join(WHEELCHAIR_VALUES)}"))
    if rec.status is not None and rec.status not in PLACE_STATUSES:
        problems.append(("status", f"status must be one of {', '.join(PLACE_STATUSES)}"))
    if rec.status == "published" and rec.lon is None:
        problems.append(("location", "a place without a location cannot be published"))
    for group in rec.target_groups:
        if group not in TARGET_GROUPS:
            problems.append(("target_groups", f"unknown target group '{group[:40]}'"))
    for language in rec.languages:
        if not LANGUAGE.match(language):
            problems.append(("languages", f"'{language[:20]}' is not a language code"))
    if rec.last_verified and not _is_date(rec.last_verified):
        problems.append(("last_verified", "last verified must be a date like 2026-11-23"))
    if rec.opening_hours:
        problem = opening_hours_problem(rec.opening_hours)
        if problem:
            problems.append(("opening_hours", f"opening hours: {problem}"))
    return problems
