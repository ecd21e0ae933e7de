"""The interactive API docs come from the app itself: no CDN, no inline script."""

import re


def test_docs_page_loads_only_our_own_files(client):
    page = client.get("/docs")
    assert page.status_code == 200
    html = page.text
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert "unsafe-inline" not in page.headers["content-security-policy"].split("script-src")[1].split(";")[0]
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200, source
    assert client.get("/openapi.json").json()["paths"]["/api/places"]
