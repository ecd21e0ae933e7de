"""Between the place form's fields and a PlaceRecord."""

from __future__ import annotations

from starlette.datastructures import FormData

from app.places.validation import PlaceRecord

TEXT_FIELDS = ("name", "description", "street", "postcode", "city", "municipality", "ags",
               "phone", "email", "website", "provider", "provider_kind", "accessibility_notes",
               "opening_hours", "last_verified")


def _text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value.strip() or None if isinstance(value, str) else None


def _number(form: FormData, name: str) -> float | None | str:
    value = _text(form, name)
    if value is None:
        return None
    try:
        return float(value.replace(",", "."))
    except ValueError:
        return value


def record_from_form(form: FormData) -> tuple[PlaceRecord, list[tuple[str, str]]]:
    """The record the form describes and problems that the form itself has (unreadable numbers)."""
    problems = []
    lon, lat = _number(form, "lon"), _number(form, "lat")
    if isinstance(lon, str) or isinstance(lat, str):
        problems.append(("location", "longitude and latitude must be numbers like 9.6775"))
        lon = lat = None
    primary = _text(form, "category")
    more = [v for v in form.getlist("categories") if isinstance(v, str) and v != primary]
    languages = [c.strip().lower() for c in (_text(form, "languages") or "").split(",") if c.strip()]
    values = {name: _text(form, name) for name in TEXT_FIELDS}
    name = values.pop("name") or ""
    record = PlaceRecord(**values, name=name,
                         categories=[primary, *more] if primary else more,
                         lon=lon, lat=lat,
                         target_groups=[v for v in form.getlist("target_groups") if isinstance(v, str)],
                         languages=languages, wheelchair=_text(form, "wheelchair") or "unknown")
    return record, problems


def form_values(snapshot: dict) -> dict:
    """A stored place as the form shows it."""
    values = {name: snapshot.get(name) or "" for name in TEXT_FIELDS}
    categories = snapshot.get("categories") or []
    values.update(category=categories[0] if categories else "", categories=categories[1:],
                  lon="" if snapshot.get("lon") is None else snapshot["lon"],
                  lat="" if snapshot.get("lat") is None else snapshot["lat"],
                  target_groups=snapshot.get("target_groups") or [],
                  languages=", ".join(snapshot.get("languages") or []),
                  wheelchair=snapshot.get("wheelchair") or "unknown",
                  status=snapshot.get("status") or "draft", version=snapshot.get("version"))
    return values


def record_values(record: PlaceRecord) -> dict:
    """What the person typed, to show the form again with their input."""
    snapshot = {**vars(record)}
    return form_values(snapshot)
