"""How much JavaScript and CSS the map page `/` transfers, gzip-compressed as the app serves it.

Budget: 80 KB gzipped for everything, Leaflet and markercluster included. Follows the page's
<link>/<script> tags and the ES module imports of the app's own code, as a browser would.

    .venv/bin/python bench/frontend_size.py
"""

from __future__ import annotations

import logging
import posixpath
import re
import sys
from pathlib import Path

from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.config import Settings  # noqa: E402
from app.main import create_app  # noqa: E402

BUDGET = 80 * 1024
ASSET = re.compile(r'<(?:link rel="stylesheet" href|script[^>]*src)="([^"]+)"')
IMPORT = re.compile(r'^\s*(?:import|export)\b[^"\']*["\'](\.[^"\']+)["\']', re.M)


def main() -> int:
    logging.disable(logging.INFO)  # the access log would drown the table
    # The page needs no database: the engine is created lazily and never connects here.
    app = create_app(Settings(database_url="postgresql+asyncpg://nobody@127.0.0.1:9/none",
                              tiles_enabled=False))
    client = TestClient(app)
    page = client.get("/?lang=de")
    page.raise_for_status()
    queue = ASSET.findall(page.text)
    seen: dict[str, tuple[int, int]] = {}
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        response.raise_for_status()
        raw = len(response.content)
        # httpx decodes gzip; the Content-Length header is what travelled.
        wire = int(response.headers.get("content-length", raw)) if response.headers.get(
            "content-encoding") == "gzip" else len(response.content)
        seen[url] = (raw, wire)
        if url.endswith(".js") and url.startswith("/static/"):
            base = posixpath.dirname(url)
            queue += [posixpath.normpath(posixpath.join(base, m)) for m in IMPORT.findall(response.text)]
    total = sum(wire for _, wire in seen.values())
    width = max(len(u) for u in seen)
    for url, (raw, wire) in sorted(seen.items(), key=lambda item: -item[1][1]):
        print(f"{url:<{width}}  {raw / 1024:7.1f} KB  {wire / 1024:6.1f} KB gzip")
    print(f"{'total (' + str(len(seen)) + ' files)':<{width}}  {sum(r for r, _ in seen.values()) / 1024:7.1f} KB"
          f"  {total / 1024:6.1f} KB gzip  (budget {BUDGET / 1024:.0f} KB)")
    return 0 if total <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
