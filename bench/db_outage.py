"""PostgreSQL stopped under load: fail fast with 503, recover by itself, lose no acknowledged edit.

    .venv/bin/python -m bench.db_outage                  # 200 readers, 1 editor, 10 s outage
    .venv/bin/python -m bench.db_outage -c 50 --outage 5 # lighter

Builds the same throwaway stack as bench.load_readers (own cluster, `lernorte serve --workers W`,
nginx when W > 1), creates an editor account, then runs readers and an editor who keeps saving
places through the admin API. After a warm-up PostgreSQL is stopped (`pg_ctl stop -m fast`, as
a restart or failover does), left down for the outage, and started again on the same port.
A probe asks `/api/places?limit=1` every 100 ms to time the recovery.

It reports what clients saw while the database was away (statuses; how long a failing request
took), how long after the database was back the app served again, and whether every edit that
had been answered with 200 is in the database afterwards with its history entry. Exit status 1
when a request failed with anything but 503 during the outage, when any request failed outside
it, when recovery took more than 5 s, or when an acknowledged edit is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field

import httpx
import psycopg

from app.config import PROJECT_ROOT
from bench.load_readers import Stack, Tally, machine, percentile, run_readers

PASSWORD = "bench password for the outage run"
EDIT_FIELDS = ("name", "categories", "lon", "lat", "description", "street", "postcode", "city",
               "municipality", "ags", "phone", "email", "website", "provider", "provider_kind",
               "target_groups", "languages", "wheelchair", "accessibility_notes", "opening_hours",
               "status", "last_verified")


@dataclass
class Editor:
    acknowledged: dict[int, tuple[str, int]] = field(default_factory=dict)  # id -> (name, version)
    attempts: int = 0
    failures: int = 0


async def edit_loop(base_url: str, editor: Editor, deadline: float) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        login = await client.post("/api/admin/session",
                                  json={"email": "editor@example.org", "password": PASSWORD})
        login.raise_for_status()
        client.headers["X-CSRF-Token"] = login.json()["csrf_token"]
        n = 0
        while time.monotonic() < deadline:
            place_id = 1 + n % 20
            n += 1
            editor.attempts += 1
            try:
                got = await client.get(f"/api/admin/places/{place_id}")
                if got.status_code != 200:
                    raise httpx.HTTPStatusError("read", request=got.request, response=got)
                place = got.json()["place"]
                name = f"Bearbeitung {n}"
                body = {**{k: place.get(k) for k in EDIT_FIELDS if k in place}, "name": name,
                        "version": place["version"], "confirm": True}
                saved = await client.put(f"/api/admin/places/{place_id}", json=body)
                if saved.status_code == 200:
                    editor.acknowledged[place_id] = (name, saved.json()["version"])
                else:
                    editor.failures += 1
            except httpx.HTTPError:
                editor.failures += 1
                await asyncio.sleep(0.2)
            await asyncio.sleep(0.05)


async def probe(base_url: str, seen: list[tuple[float, int]], deadline: float) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        while time.monotonic() < deadline:
            try:
                status = (await client.get("/api/places?limit=1")).status_code
            except httpx.HTTPError:
                status = 0
            seen.append((time.monotonic(), status))
            await asyncio.sleep(0.1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--concurrency", type=int, default=200)
    parser.add_argument("-w", "--workers", type=int, default=2)
    parser.add_argument("--warmup", type=float, default=10)
    parser.add_argument("--outage", type=float, default=10)
    parser.add_argument("--after", type=float, default=15)
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M %Z')} on {machine()}", file=sys.stderr)

    with Stack(args.workers) as stack:
        made = subprocess.run([sys.executable, "-m", "app.cli", "create-user", "editor@example.org",
                               "--role", "admin", "--password-stdin"], input=PASSWORD + "\n",
                              text=True, capture_output=True, cwd=PROJECT_ROOT,
                              env={**os.environ, "DATABASE_URL": stack.database_url})
        if made.returncode != 0:
            raise SystemExit(f"create-user failed: {made.stderr}")
        total = args.warmup + args.outage + args.after
        tally, editor, probed = Tally(), Editor(), []
        marks: dict[str, float] = {}

        async def outage() -> None:
            await asyncio.sleep(args.warmup)
            marks["down"] = time.monotonic()
            await asyncio.to_thread(stack.stop_database)
            marks["stopped"] = time.monotonic()
            await asyncio.sleep(args.outage)
            await asyncio.to_thread(stack.start_database)
            marks["up"] = time.monotonic()

        async def everything() -> None:
            deadline = time.monotonic() + total
            await asyncio.gather(run_readers(stack.url, args.concurrency, total, tally),
                                 edit_loop(stack.url, editor, deadline),
                                 probe(stack.url, probed, deadline), outage())

        asyncio.run(everything())
        with psycopg.connect(stack.database_url.replace("+asyncpg", "")) as conn:
            stored = {pid: (name, version) for pid, name, version in conn.execute(
                "SELECT id, name, version FROM places WHERE id <= 20")}
            history = set(conn.execute(
                "SELECT place_id, version, after->>'name' FROM revisions").fetchall())

    down, up = marks["down"], marks["up"]
    during = [(s, lat) for t, s, lat in tally.timeline if down <= t - lat and t <= up]
    outside = [(s, lat) for t, s, lat in tally.timeline if t < down or t - lat > up + 5]
    bad_during = [s for s, _ in during if s not in (200, 503)]
    failing = [lat for s, lat in during if s == 503]
    first_ok = next((t for t, s in probed if t > up and s == 200), None)
    steady = next((t for t, _ in probed if t > up and all(s == 200 for u, s in probed if u >= t)),
                  None)
    # An acknowledged edit is kept if its history entry exists and the place shows it, or shows
    # a later version (a save whose answer was lost in the outage may have gone through).
    lost = {pid: (name, version) for pid, (name, version) in editor.acknowledged.items()
            if (pid, version, name) not in history
            or stored[pid][1] < version or (stored[pid][1] == version and stored[pid][0] != name)}

    print(f"readers: {args.concurrency}, workers: {args.workers}; database stopped "
          f"{marks['stopped'] - down:.1f} s after the stop began, down {up - marks['stopped']:.1f} s")
    print(f"requests: {tally.total}; statuses {dict(sorted(tally.statuses.items()))}")
    print(f"while down: {len(during)} requests, {len(failing)} × 503, other failures "
          f"{len(bad_during)}; a 503 took p50 {percentile(failing, 50) * 1000:.0f} ms, "
          f"p99 {percentile(failing, 99) * 1000:.0f} ms, max {max(failing, default=0) * 1000:.0f} ms")
    print(f"outside the outage (before, and from 5 s after it): {len(outside)} requests, "
          f"{sum(1 for s, _ in outside if s != 200)} not 200")
    recovery = (steady - up) if steady else float("inf")
    print(f"recovery: first 200 {((first_ok or float('inf')) - up):.2f} s after the database was "
          f"back, every probe 200 from {recovery:.2f} s")
    print(f"editor: {editor.attempts} attempts, {len(editor.acknowledged)} places with acknowledged "
          f"edits, {editor.failures} failed attempts; acknowledged edits missing afterwards: "
          f"{len(lost)}")
    ok = (not bad_during and recovery <= 5 and not lost
          and all(s == 200 for s, _ in outside))
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
