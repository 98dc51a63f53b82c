"""A WebSocket client that closes its connection normally is no server error.

openenv-core 0.3's ``/ws`` endpoint closes the socket once the client's loop ends, and
that close raises ``WebSocketDisconnect`` when the client has already closed (Starlette
raises it for a send on a disconnected socket; ``websockets`` clients close first, as the
protocol allows: RFC 6455, section 7). uvicorn then logged "Exception in ASGI
application" and a 60-line traceback for every normal close. :class:`QuietWebSocketClose`
ends such a connection quietly; every other exception passes unchanged. (openenv 0.10
catches it in its endpoint too; this keeps CaseOps quiet on either.)
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocketDisconnect


class QuietWebSocketClose:
    """ASGI middleware: a ``WebSocketDisconnect`` escaping a WebSocket handler (the client
    is gone) ends the connection without a traceback."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        except WebSocketDisconnect:
            return
