"""The database engine and the connection dependency."""

from collections.abc import AsyncIterator

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine


def make_engine(url: str) -> AsyncEngine:
    return create_async_engine(
        url,
        pool_size=10,
        max_overflow=10,
        pool_pre_ping=True,
        # asyncpg prepares statements; after five runs PostgreSQL may switch to a generic plan
        # that ignores how small a bbox or LIMIT is. Spatial queries need the custom plan.
        connect_args={"server_settings": {"plan_cache_mode": "force_custom_plan",
                                          "application_name": "lernorte"}},
    )


async def get_connection(request: Request) -> AsyncIterator[AsyncConnection]:
    """A connection in a transaction, committed when the request handler returns."""
    engine: AsyncEngine = request.app.state.engine
    async with engine.begin() as connection:
        yield connection
