"""The ``lernorte`` command: serve, migrate, import, export, create-user, db."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import nullcontext
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection
from tqdm import tqdm

from app import backup, migrate, procs
from app.cluster import Cluster, ClusterError, database_url
from app.config import PROJECT_ROOT, get_settings
from app.db import make_engine
from app.importing.export import csv_chunks, geojson_chunks, place_snapshots
from app.importing.readers import UnreadableFile, read_file
from app.importing.store import ImportReport, import_rows

DEMO_DATA = PROJECT_ROOT / "data" / "demo" / "fulda_schools_2016.geojson"
T = TypeVar("T")


def _url() -> str:
    settings = get_settings()
    url, _ = database_url(settings.database_url, settings.data_dir)
    return url


def _in_transaction(url: str, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = make_engine(url)
        try:
            async with engine.begin() as conn:
                return await work(conn)
        finally:
            await engine.dispose()
    return asyncio.run(run())


def import_file(url: str, path: Path, dry_run: bool = False, quiet: bool = False) -> ImportReport:
    rows = read_file(path)
    with tqdm(desc=f"import {path.name}", unit=" rows", disable=quiet or None,
              file=sys.stderr) as bar:
        return _in_transaction(url, lambda conn: import_rows(conn, rows, dry_run=dry_run,
                                                             progress=bar.update))


def _print_report(report: ImportReport, dry_run: bool) -> None:
    verb = "would be" if dry_run else "were"
    print(f"{report.created} places {verb} created, {report.updated} updated, "
          f"{report.unchanged} unchanged, {report.rejected} rows rejected.")
    for number, reason in report.errors:
        print(f"  row {number}: {reason}")


def cmd_import(args: argparse.Namespace) -> int:
    url = _url()
    migrate.upgrade(url)
    try:
        report = import_file(url, Path(args.file), dry_run=args.dry_run)
    except (UnreadableFile, OSError) as exc:
        print(f"lernorte: cannot import {args.file}: {exc}", file=sys.stderr)
        return 2
    _print_report(report, args.dry_run)
    return 1 if report.rejected and args.strict else 0


def cmd_export(args: argparse.Namespace) -> int:
    statuses = args.status or ["draft", "published"]
    fmt = args.format or ("csv" if args.output and args.output.endswith(".csv") else "geojson")
    to_file = bool(args.output and args.output != "-")
    written = 0

    async def counted(conn: AsyncConnection) -> AsyncIterator[dict]:
        nonlocal written
        async for place in place_snapshots(conn, statuses):
            written += 1
            yield place

    async def write(conn: AsyncConnection) -> None:
        chunks = (csv_chunks if fmt == "csv" else geojson_chunks)(counted(conn))
        with (open(args.output, "wb") if to_file else nullcontext(sys.stdout.buffer)) as out:
            async for chunk in chunks:
                out.write(chunk)

    _in_transaction(_url(), write)
    if to_file:
        print(f"{written} places written to {args.output}", file=sys.stderr)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    url = _url()
    if args.downgrade:
        migrate.downgrade(url, args.downgrade)
    else:
        migrate.upgrade(url, args.revision)
    return 0


async def _place_count(conn: AsyncConnection) -> int:
    return (await conn.execute(text("SELECT count(*) FROM places"))).scalar_one()


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    cluster = None if settings.database_url else Cluster(settings.data_dir)
    started = cluster.start() if cluster else False
    url = cluster.url() if cluster else _url()
    try:
        migrate.upgrade(url)
        if not args.no_demo and _in_transaction(url, _place_count) == 0:
            print("lernorte: first start, loading the demo data (Landkreis Fulda schools)",
                  file=sys.stderr)
            _print_report(import_file(url, DEMO_DATA), dry_run=False)
        # The server (and each worker) connects to exactly this database.
        os.environ["DATABASE_URL"] = url
        get_settings.cache_clear()
        if args.workers > 1:
            return procs.serve_many(args.host, args.port, args.workers,
                                    settings.graceful_shutdown_s)
        print(f"lernorte: serving on http://{args.host}:{args.port}", file=sys.stderr)
        procs.exit_cleanly_on_sigterm()
        uvicorn.run("app.main:create_app", factory=True, host=args.host, port=args.port,
                    proxy_headers=True, log_level="info",
                    timeout_graceful_shutdown=settings.graceful_shutdown_s)
    finally:
        if started and cluster is not None:
            cluster.stop()
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    target = Path(args.output or backup.default_backup_name())
    backup.backup(_url(), target)
    print(f"backup written to {target} ({target.stat().st_size} bytes)", file=sys.stderr)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    url = _url()
    if not args.yes:
        if not sys.stdin.isatty():
            print("lernorte: restore replaces all data; add --yes to confirm", file=sys.stderr)
            return 2
        answer = input(f"Replace ALL data in {backup.libpq_target(url)[0]} with {args.file}? "
                       "Type 'yes': ")
        if answer.strip() != "yes":
            return 1
    backup.restore(url, Path(args.file))
    print(f"restored {args.file}; restart the app servers", file=sys.stderr)
    return 0


def _read_password(from_stdin: bool) -> str | None:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        print("lernorte: the passwords differ", file=sys.stderr)
        return None
    return first


def cmd_create_user(args: argparse.Namespace) -> int:
    from app.auth.accounts import create_user
    from app.auth.errors import AccountProblem

    password = _read_password(args.password_stdin)
    if password is None:
        return 1
    url = _url()
    migrate.upgrade(url)
    try:
        user = _in_transaction(url, lambda conn: create_user(
            conn, args.email, password, args.role, args.municipality or []))
    except AccountProblem as exc:
        print(f"lernorte: {exc}", file=sys.stderr)
        return 1
    limited = f", limited to {', '.join(user.municipalities)}" if user.municipalities else ""
    print(f"created {user.role} {user.email}{limited}", file=sys.stderr)
    return 0


def cmd_export_html(args: argparse.Namespace) -> int:
    from app.embed.static_export import static_map  # folium is only needed here
    from app.places.query import PlaceFilter
    from geo.errors import InvalidParameter
    from geo.params import parse_bbox

    settings = get_settings()
    if args.no_tiles:
        settings = settings.model_copy(update={"tiles_enabled": False})
    try:
        flt = PlaceFilter(bbox=parse_bbox(args.bbox) if args.bbox else None,
                          categories=tuple(args.category or ()), q=args.q,
                          municipalities=tuple(args.municipality or ()))
        page = _in_transaction(_url(), lambda conn: static_map(
            conn, settings, flt, args.lang, args.title, args.base_url))
    except InvalidParameter as exc:
        print(f"lernorte: {exc.parameter}: {exc.message}", file=sys.stderr)
        return 2
    Path(args.output).write_text(page.html, encoding="utf-8")
    print(f"map written to {args.output}", file=sys.stderr)
    if page.shown < page.total:
        print(f"lernorte: the map shows the first {page.shown:,} of {page.total:,} places; "
              "narrow the filters (--category, --municipality, --bbox) to show all",
              file=sys.stderr)
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    settings = get_settings()
    if settings.database_url:
        print("DATABASE_URL is set; the private cluster is not used.", file=sys.stderr)
        return 1
    cluster = Cluster(settings.data_dir)
    if args.action == "start":
        cluster.start()
        print(cluster.url())
    elif args.action == "stop":
        cluster.stop()
    else:
        print(cluster.url() if cluster.is_running() else "not running")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lernorte", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the web server (migrates and loads demo data first)")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "1")))
    serve.add_argument("--no-demo", action="store_true", help="do not load the demo data")
    serve.set_defaults(func=cmd_serve)

    mig = sub.add_parser("migrate", help="bring the database schema to the newest version")
    mig.add_argument("revision", nargs="?", default="head")
    mig.add_argument("--downgrade", metavar="REVISION", help="go back to REVISION (e.g. base)")
    mig.set_defaults(func=cmd_migrate)

    imp = sub.add_parser("import", help="import places from a CSV or GeoJSON file")
    imp.add_argument("file")
    imp.add_argument("--dry-run", action="store_true", help="report what would change, change nothing")
    imp.add_argument("--strict", action="store_true", help="exit with 1 when any row is rejected")
    imp.set_defaults(func=cmd_import)

    exp = sub.add_parser("export", help="export places as GeoJSON (default) or CSV")
    exp.add_argument("-o", "--output", help="file to write (default: standard output)")
    exp.add_argument("-f", "--format", choices=("geojson", "csv"))
    exp.add_argument("--status", action="append", choices=("draft", "published", "archived"),
                     help="statuses to export (repeatable; default draft and published)")
    exp.set_defaults(func=cmd_export)

    bak = sub.add_parser("backup", help="write the whole database to a file (pg_dump -Fc)")
    bak.add_argument("-o", "--output", help="file to write (default: lernorte-DATE-TIME.dump)")
    bak.set_defaults(func=cmd_backup)

    res = sub.add_parser("restore", help="replace the whole database with a backup file")
    res.add_argument("file")
    res.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    res.set_defaults(func=cmd_restore)

    user = sub.add_parser("create-user", help="create an account for the administration")
    user.add_argument("email")
    user.add_argument("--role", choices=("admin", "editor"), required=True)
    user.add_argument("--municipality", action="append", metavar="AGS",
                      help="an editor may only change places in this municipality (repeatable)")
    user.add_argument("--password-stdin", action="store_true",
                      help="read the password from standard input instead of a prompt")
    user.set_defaults(func=cmd_create_user)

    html = sub.add_parser("export-html", help="a self-contained HTML map (folium) of the "
                                                "published places, for offline use")
    html.add_argument("-o", "--output", required=True, help="the HTML file to write")
    html.add_argument("--category", action="append", help="category or stage slug (repeatable)")
    html.add_argument("--municipality", action="append", help="name or AGS (repeatable)")
    html.add_argument("--bbox", help="minLon,minLat,maxLon,maxLat")
    html.add_argument("--q", help="search words")
    html.add_argument("--lang", choices=("de", "en", "uk", "ar"), default="de")
    html.add_argument("--title", help="page title (default: the site name)")
    html.add_argument("--base-url", help="where the site lives, e.g. https://lernorte.example.de: "
                                          "popups and the list then link to each place's page")
    html.add_argument("--no-tiles", action="store_true",
                      help="no background map: the page then makes no request at all")
    html.set_defaults(func=cmd_export_html)

    db = sub.add_parser("db", help="the private PostgreSQL cluster under .data/")
    db.add_argument("action", choices=("start", "stop", "status"))
    db.set_defaults(func=cmd_db)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ClusterError, backup.BackupError) as exc:
        print(f"lernorte: {exc}", file=sys.stderr)
        return 2
    except ValidationError as exc:  # settings from the environment; say which, not a traceback
        reasons = "; ".join(error["msg"].removeprefix("Value error, ") for error in exc.errors())
        print(f"lernorte: invalid configuration: {reasons}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
