"""The interactive API documentation (Swagger UI), served from the app's own npm copy.

FastAPI's built-in /docs loads Swagger UI from a CDN and starts it with an inline script; both
would break the rule that pages make no third-party requests and run no inline scripts.
"""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import escape

from app.static import static_url, vendor_url

router = APIRouter(include_in_schema=False)


@router.get("/docs")
async def api_docs(request: Request) -> HTMLResponse:
    title = escape(f"{request.app.title} – API")
    openapi_url = escape(request.app.openapi_url or "/openapi.json")
    return HTMLResponse(f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{vendor_url("swagger-ui-dist", "swagger-ui.css")}">
</head>
<body data-openapi-url="{openapi_url}">
<main id="swagger-ui"></main>
<script src="{vendor_url("swagger-ui-dist", "swagger-ui-bundle.js")}" defer></script>
<script src="{static_url("docs/init.js")}" defer></script>
</body>
</html>""")
