"""The Hessian statistical office's school directory (via JedeSchule.de) as places.

Column names are the office's own. A school's branches come from the pupil-count columns: a
"Grund- und Hauptschule" has pupils in both, and so belongs to both categories.
"""

from __future__ import annotations

from app.places.validation import PlaceRecord

SOURCE = "jedeschule-hessen"

# pupil-count column → (branch label as in the GeoJSON, category slug, target groups)
BRANCHES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "Vorklassen": ("Vorklasse", "grundschule", ("kinder",)),
    "Grundschulen": ("Grundschule", "grundschule", ("kinder",)),
    "Förderstufe": ("Förderstufe", "weiterfuehrende-schule", ("kinder", "jugendliche")),
    "Hauptschule": ("Hauptschule", "weiterfuehrende-schule", ("jugendliche",)),
    "Mittelstufen-schule": ("Mittelstufenschule", "weiterfuehrende-schule", ("jugendliche",)),
    "Realschule": ("Realschule", "weiterfuehrende-schule", ("jugendliche",)),
    "Integrierte Jahrgangs-stufe": ("Integrierte Jahrgangsstufe", "weiterfuehrende-schule",
                                    ("jugendliche",)),
    "Gymnasien": ("Gymnasium", "weiterfuehrende-schule", ("jugendliche",)),
    "Förderschulen": ("Förderschule", "foerderschule",
                      ("kinder", "jugendliche", "menschen-mit-behinderung")),
    "Schulen für Erwachsene": ("Schulen für Erwachsene", "weiterfuehrende-schule", ("erwachsene",)),
}
LABEL_TO_COLUMN = {label: column for column, (label, _, _) in BRANCHES.items()}
LEGAL_FORMS = {"1": ("öffentlich", "public"), "2": ("privat (Ersatzschule)", "private")}
LEGAL_FORM_KINDS = {label: kind for label, kind in LEGAL_FORMS.values()}


def is_school_directory_csv(columns: list[str]) -> bool:
    return "Schul-nummer" in columns and "Name der Schule" in columns


def is_jedeschule_geojson(properties: dict) -> bool:
    return "schulnummer" in properties and "school_types" in properties


def _pupils(value: str | None) -> int:
    try:
        return int(str(value or "").strip() or 0)
    except ValueError:
        return 0


def main_type(gesamtschule: str, branches: list[str]) -> str:
    """One school type per school, by the rules in data/demo/README.md."""
    if gesamtschule == "1":
        return "Kooperative Gesamtschule"
    if gesamtschule == "2":
        return "Integrierte Gesamtschule"
    if "Gymnasium" in branches:
        return "Gymnasium"
    has = {b for b in ("Grundschule", "Hauptschule", "Realschule") if b in branches}
    if "Förderschule" in branches and not has & {"Hauptschule", "Realschule"}:
        return "Förderschule"
    names = {
        frozenset({"Grundschule", "Hauptschule", "Realschule"}): "Grund-, Haupt- und Realschule",
        frozenset({"Grundschule", "Hauptschule"}): "Grund- und Hauptschule",
        frozenset({"Hauptschule", "Realschule"}): "Haupt- und Realschule",
        frozenset({"Realschule"}): "Realschule",
        frozenset({"Grundschule"}): "Grundschule",
    }
    return names.get(frozenset(has), "Schule")


def categories_for(school_type: str, branches: list[str]) -> tuple[list[str], list[str]]:
    """Category slugs (primary first) and target groups for a school's branches."""
    slugs: list[str] = []
    groups: list[str] = []
    for label in branches:
        column = LABEL_TO_COLUMN.get(label)
        if column is None:
            continue
        _, slug, target = BRANCHES[column]
        slugs.append(slug)
        groups.extend(target)
    primary = ("foerderschule" if school_type == "Förderschule"
               else "grundschule" if school_type.startswith("Grund")
               else "weiterfuehrende-schule")
    if primary in slugs or not slugs:
        slugs.insert(0, primary)
    return list(dict.fromkeys(slugs)), list(dict.fromkeys(groups))


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _phone(area: str | None, number: str | None) -> str | None:
    area, number = _clean(area), _clean(number)
    if not number:
        return None
    return f"0{area} {number}" if area else number


def _float(value: str | None) -> float | None:
    value = _clean(value)
    return float(value) if value is not None else None


def record_from_csv_row(row: dict[str, str]) -> PlaceRecord:
    """A row of the office's CSV (optionally with jedeschule_id, lon and lat) as a place."""
    number = (row.get("Schul-nummer") or "").strip()
    branches = [label for column, (label, _, _) in BRANCHES.items() if _pupils(row.get(column)) > 0]
    school_type = main_type((row.get("Gesamtschule") or "").strip(), branches)
    categories, groups = categories_for(school_type, branches)
    kreis, gemeinde = (row.get("Kreis") or "").strip(), (row.get("Gemeinde") or "").strip()
    legal = LEGAL_FORMS.get((row.get("Rechtsform") or "").strip())
    area = row.get("Telefon-vorwahl")
    return PlaceRecord(
        name=(row.get("Name der Schule") or "").strip(),
        categories=categories,
        target_groups=groups,
        lon=_float(row.get("lon")),
        lat=_float(row.get("lat")),
        description=school_type,
        street=_clean(row.get("Straße, Hausnummer")),
        postcode=_clean(row.get("PLZ")),
        city=_clean(row.get("Schulort")),
        municipality=_clean(row.get("Schulort")),
        ags=f"06{kreis.zfill(3)}{gemeinde.zfill(3)}" if kreis and gemeinde else None,
        phone=_phone(area, row.get("Telefon-nummer")),
        email=_clean(row.get("Email Adresse")),
        provider_kind=legal[1] if legal else None,
        source=SOURCE,
        source_id=_clean(row.get("jedeschule_id")) or (f"HE-{number}" if number else None),
        extra={k: v for k, v in {
            "schulnummer": number or None,
            "school_type": school_type,
            "school_types": branches,
            "legal_form": legal[0] if legal else None,
            "fax": _phone(area, row.get("Fax")),
            "pupils_total": _pupils(row.get("Schüler insg. mit Vorklassen")) or None,
        }.items() if v},
    )


def record_from_geojson(properties: dict, lon: float | None, lat: float | None) -> PlaceRecord:
    """A feature of the cleaned-up JedeSchule GeoJSON as a place."""
    branches = list(properties.get("school_types") or [])
    school_type = properties.get("school_type") or main_type("", branches)
    categories, groups = categories_for(school_type, branches)
    legal = properties.get("legal_form")
    return PlaceRecord(
        name=(properties.get("name") or "").strip(),
        categories=categories,
        target_groups=groups,
        lon=lon,
        lat=lat,
        description=school_type,
        street=properties.get("street"),
        postcode=properties.get("postcode"),
        city=properties.get("city"),
        municipality=properties.get("city"),
        ags=properties.get("ags"),
        phone=properties.get("phone"),
        email=properties.get("email"),
        website=properties.get("website"),
        provider_kind=LEGAL_FORM_KINDS.get(legal),
        source=SOURCE,
        source_id=properties.get("source_id"),
        extra={k: v for k, v in {
            "schulnummer": properties.get("schulnummer"),
            "school_type": school_type,
            "school_types": branches,
            "legal_form": legal,
            "fax": properties.get("fax"),
            "pupils_total": properties.get("pupils_total"),
        }.items() if v},
    )
