"""Stop working for a reader who has gone.

A map that pans over a national directory with a search asks for new cells at every move and
drops the answers it no longer needs; a second of counting over 220,000 places went on in the
database for each dropped answer, and the answers still wanted waited behind them. A public read
whose client disconnects is therefore cancelled: the handler's task is cancelled, and with it
the statement it waits for (asyncpg asks PostgreSQL to cancel it). The access log records such a
request with status 499 (nginx's "client closed request").

Only public GET/HEAD reads (no body to wait for, nothing written); everything else runs to its
end as before.
"""

from __future__ import annotations

import asyncio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.caching import is_public

# What the access log calls a request whose client went away before the answer.
CLIENT_CLOSED_REQUEST = 499


def client_gone(scope: Scope) -> bool:
    return bool(scope.get("state", {}).get("client_gone"))


class CancelOnDisconnect:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] not in ("GET", "HEAD")
                or not is_public(scope["path"])):
            await self.app(scope, receive, send)
            return
        request = await receive()  # a GET's whole (empty) body, or the client already gone
        if request["type"] == "http.disconnect":
            scope.setdefault("state", {})["client_gone"] = True
            return
        gone = asyncio.Event()
        delivered = False
        handler = asyncio.current_task()

        async def app_receive() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return request
            await gone.wait()
            return {"type": "http.disconnect"}

        answered = False

        async def send_watched(message: Message) -> None:
            nonlocal answered
            answered = message["type"] == "http.response.body" and not message.get("more_body")
            await send(message)

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            if not answered:  # the server reports a finished answer as a disconnect, too
                gone.set()
                handler.cancel()  # the handler runs in this task: one task per request, not two

        watcher = asyncio.ensure_future(watch())
        try:
            await self.app(scope, app_receive, send_watched)
        except asyncio.CancelledError:
            if not gone.is_set() or handler.uncancel():
                raise  # cancelled from elsewhere (the server stops), not for a departure
            scope.setdefault("state", {})["client_gone"] = True
        except Exception:
            if not gone.is_set():
                raise
            # Nobody to answer: whatever the cancelled handler raised on its way out.
            scope.setdefault("state", {})["client_gone"] = True
        finally:
            watcher.cancel()
