"""Values derived from all public data (the address gazetteer, the OGC collections' extents),
kept per process and computed again once the data version has moved on.

Each computation reads every published place: 1.3-3.4 s over a million of them, and where
edits come every few seconds nearly every request after one waited for it. So a value whose
last computation took longer than ``wait_s`` is not waited for again: the last value answers
while the next is computed in the background, and an edit shows a computation later. A small
directory's values (milliseconds) are still waited for, so an edit shows at once. An answer
from an older value is sent uncached (app/caching.py). One computation runs at a time:
requests arriving during one wait for it instead of starting it again.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.caching import answered_from_older_data, data_version

T = TypeVar("T")
log = logging.getLogger("lernorte.derived")
# Computations up to this long are waited for.
WAIT_S = 0.2


@dataclass(frozen=True)
class _Computed(Generic[T]):
    version: int
    value: T
    seconds: float  # how long computing it took


@dataclass
class _PerDatabase(Generic[T]):
    lock: asyncio.Lock
    computed: _Computed[T] | None = None
    background: asyncio.Task | None = None


# Every Derived, so that an application's shutdown stops their background computations.
_ALL: weakref.WeakSet[Derived] = weakref.WeakSet()


class Derived(Generic[T]):
    def __init__(self, name: str, compute: Callable[[AsyncConnection], Awaitable[T]]) -> None:
        self.name = name
        self.compute = compute
        self.wait_s = WAIT_S
        # Per engine, that is per application and its database (tests run several in one
        # process, each with its own event loop, which its lock belongs to).
        self._per_engine: weakref.WeakKeyDictionary[Engine, _PerDatabase[T]] = (
            weakref.WeakKeyDictionary())
        _ALL.add(self)

    def _of(self, conn: AsyncConnection) -> _PerDatabase[T]:
        found = self._per_engine.get(conn.sync_engine)
        if found is None:
            found = self._per_engine[conn.sync_engine] = _PerDatabase(asyncio.Lock())
        return found

    async def get(self, conn: AsyncConnection) -> T:
        version, _ = await data_version(conn)
        state = self._of(conn)
        computed = state.computed
        if computed is not None and computed.version >= version:
            return computed.value
        if computed is not None and computed.seconds > self.wait_s:
            self._compute_in_background(state, conn.engine)
            answered_from_older_data()
            return computed.value
        return await self._compute(state, conn, version)

    async def _compute(self, state: _PerDatabase[T], conn: AsyncConnection, version: int) -> T:
        async with state.lock:
            # Versions only grow: a value computed from a newer version is current too.
            computed = state.computed
            if computed is None or computed.version < version:
                started = time.perf_counter()
                value = await self.compute(conn)
                computed = _Computed(version, value, time.perf_counter() - started)
                state.computed = computed
        return computed.value

    def _compute_in_background(self, state: _PerDatabase[T], engine: AsyncEngine) -> None:
        if state.background is not None and not state.background.done():
            return

        async def compute() -> None:
            async with engine.connect() as conn:
                version, _ = await data_version(conn)
                await self._compute(state, conn, version)

        def report(task: asyncio.Task) -> None:
            if not task.cancelled() and task.exception() is not None:
                log.error("computing %s failed", self.name, exc_info=task.exception())

        state.background = asyncio.create_task(compute())
        state.background.add_done_callback(report)

    def stop_background(self, engine: AsyncEngine) -> None:
        state = self._per_engine.get(engine.sync_engine)
        if state is not None and state.background is not None:
            state.background.cancel()


def stop_background(engine: AsyncEngine) -> None:
    """At an application's shutdown: a background computation would outlive its engine."""
    for derived in list(_ALL):
        derived.stop_background(engine)
