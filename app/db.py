"""The database engine, and how a request hands its connection on to its handler."""

from collections.abc import MutableMapping
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection


def make_engine(url: str, *, pool_size: int = 10, max_overflow: int = 10,
                pool_timeout: float = 30, connect_timeout: float = 60,
                command_timeout: float | None = None) -> AsyncEngine:
    """An engine; the web app passes short timeouts from its settings, the CLI keeps patient ones
    (an import may run one long statement)."""
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


# Where a middleware that already holds a connection for this request leaves it for the handler.
SHARED_CONNECTION = "lernorte.read_connection"


def share_read_connection(scope: MutableMapping[str, Any], connection: AsyncConnection) -> None:
    """Hand a read-only request's connection on to its handler: one pool checkout per request."""
    scope.setdefault("state", {})[SHARED_CONNECTION] = connection
