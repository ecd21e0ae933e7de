"""The OpenAPI 3.0 document of the OGC API (its ``service-desc``).

FastAPI writes OpenAPI 3.1 for ``/openapi.json``, but OGC API – Features Part 1 conforms to
OpenAPI 3.0, and OGC clients read 3.0. The OGC routes take their parameters from the query string
as data (any queryable property may filter), so the document is written here, next to the list
of those parameters, rather than converted from FastAPI's.
"""

from __future__ import annotations

from typing import Any

from app.ogc.params import DEFAULT_LIMIT, LIST_FILTERS, QUERYABLES

GEOJSON_OR_HTML = {"application/geo+json": {"schema": {"type": "object"}},
                   "text/html": {"schema": {"type": "string"}}}
JSON_OR_HTML = {"application/json": {"schema": {"type": "object"}},
                "text/html": {"schema": {"type": "string"}}}
PROBLEM = {"application/problem+json": {"schema": {"type": "object"}}}


def _param(name: str, where: str, description: str, schema: dict[str, Any], **extra: Any
           ) -> dict[str, Any]:
    return {"name": name, "in": where, "description": description, "schema": schema, **extra}


def _ok(content: dict[str, Any], description: str) -> dict[str, Any]:
    return {"200": {"description": description, "content": content},
            "400": {"description": "An invalid or unknown parameter", "content": PROBLEM}}


def _get(operation_id: str, summary: str, parameters: list[dict], responses: dict) -> dict:
    return {"get": {"operationId": operation_id, "summary": summary, "tags": ["OGC API – Features"],
                    "parameters": parameters, "responses": responses}}


def openapi_document(server_url: str, max_limit: int) -> dict[str, Any]:
    f = {"$ref": "#/components/parameters/f"}
    collection_id = {"$ref": "#/components/parameters/collectionId"}
    queryables = [
        _param(name, "query", "Places whose " + name + (" is any of the given values"
                                                        if name in LIST_FILTERS else " equals this"),
               {"type": "string"}, style="form", explode=True)
        for name in QUERYABLES
    ]
    items_parameters = [
        collection_id, f,
        {"$ref": "#/components/parameters/bbox"},
        _param("bbox-crs", "query", "The CRS of bbox; only CRS84 is supported",
               {"type": "string", "format": "uri"}),
        _param("limit", "query", "Features per page", {"type": "integer", "minimum": 1,
                                                        "maximum": max_limit,
                                                        "default": DEFAULT_LIMIT}),
        _param("offset", "query", "Features to skip (the next link carries it)",
               {"type": "integer", "minimum": 0, "default": 0}),
        {"$ref": "#/components/parameters/datetime"},
        *queryables,
    ]
    not_found = {"404": {"description": "No such collection or feature", "content": PROBLEM}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Lernorte – OGC API – Features", "version": "1.0.0",
                 "description": "Places of lifelong learning as OGC API – Features (Part 1: "
                                "Core, GeoJSON, HTML, OpenAPI 3.0).",
                 "license": {"name": "ODbL 1.0 / CC0 1.0 (see /downloads)"}},
        "servers": [{"url": server_url}],
        "paths": {
            "/": _get("getLandingPage", "Landing page", [f], _ok(JSON_OR_HTML, "Landing page")),
            "/conformance": _get("getConformance", "Conformance classes", [f],
                                 _ok(JSON_OR_HTML, "The conformance classes")),
            "/api": _get("getApi", "This document", [f], _ok(
                {"application/vnd.oai.openapi+json;version=3.0": {"schema": {"type": "object"}},
                 "text/html": {"schema": {"type": "string"}}}, "The OpenAPI document")),
            "/collections": _get("getCollections", "Feature collections", [f],
                                 _ok(JSON_OR_HTML, "The collections")),
            "/collections/{collectionId}": _get(
                "describeCollection", "One collection", [collection_id, f],
                {**_ok(JSON_OR_HTML, "The collection"), **not_found}),
            "/collections/{collectionId}/queryables": _get(
                "getQueryables", "The properties items can be filtered by", [collection_id, f],
                {**_ok({"application/schema+json": {"schema": {"type": "object"}},
                        "text/html": {"schema": {"type": "string"}}}, "JSON Schema"),
                 **not_found}),
            "/collections/{collectionId}/items": _get(
                "getFeatures", "Places of a collection", items_parameters,
                {**_ok(GEOJSON_OR_HTML, "A page of features"), **not_found}),
            "/collections/{collectionId}/items/{featureId}": _get(
                "getFeature", "One place", [
                    collection_id, f,
                    _param("featureId", "path", "The place's id", {"type": "integer"},
                           required=True)],
                {**_ok(GEOJSON_OR_HTML, "The feature"), **not_found}),
        },
        "components": {"parameters": {
            "f": _param("f", "query", "Format: json or html (default: the Accept header)",
                        {"type": "string", "enum": ["json", "html"]}),
            "collectionId": _param("collectionId", "path",
                                   "lernorte (all places) or a stage slug such as schule",
                                   {"type": "string"}, required=True),
            "bbox": _param("bbox", "query", "minLon,minLat,maxLon,maxLat in CRS84 (or six numbers "
                                            "with heights)",
                           {"type": "array", "minItems": 4, "maxItems": 6,
                            "items": {"type": "number"}}, style="form", explode=False),
            "datetime": _param("datetime", "query",
                               "Last modification: an RFC 3339 instant or an interval such as "
                               "2026-01-01T00:00:00Z/.. (.. or empty for an open end)",
                               {"type": "string"}),
        }},
    }
