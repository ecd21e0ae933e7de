"""How long the self-contained folium map takes for many places (synthetic, clearly marked).

    .venv/bin/python bench/export_html.py [N]

Measures geo.folium_export.export_html alone (the database part is the same query as
/api/places and is measured there) with the real vendor files inlined.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.embed.static_export import embed_texts, vendor_assets  # noqa: E402
from geo.folium_export import ExportPlace, export_html  # noqa: E402

COLOURS = ("#1d4ed8", "#b45309", "#047857", "#7c3aed", "#be123c")


def synthetic(n: int) -> list[ExportPlace]:
    rng = random.Random(5)
    return [ExportPlace(id=i, name=f"Synthetischer Lernort {i}", lat=50.3 + rng.random() * 0.55,
                        lon=9.4 + rng.random() * 0.75, category=f"Kategorie {i % 5}",
                        colour=COLOURS[i % 5], address=f"Teststraße {i}, 36037 Fulda",
                        link=f"https://lernorte.example.de/orte/{i}", website=None)
            for i in range(n)]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    places = synthetic(n)
    assets, texts = vendor_assets(), embed_texts("de")["static"]
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        page = export_html(places, title="Bench", lang="de", texts=texts, assets=assets,
                           tiles=None, data_attribution="synthetic",
                           default_bounds=(9.4, 50.3, 10.15, 50.85))
        timings.append(time.perf_counter() - start)
    timings.sort()
    print(f"{n} places: median {timings[2] * 1000:.0f} ms, best {timings[0] * 1000:.0f} ms, "
          f"page {len(page.encode()) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
