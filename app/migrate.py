"""Running Alembic from the application (CLI, start-up, readiness check)."""

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from app.config import PROJECT_ROOT


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["database_url"] = database_url
    return config


def _in_own_thread(step: Callable[[Config, str], None], database_url: str, revision: str) -> None:
    """migrations/env.py drives the async engine with asyncio.run(), which refuses to start in
    a thread whose event loop is already running (a server, Playwright's sync API); a thread of
    its own always has none."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(step, alembic_config(database_url), revision).result()


def upgrade(database_url: str, revision: str = "head") -> None:
    # Nothing to do is the usual case (every `lernorte import` and `serve` upgrades first):
    # one query instead of Alembic's run, which took 0.4–0.9 s of every import's start.
    if revision == "head" and current_revision(database_url) == head_revision():
        return
    _in_own_thread(command.upgrade, database_url, revision)


async def schema_revision(conn: AsyncConnection) -> str | None:
    """The database's schema revision; None before the first migration."""
    try:
        return (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    except ProgrammingError:  # no alembic_version table yet
        return None


def current_revision(database_url: str) -> str | None:
    """``schema_revision`` for a database URL, from any thread (see _in_own_thread)."""
    async def read() -> str | None:
        engine = create_async_engine(database_url)
        try:
            async with engine.connect() as conn:
                return await schema_revision(conn)
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, read()).result()


def downgrade(database_url: str, revision: str) -> None:
    _in_own_thread(command.downgrade, database_url, revision)


def head_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config(""))
    return script.get_current_head()
