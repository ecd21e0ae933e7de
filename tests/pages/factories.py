"""Places written straight into a test database, with every field a page can show."""

from __future__ import annotations

from typing import Any

from tests.conftest import sql

FULL_PLACE: dict[str, Any] = {
    "name": "Stadtbibliothek Fulda",
    "description": "Bücher, Medien und Lernräume für alle Generationen.",
    "street": "Heinrichstraße 53",
    "postcode": "36037",
    "city": "Fulda",
    "municipality": "Fulda",
    "ags": "06631009",
    "lon": 9.6768,
    "lat": 50.5522,
    "phone": "0661 / 102-1234",
    "email": "bibliothek@example.org",
    "website": "https://www.example.org/bibliothek",
    "provider": "Stadt Fulda",
    "provider_kind": "public",
    "target_groups": ["kinder", "senioren"],
    "languages": ["de", "tr"],
    "wheelchair": "limited",
    "accessibility_notes": "Aufzug am Seiteneingang",
    "opening_hours": "Mo-Fr 10:00-18:00; Sa 10:00-13:00; PH off",
    "status": "published",
    "last_verified": "2026-10-01",
    "categories": ["bibliothek", "sprachkurs"],
}


def add_place(pg, db: str, **overrides: Any) -> int:
    """Insert a place (published by default) and its categories; returns its id."""
    place = {**FULL_PLACE, **overrides}
    categories = place.pop("categories")
    lon, lat = place.pop("lon"), place.pop("lat")
    columns = list(place)
    values = [place[c] for c in columns]
    geom = "ST_SetSRID(ST_MakePoint(%s, %s), 4326)" if lon is not None else "NULL"
    if lon is not None:
        values += [lon, lat]
    statement = (f"INSERT INTO places ({', '.join(columns)}, geom) "
                 f"VALUES ({', '.join(['%s'] * len(columns))}, {geom}) RETURNING id")
    place_id = sql(pg, db, statement, tuple(values))[0][0]
    for position, slug in enumerate(categories):
        sql(pg, db, "INSERT INTO place_categories (place_id, category_id, position) "
                    "SELECT %s, id, %s FROM categories WHERE slug = %s",
            (place_id, position, slug))
    return place_id
