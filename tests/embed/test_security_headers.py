"""Security headers and CORS as a browser sees them in the HTTP answers."""

import pytest

from app.config import Settings
from app.security import content_security_policy, tile_source


def directives(policy: str) -> dict[str, str]:
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] if " " in d else ""
            for d in (part.strip() for part in policy.split(";")) if d}


def test_every_page_forbids_framing_and_inline_scripts(client):
    for path in ("/api/places", "/api/categories", "/healthz", "/no-such-page"):
        response = client.get(path)
        csp = directives(response.headers["content-security-policy"])
        assert csp["frame-ancestors"] == "'none'", path
        assert response.headers["x-frame-options"] == "DENY", path
        assert csp["script-src"] == "'self'", path
        assert "unsafe-inline" not in csp["script-src"]
        assert csp["object-src"] == "'none'"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_embed_may_be_framed_by_any_site_by_default(client):
    response = client.get("/embed")
    assert "x-frame-options" not in response.headers
    assert directives(response.headers["content-security-policy"])["frame-ancestors"] == "*"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_embed_frame_ancestors_name_the_allowed_origins(make_client, demo_url):
    client = make_client(demo_url, embed_allowed_origins="https://www.fulda.de, http://127.0.0.1:9")
    response = client.get("/embed/anything")
    csp = directives(response.headers["content-security-policy"])
    assert csp["frame-ancestors"] == "'self' https://www.fulda.de http://127.0.0.1:9"
    assert "x-frame-options" not in response.headers
    # Not a prefix match: /embedded is not the embed.
    assert client.get("/embedded").headers["x-frame-options"] == "DENY"


def test_invalid_origin_setting_is_refused_at_start():
    with pytest.raises(ValueError, match="not an origin"):
        Settings(embed_allowed_origins="https://www.fulda.de/karte")
    with pytest.raises(ValueError, match="not an origin"):
        Settings(cors_origins="https://a.de 'unsafe-inline'")


def test_tile_host_is_the_only_foreign_image_source():
    osm = Settings(tile_url="https://{s}.tile.openstreetmap.de/{z}/{x}/{y}.png")
    assert directives(content_security_policy(osm, "/"))["img-src"] == \
        "'self' data: https://*.tile.openstreetmap.de"
    off = Settings(tiles_enabled=False)
    assert directives(content_security_policy(off, "/"))["img-src"] == "'self' data:"
    own = Settings(tile_url="/tiles/{z}/{x}/{y}.png")
    assert tile_source(own.tile_url, own.tiles_enabled) is None
    with_port = Settings(tile_url="http://tiles.kreis.local:8080/{z}/{x}/{y}.png")
    assert tile_source(with_port.tile_url, True) == "http://tiles.kreis.local:8080"


def test_public_reads_allow_any_origin_without_credentials(client):
    response = client.get("/api/places?limit=1", headers={"Origin": "https://www.huenfeld.de"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    preflight = client.options("/api/categories", headers={
        "Origin": "https://www.huenfeld.de", "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    # A write is not a public read.
    preflight = client.options("/api/places", headers={
        "Origin": "https://www.huenfeld.de", "Access-Control-Request-Method": "DELETE"})
    assert preflight.status_code == 400


def test_cors_never_applies_to_admin_or_pages(client):
    for path in ("/admin", "/admin/places", "/", "/embed"):
        response = client.get(path, headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in response.headers, path


def test_cors_origins_can_be_restricted(make_client, demo_url):
    client = make_client(demo_url, cors_origins="https://www.fulda.de")
    allowed = client.get("/api/categories", headers={"Origin": "https://www.fulda.de"})
    assert allowed.headers["access-control-allow-origin"] == "https://www.fulda.de"
    other = client.get("/api/categories", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
