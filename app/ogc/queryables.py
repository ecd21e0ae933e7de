"""Queryables (OGC API – Features Part 3): the properties a client may filter items by, as JSON
Schema, so that QGIS and other clients can offer the ``property=value`` filters of items."""

from __future__ import annotations

from typing import Any

from app.models import PROVIDER_KINDS, WHEELCHAIR_VALUES
from app.ogc.params import QUERYABLES
from app.vocabulary import TARGET_GROUPS

SCHEMA_JSON = "application/schema+json"
REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
]
_SPECIAL: dict[str, dict[str, Any]] = {
    "name": {"title": "Name"},
    "postcode": {"title": "Postleitzahl", "pattern": "^[0-9]{5}$"},
    "ags": {"title": "Amtlicher Gemeindeschlüssel"},
    "provider_kind": {"title": "Art des Trägers", "enum": list(PROVIDER_KINDS)},
    "wheelchair": {"title": "Rollstuhlgerecht", "enum": list(WHEELCHAIR_VALUES)},
    "category": {"title": "Kategorie oder Stufe (Slug); eine von mehreren genügt"},
    "municipality": {"title": "Gemeinde (Name) oder AGS, auch als Präfix"},
    "target_group": {"title": "Zielgruppe", "enum": list(TARGET_GROUPS)},
    "language": {"title": "Angebotene Sprache (ISO 639-1)"},
}


def queryables_schema(url: str, title: str) -> dict[str, Any]:
    properties: dict[str, Any] = {
        name: {"type": "string", "title": name.replace("_", " ").capitalize(),
               **_SPECIAL.get(name, {})}
        for name in QUERYABLES
    }
    properties["geometry"] = {"format": "geometry-point", "x-ogc-role": "primary-geometry"}
    properties["updated_at"] = {"type": "string", "format": "date-time",
                                "title": "Zuletzt geändert (Parameter datetime)",
                                "x-ogc-role": "primary-instant"}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": url,
            "type": "object", "title": title, "properties": properties,
            "additionalProperties": False}
