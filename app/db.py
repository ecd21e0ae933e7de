"""The database engine, and how a request hands its connection on to its handler."""

from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, replace
from typing import Any

import asyncpg
from sqlalchemy import Executable, event, text
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection


# For the web app's reads only (make_engine(..., reads=True)); the import's statements were
# tuned, and are timed, under PostgreSQL's defaults (its history step took 0.8 s longer with
# these, A/B).
# Twice the default memory per sort, hash or bitmap: counting a search's clusters over Germany
# (220,000 places) spilled its sort to disk and made its bitmap lossy, rechecking 325,000 more
# rows (1.4 -> 1.0 s).
# Random reads priced as what they are for a directory that the server holds in memory, not as
# for a spinning disk (the default 4): the planner then looks up a category's 20,000 places by
# id instead of reading all million (the filter panel under category and target group 1.75 ->
# 0.25 s; a region's page 78 -> 36 ms).
READ_SETTINGS = {"work_mem": "8MB", "random_page_cost": "1.1"}


def make_engine(url: str, *, pool_size: int = 10, max_overflow: int = 10,
                pool_timeout: float = 30, connect_timeout: float = 60,
                command_timeout: float | None = None, reads: bool = False) -> AsyncEngine:
    """An engine; the web app passes short timeouts from its settings and ``reads``, the CLI
    keeps patient ones (an import may run one long statement)."""
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
        connect_args={
            "timeout": connect_timeout,
            "command_timeout": command_timeout,
            # asyncpg prepares statements; after five runs PostgreSQL may switch to a generic plan
            # that ignores how small a bbox or LIMIT is. Spatial queries need the custom plan.
            # No parallel workers: starting one costs ~15 ms, more than a whole map page (a town's
            # 1,000 places: 20 ms alone, 40 ms with a worker), and under many concurrent
            # requests the cores are busy anyway.
            "server_settings": {"plan_cache_mode": "force_custom_plan",
                                "max_parallel_workers_per_gather": "0",
                                "jit": "off",
                                **(READ_SETTINGS if reads else {}),
                                "application_name": "lernorte"},
        },
    )
    event.listen(engine.sync_engine.pool, "checkout", _discard_closed)
    return engine


def _discard_closed(dbapi_connection: Any, _record: ConnectionPoolEntry,
                    _proxy: PoolProxiedConnection) -> None:
    """A connection that died while the database was away is replaced on checkout, so the app
    recovers by itself when the database returns (the pool tries a new one on this error).

    Instead of pool_pre_ping, which asks the server: asyncpg's adapter pings with three round
    trips (BEGIN, an empty statement, ROLLBACK), as many as a whole map page needs besides. A
    server that stops, restarts or ends a session closes its socket, and the event loop has
    marked the connection closed before the next request runs; a connection cut off silently
    fails its first statement, is discarded with every older one, and that request is a 503."""
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the database closed this connection")


async def stream_from_the_first_row(conn: AsyncConnection) -> None:
    """Plans that send their first rows at once, for the rest of the transaction (a download,
    an export: a cursor read to the end).

    A whole table read looks cheapest to the planner as hash joins and one sort of every row at
    the end: at a million places nothing came for longer than the command timeout, and a cursor's
    fetch is held to it (the admin's export of every published place failed after it). Nested
    loops along an index send the first rows at once (the same export's first row: 0.2 s)."""
    await conn.execute(text("SET LOCAL enable_hashjoin = off"))
    await conn.execute(text("SET LOCAL enable_mergejoin = off"))


# Where a middleware that already holds a connection for this request leaves it for the handler.
SHARED_CONNECTION = "lernorte.read_connection"


def share_read_connection(scope: MutableMapping[str, Any], connection: AsyncConnection) -> None:
    """Hand a read-only request's connection on to its handler: one pool checkout per request."""
    scope.setdefault("state", {})[SHARED_CONNECTION] = connection


# What the driver raises itself when a statement runs on it (Prepared) rather than through
# SQLAlchemy, which would wrap them in its own DBAPIError.
DRIVER_ERRORS: tuple[type[Exception], ...] = (asyncpg.PostgresError, asyncpg.InterfaceError)


@dataclass(frozen=True)
class Prepared:
    """A statement of the query builder, compiled once to asyncpg's SQL ($1, $2, …), that runs
    on the driver itself.

    For the requests the map sends many times a second: SQLAlchemy's execution around a statement
    it has already compiled (cache lookup, execution context, parameter processing, result
    objects) cost 0.35 ms of Python per request, as much as the rest of a street's page besides
    the framework; asyncpg alone takes 0.2 ms. The statement stays the builder's; only its
    execution is shorter. The driver's errors are the ones app/errors.py maps already."""

    sql: str
    names: tuple[str, ...]  # the parameter of each position
    constants: dict[str, Any]  # the values the statement itself binds, processed
    processors: dict[str, Callable[[Any], Any]]  # for the values a request brings

    @classmethod
    def of(cls, statement: Executable) -> "Prepared":
        compiled = statement.compile(dialect=_DIALECT)
        processors = compiled._bind_processors  # what SQLAlchemy's execution would apply
        values = compiled.params
        names = tuple(compiled.positiontup or ())
        constants = {name: processors[name](value) if name in processors else value
                     for name, value in values.items() if value is not None}
        return cls(str(compiled), names, constants,
                   {name: processors[name] for name in names if name in processors})

    def _arguments(self, values: Mapping[str, Any]) -> list[Any]:
        arguments = []
        for name in self.names:
            if name in values:
                process = self.processors.get(name)
                arguments.append(process(values[name]) if process else values[name])
            else:
                arguments.append(self.constants.get(name))
        return arguments

    async def fetchrow(self, conn: AsyncConnection, values: Mapping[str, Any]) -> asyncpg.Record:
        return (await self.fetch(conn, values))[0]

    async def fetch(self, conn: AsyncConnection, values: Mapping[str, Any]) -> list[asyncpg.Record]:
        driver: asyncpg.Connection = (await conn.get_raw_connection()).driver_connection
        try:
            return await driver.fetch(self.sql, *self._arguments(values))
        except Exception as exc:
            # A connection the server ended while it waited in the pool fails in whatever way
            # its protocol state makes it fail: reported as what it is, the database gone.
            if driver.is_closed():
                raise ConnectionResetError("the database closed the connection") from exc
            raise


async def estimated_rows(conn: AsyncConnection, statement: Executable) -> float:
    """The rows the planner expects ``statement`` to answer, from the table statistics and the
    statement's values, without running it: to choose between two ways of answering before
    paying for either (EXPLAIN plans the statement for its values each time, as asked)."""
    prepared = Prepared.of(statement)
    explain = replace(prepared, sql=f"EXPLAIN (FORMAT JSON) {prepared.sql}")
    # Decoded by the JSON codec SQLAlchemy gives each connection.
    plan = (await explain.fetchrow(conn, {}))[0]
    return float(plan[0]["Plan"]["Plan Rows"])


_DIALECT = asyncpg_dialect()
