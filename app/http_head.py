"""HEAD for every GET route (RFC 9110 9.3.2): link checkers, proxies and CMS oEmbed probes ask
with HEAD, and FastAPI's routes answer only the methods they declare (405 otherwise).

The request runs as a GET, so status and headers (ETag, Content-Length, Cache-Control) are the
ones a GET gets; the body is not sent.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_without_body)
