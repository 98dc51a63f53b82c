"""The MCP protocol app (:func:`caseops.api.mcp.mount_mcp_protocol`'s), built off the
start path.

Building it costs about 1 s of CPU on the CI machine (importing fastmcp, about 0.35 s, and
the FastMCP server with its streamable HTTP app, about 0.7 s; ``bench/startup.py``), which
put ``caseops serve`` over its 2 s start-up target. :func:`mount_mcp_protocol_deferred`
serves the same app at the same ``/mcp`` (through :class:`~caseops.api.mcp.McpStream`), but
builds it on a worker thread once the server has started, and runs its session manager in
a task of its own for the server's lifetime (the manager's task group is entered and left
in that one task, as anyio requires). An MCP request that arrives before it is ready waits
for it; one that arrives when it could not be built is answered 503.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from .mcp import McpSessions, McpStream, build_mcp_server

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

    from .environment import CaseOpsEnvironment

log = logging.getLogger("caseops")


class DeferredMcpApp:
    """An ASGI app standing for the MCP protocol app until it is built (see the module)."""

    def __init__(self, factory: Callable[[], CaseOpsEnvironment], sessions: int) -> None:
        self.factory = factory
        self.sessions = sessions
        self.app: ASGIApp | None = None
        self.error: BaseException | None = None
        self._ready: asyncio.Event | None = None

    def _build(self) -> Any:
        server = build_mcp_server(McpSessions(self.factory, self.sessions).current)
        return server.http_app(path="/mcp")

    async def run(self, ready: asyncio.Event, stop: asyncio.Event) -> None:
        """Build the app on a worker thread, then run its lifespan until ``stop``."""
        try:
            mcp_app = await asyncio.to_thread(self._build)
            async with mcp_app.lifespan(mcp_app):
                self.app = mcp_app
                ready.set()
                await stop.wait()
        except Exception as e:  # served as 503 below; the server itself keeps running
            self.error = e
            log.exception("the MCP protocol app could not be started")
        finally:
            self.app = None
            ready.set()

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        """Start :meth:`run` for the server's lifetime (one per lifespan: a test client's
        event loop is its own)."""
        self._ready, stop = asyncio.Event(), asyncio.Event()
        self.error = None
        task = asyncio.create_task(self.run(self._ready, stop))
        try:
            yield
        finally:
            stop.set()
            with contextlib.suppress(Exception):
                await task

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._ready is not None:
            await self._ready.wait()
        if self.app is None:
            body = b'{"detail":"the MCP protocol is not available on this server"}'
            await send(
                {
                    "type": "http.response.start",
                    "status": 503,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


def mount_mcp_protocol_deferred(
    app: Any, factory: Callable[[], CaseOpsEnvironment], sessions: int
) -> DeferredMcpApp:
    """Serve the MCP protocol at ``/mcp`` of ``app`` as
    :func:`~caseops.api.mcp.mount_mcp_protocol` does, the app built after start-up."""
    deferred = DeferredMcpApp(factory, sessions)
    outer = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: Any) -> Any:
        async with deferred.lifespan(), outer(a) as state:
            yield state

    app.router.lifespan_context = lifespan
    app.add_middleware(McpStream, mcp_app=deferred)
    return deferred
