"""A private PostgreSQL + PostGIS cluster under ``.data/``, for when no DATABASE_URL is given.

The cluster is created on first use, started on a free port on 127.0.0.1 and a Unix socket
inside the data directory, and stopped with ``pg_ctl stop -m fast``. PostgreSQL refuses to run
as root, so when we are root the server runs as the ``postgres`` system user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

DB_NAME = "lernorte"


class ClusterError(RuntimeError):
    """The private cluster cannot be set up; the message says what the user can do."""


def _is_root() -> bool:
    return os.geteuid() == 0


def _pg_bin_dirs() -> list[Path]:
    base = Path("/usr/lib/postgresql")
    if not base.is_dir():
        return []
    versions = sorted((p for p in base.iterdir() if p.name.isdigit()), key=lambda p: int(p.name))
    return [p / "bin" for p in reversed(versions) if (p / "bin" / "initdb").exists()]


def _postgis_available(bin_dir: Path) -> bool:
    version = bin_dir.parent.name
    return Path(f"/usr/share/postgresql/{version}/extension/postgis.control").exists()


def _apt_install(*packages: str) -> None:
    print(f"lernorte: installing {' '.join(packages)} with apt-get …", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", *packages], check=True, env=env)


def find_pg_bin(install: bool = True) -> Path:
    """The bin directory of a PostgreSQL that has PostGIS, installing both with apt when root."""
    for bin_dir in _pg_bin_dirs():
        if _postgis_available(bin_dir):
            return bin_dir
    if install and _is_root() and shutil.which("apt-get"):
        dirs = _pg_bin_dirs()
        if not dirs:
            _apt_install("postgresql")
            dirs = _pg_bin_dirs()
        if dirs:
            _apt_install(f"postgresql-{dirs[0].parent.name}-postgis-3")
        return find_pg_bin(install=False)
    raise ClusterError(
        "PostgreSQL with PostGIS is not installed. On Debian/Ubuntu run:\n"
        "  sudo apt-get install postgresql postgresql-15-postgis-3\n"
        "(use the PostGIS package that matches your PostgreSQL version), "
        "or set DATABASE_URL to an existing PostGIS database."
    )


def _free_port(preferred: int | None = None) -> int:
    """``preferred`` when it is free, otherwise any free port."""
    for port in ((preferred, 0) if preferred else (0,)):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            # As PostgreSQL binds: a port whose last connections linger in TIME_WAIT is free.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise ClusterError("no free port on 127.0.0.1")


@dataclass
class Cluster:
    """One private cluster: its data directory, socket directory and port."""

    root: Path
    extra_options: tuple[str, ...] = ()

    @property
    def pgdata(self) -> Path:
        return self.root / "pg"

    @property
    def sockdir(self) -> Path:
        return self.root / "run"

    @property
    def port_file(self) -> Path:
        return self.root / "port"

    @property
    def log_file(self) -> Path:
        return self.root / "postgres.log"

    def _as_pg_user(self, args: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *args] if _is_root() else args

    def _run(self, args: list[str], **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(self._as_pg_user(args), **kwargs)

    def url(self) -> str:
        port = self.port_file.read_text().strip()
        return f"postgresql+asyncpg://postgres@127.0.0.1:{port}/{DB_NAME}"

    def is_running(self) -> bool:
        if not (self.pgdata / "PG_VERSION").exists():
            return False
        bin_dir = find_pg_bin(install=False)
        result = self._run([str(bin_dir / "pg_ctl"), "-D", str(self.pgdata), "status"],
                           capture_output=True)
        return result.returncode == 0

    def _prepare_dirs(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.sockdir.mkdir(parents=True, exist_ok=True)
        if _is_root():
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise ClusterError("the 'postgres' system user is missing; reinstall postgresql") from exc
            for path in (self.root, self.sockdir):
                os.chown(path, pw.pw_uid, pw.pw_gid)
            check = self._run(["test", "-w", str(self.root)], capture_output=True)
            if check.returncode != 0:
                raise ClusterError(
                    f"PostgreSQL runs as the 'postgres' user, which cannot reach {self.root}. "
                    "Move the project to a directory other users can enter, set "
                    "LERNORTE_DATA_DIR to such a directory, or set DATABASE_URL."
                )

    def start(self) -> bool:
        """Start the cluster (creating it first if needed). Returns True if this call started it."""
        bin_dir = find_pg_bin()
        if self.is_running():
            return False
        self._prepare_dirs()
        if not (self.pgdata / "PG_VERSION").exists():
            self.pgdata.mkdir(exist_ok=True)
            if _is_root():
                shutil.chown(self.pgdata, "postgres", "postgres")
            self._run([str(bin_dir / "initdb"), "-D", str(self.pgdata), "-U", "postgres",
                       "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
                      check=True, capture_output=True)
        # The port of the last start when it is still free: a server that is running keeps its
        # database URL, and reconnects by itself after `lernorte db stop` and `db start`.
        previous = self.port_file.read_text().strip() if self.port_file.exists() else ""
        port = _free_port(int(previous) if previous.isdigit() else None)
        options = " ".join([f"-p {port}", f"-k {self.sockdir}", "-c listen_addresses=127.0.0.1",
                            *self.extra_options])
        result = self._run([str(bin_dir / "pg_ctl"), "-D", str(self.pgdata), "-l", str(self.log_file),
                            "-w", "-o", options, "start"], capture_output=True, text=True)
        if result.returncode != 0:
            log = self.log_file.read_text()[-2000:] if self.log_file.exists() else ""
            raise ClusterError(f"PostgreSQL did not start:\n{result.stdout}{result.stderr}{log}")
        self.port_file.write_text(f"{port}\n")
        self.create_database(DB_NAME)
        return True

    def create_database(self, name: str, template: str | None = None) -> None:
        bin_dir = find_pg_bin(install=False)
        port = self.port_file.read_text().strip()
        exists = subprocess.run(
            [str(bin_dir / "psql"), "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-tAc",
             f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
            capture_output=True, text=True, check=True,
        )
        if exists.stdout.strip() == "1":
            return
        args = [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", port, "-U", "postgres"]
        if template:
            args += ["-T", template]
        subprocess.run([*args, name], check=True)

    def stop(self) -> None:
        if not self.is_running():
            return
        bin_dir = find_pg_bin(install=False)
        self._run([str(bin_dir / "pg_ctl"), "-D", str(self.pgdata), "-w", "-m", "fast", "stop"],
                  check=True, capture_output=True)


def database_url(explicit: str | None, data_dir: Path) -> tuple[str, Cluster | None]:
    """The URL to use: the explicit one, or the private cluster's (started if needed)."""
    if explicit:
        return normalise_url(explicit), None
    cluster = Cluster(data_dir)
    cluster.start()
    return cluster.url(), cluster


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs as people write them; the app talks asyncpg."""
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix):]
    return url
