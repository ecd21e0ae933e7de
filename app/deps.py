"""Typed dependencies shared by the routers."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.config import Settings
from app.db import SHARED_CONNECTION
from app.vocabulary import LANGUAGES
from geo.errors import InvalidParameter


async def get_connection(request: Request) -> AsyncIterator[AsyncConnection]:
    """A connection in a transaction, committed when the request handler returns; for a public
    read, the autocommitting connection the caching middleware opened (app/caching.py)."""
    shared = request.scope.get("state", {}).get(SHARED_CONNECTION)
    if shared is not None:
        yield shared
        return
    engine: AsyncEngine = request.app.state.engine
    async with engine.begin() as connection:
        yield connection


async def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


# scope="function": commit before the response is sent, so a client that follows a redirect or
# reads right after a write sees it (the default scope would commit after sending).
Conn = Annotated[AsyncConnection, Depends(get_connection, scope="function")]
AppSettings = Annotated[Settings, Depends(get_app_settings)]


async def reject_unknown_parameters(request: Request) -> None:
    """A typo like ``categroy=`` must not be silently ignored: only declared parameters pass."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    allowed = {p.alias for p in _all_query_params(dependant)}
    for name in request.query_params:
        if name not in allowed:
            raise InvalidParameter(name, "unknown parameter; allowed are "
                                         + ", ".join(sorted(allowed)))


def _all_query_params(dependant):
    yield from dependant.query_params
    for sub in dependant.dependencies:
        yield from _all_query_params(sub)


async def get_lang(lang: Annotated[str, Query(description="Language of names and labels: "
                                                    + ", ".join(LANGUAGES))] = "de") -> str:
    if lang not in LANGUAGES:
        raise InvalidParameter("lang", f"'{lang[:20]}' is not offered; choose one of "
                                       + ", ".join(LANGUAGES))
    return lang


Lang = Annotated[str, Depends(get_lang)]
StrictQuery = Depends(reject_unknown_parameters)
