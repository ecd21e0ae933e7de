"""Response classes with the right media types."""

from typing import Any

import orjson
from fastapi.responses import JSONResponse as FastAPIJSONResponse


class JSONResponse(FastAPIJSONResponse):
    """orjson-rendered JSON. A subclass of FastAPI's JSONResponse so that the OpenAPI schema
    documents these answers as JSON objects, not as strings."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class GeoJSONResponse(JSONResponse):
    media_type = "application/geo+json"


def feature_collection(features: list[str] | str, **members: Any) -> dict[str, Any]:
    """A FeatureCollection whose features are JSON text from the database, spliced unparsed:
    one text per feature, or one text for the whole array."""
    spliced = (orjson.Fragment(features) if isinstance(features, str)
               else [orjson.Fragment(f) for f in features])
    return {"type": "FeatureCollection", **members, "features": spliced}
