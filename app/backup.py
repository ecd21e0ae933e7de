"""Backups with PostgreSQL's own tools: ``pg_dump -Fc`` to write, ``pg_restore`` to read back.

The custom format holds schema, data, history, users and the migration version in one
compressed file, so a restore brings a database back exactly as it was, on this machine or
another. The password never appears on a command line (other users could read it in ``ps``):
it goes to the tools in ``PGPASSWORD``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from app.cluster import ClusterError, find_pg_bin


class BackupError(RuntimeError):
    """pg_dump or pg_restore failed; the message carries what they said."""


def libpq_target(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment carrying it."""
    parsed = make_url(url)
    env = {**os.environ}
    if parsed.password is not None:
        env["PGPASSWORD"] = parsed.password
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def default_backup_name(now: datetime | None = None) -> str:
    return f"lernorte-{(now or datetime.now()).strftime('%Y%m%d-%H%M%S')}.dump"


def pg_tool(name: str) -> str:
    """The tool of the PostgreSQL that has PostGIS here (the private cluster's), or else the one
    on PATH (a container or backup host with only the client package)."""
    try:
        return str(find_pg_bin(install=False) / name)
    except ClusterError:
        found = shutil.which(name)
        if found is None:
            raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
        return found


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {result.stderr.strip()}")


def backup(url: str, target: Path) -> Path:
    """Write the whole database to ``target`` (via a temporary file, so a failed run never
    leaves a truncated file that looks like a backup)."""
    uri, env = libpq_target(url)
    partial = target.with_name(target.name + ".partial")
    try:
        _run([pg_tool("pg_dump"), "--format=custom", "--no-owner",
              "--no-acl", f"--file={partial}", f"--dbname={uri}"], env, "pg_dump")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def restore(url: str, source: Path) -> None:
    """Replace everything in the database with the backup, in one transaction: if anything
    fails, the database is left as it was."""
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    uri, env = libpq_target(url)
    _run([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
          "--no-acl", "--single-transaction", "--exit-on-error", f"--dbname={uri}", str(source)],
         env, "pg_restore")
