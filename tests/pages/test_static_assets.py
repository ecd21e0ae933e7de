"""The frontend files the app serves itself: compressed exactly once, cacheable, allow-listed."""

from __future__ import annotations

import gzip

import pytest

from app.static import FRONTEND, NODE_MODULES, vendor_url


def raw_get(client, url: str, **headers: str):
    """The bytes as they travel: httpx would otherwise undo one layer of gzip silently."""
    with client.stream("GET", url, headers=headers) as response:
        return response, b"".join(response.iter_raw())


def without_comment_lines(path) -> bytes:
    """The file with every line that holds only a ``//`` comment emptied."""
    return b"\n".join(b"" if line.lstrip().startswith(b"//") else line
                      for line in path.read_bytes().split(b"\n"))


@pytest.mark.parametrize(("url", "expected"), [
    ("/static/src/main.js", without_comment_lines(FRONTEND / "src" / "main.js")),
    ("/static/css/map.css", (FRONTEND / "css" / "map.css").read_bytes()),
    (vendor_url("leaflet", "dist/leaflet.js"),
     (NODE_MODULES / "leaflet" / "dist" / "leaflet.js").read_bytes()),
])
def test_a_gzipped_file_decodes_to_its_own_bytes(client, url, expected):
    response, body = raw_get(client, url, **{"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"  # one encoding, not "gzip, gzip"
    assert gzip.decompress(body) == expected
    assert "Accept-Encoding" in response.headers["vary"]


def test_without_gzip_the_file_comes_plain(client):
    response, body = raw_get(client, "/static/src/main.js", **{"Accept-Encoding": "identity"})
    assert "content-encoding" not in response.headers
    assert body == without_comment_lines(FRONTEND / "src" / "main.js")


def test_the_apps_own_javascript_comes_without_its_comments_line_for_line(client):
    source = (FRONTEND / "src" / "main.js").read_bytes()
    served = client.get("/static/src/main.js").content
    assert served.count(b"\n") == source.count(b"\n")  # an error's line number is the source's
    assert len(served) < 0.85 * len(source)


def test_vendor_files_are_immutable_and_own_files_revalidate(client):
    vendor = client.get(vendor_url("leaflet", "dist/leaflet.css"))
    assert "immutable" in vendor.headers["cache-control"]
    own = client.get("/static/src/main.js")
    assert own.headers["cache-control"] == "no-cache"
    again = client.get("/static/src/main.js", headers={"If-None-Match": own.headers["etag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("url", [
    "/static/src/../../app/config.py",
    "/static/src/%2e%2e/%2e%2e/pyproject.toml",
    "/static/node_modules/leaflet/package.json",
    "/vendor/leaflet@0.0.1/dist/leaflet.js",
    "/vendor/axe-core@4.0.0/axe.min.js",
])
def test_only_allow_listed_files_are_served(client, url):
    assert client.get(url).status_code == 404
