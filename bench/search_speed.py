"""How long a text search takes over the benchmark's million places, page by page.

    .venv/bin/python -m bench.search_speed                  # the standard queries
    .venv/bin/python -m bench.search_speed -q Kita -q "am Park" --offset 5000

Each query runs through ``fetch_features`` as ``/api/places?q=…&limit=100`` does (the app's
engine settings: no parallel workers, custom plans), for the first page and a later one, warm
(one run first, then the best of ``--runs``), and prints the matches and milliseconds. The
benchmark cluster is started (and migrated) when it does not run yet; the million places must
already be there (``python -m bench.run`` generates them).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from app.cluster import Cluster
from app.config import Settings
from app.db import make_engine
from app.places.query import Page, PlaceFilter, fetch_features
from bench.run import BENCH_DIR, start_database

# Common and rare words, two words, a substring of compound words, typos, and a word too short
# for the trigram index next to a longer one.
QUERIES = ("Kita", "Grundschule", "Bibliothek", "Frankfurt", "Musikschule", "Fulda",
           "Grundschule Fulda", "schule", "Kitta", "Bibliotek", "am Park")


async def _timed(engine, flt: PlaceFilter, page: Page, settings: Settings) -> tuple[float, str]:
    async with engine.connect() as conn:
        started = time.perf_counter()
        found = await fetch_features(conn, flt, page, "de", settings.max_exact_count,
                                     rank_limit=settings.search_rank_limit)
        elapsed = (time.perf_counter() - started) * 1000
    matched = (f"{found.number_matched:,}" if found.number_matched is not None
               else f"> {found.more_than:,}")
    return elapsed, matched


async def _run(url: str, queries: list[str], offset: int, runs: int) -> None:
    settings = Settings()
    engine = make_engine(url, pool_size=1, max_overflow=0, reads=True)
    print(f"| q | matches | first page | offset {offset:,} |\n| --- | ---: | ---: | ---: |")
    try:
        for q in queries:
            cells = []
            matched = ""
            for start in (0, offset):
                flt, page = PlaceFilter(q=q), Page(limit=100, offset=start)
                await _timed(engine, flt, page, settings)  # warm
                times = []
                for _ in range(runs):
                    elapsed, found = await _timed(engine, flt, page, settings)
                    times.append(elapsed)
                    matched = matched or found
                cells.append(f"{min(times):,.0f} ms")
            print(f"| {q} | {matched} | {cells[0]} | {cells[1]} |", flush=True)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-q", "--query", action="append", help="a query (repeatable)")
    parser.add_argument("--offset", type=int, default=1000, help="the later page's offset")
    parser.add_argument("--runs", type=int, default=2, help="timed runs per page (best counts)")
    args = parser.parse_args(argv)
    running = Cluster(BENCH_DIR)
    url = running.url() if running.is_running() else start_database()[1]
    asyncio.run(_run(url, args.query or list(QUERIES), args.offset, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
