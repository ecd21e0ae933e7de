"""What a revalidation saves: the same public URLs fetched fresh (200) and revalidated with their
ETag (304), one request at a time, against a running server.

    .venv/bin/python -m bench.revalidation http://127.0.0.1:8000 [-n 200]

Prints the median and p95 latency and the bytes on the wire (gzip) of both, per URL.
"""

from __future__ import annotations

import argparse
import statistics
import time

import httpx

URLS = (
    "/api/places?limit=100",
    "/ogc/collections",
    "/ogc/collections/lernorte/items?limit=100",
    "/ogc/collections/lernorte/items?limit=100&f=html",
    "/downloads/lernorte.geojson",
    "/downloads/lernorte.csv",
)


def _measure(client: httpx.Client, url: str, headers: dict[str, str], n: int
             ) -> tuple[float, float, int, int]:
    times, size, status = [], 0, 0
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append((time.perf_counter() - start) * 1000)
        size, status = response.num_bytes_downloaded, response.status_code
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], size, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="e.g. http://127.0.0.1:8000")
    parser.add_argument("-n", type=int, default=200, help="requests per URL and kind")
    args = parser.parse_args()
    print("| URL | 200: median / p95 ms | bytes | 304: median / p95 ms | bytes |")
    print("| --- | --- | --- | --- | --- |")
    with httpx.Client(base_url=args.base, headers={"Accept-Encoding": "gzip"}) as client:
        for url in URLS:
            etag = client.get(url).headers["etag"]
            fresh = _measure(client, url, {}, args.n)
            again = _measure(client, url, {"If-None-Match": etag}, args.n)
            assert (fresh[3], again[3]) == (200, 304), (url, fresh[3], again[3])
            print(f"| `{url}` | {fresh[0]:.1f} / {fresh[1]:.1f} | {fresh[2]} | "
                  f"{again[0]:.1f} / {again[1]:.1f} | {again[2]} |")


if __name__ == "__main__":
    main()
