"""The FastAPI application: openenv's app (``/ws``, ``/health``, ``/metadata``,
``/schema``, ``/mcp``, ``/list_environments``) with its ``/reset``, ``/step``, ``/state``
and Task API (``/caseops/splits``, ``/tasks``, ``/num_tasks``, ``/task``, ``/task_range``)
answered by CaseOps' own routes, plus the CaseOps routes, the MCP protocol at ``/mcp``
(:mod:`caseops.api.mcp`), and the CaseOps playground at ``/web`` when
``ENABLE_WEB_INTERFACE=true`` (:mod:`caseops.api.playground`, in place of openenv's Gradio
page, which is never loaded).
"""

from __future__ import annotations

import gc
import logging
import os
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from openenv.core.env_server.http_server import create_fastapi_app
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from caseops import __version__

from .environment import CaseOpsEnvironment
from .errors import install_error_handlers
from .execution import StepRunner
from .mcp_deferred import mount_mcp_protocol_deferred
from .routes import audit, env, episodes, machine, task_api, tasks
from .service import EpisodeService, build_service
from .settings import Settings, get_settings
from .wire import WireAction, WireObservation
from .ws_close import QuietWebSocketClose

log = logging.getLogger("caseops")

#: openenv's routes that CaseOps answers itself: the log-backed ``/reset``, ``/step``,
#: ``/state`` (:mod:`.routes.env`) and the Task API (:mod:`.routes.task_api`).
_REPLACED = {
    "/reset",
    "/step",
    "/state",
    "/{env_name}/splits",
    "/{env_name}/tasks",
    "/{env_name}/num_tasks",
    "/{env_name}/task",
    "/{env_name}/task_range",
}


class BodyLimit:
    """ASGI middleware: a request body over ``max_bytes`` is answered 413, whether its size
    is declared (``Content-Length``) or not (chunked: the body is read up to the limit)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _too_large(self, send: Send) -> None:
        body = b'{"detail":"request body exceeds ' + str(self.max_bytes).encode() + b' bytes"}'
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = None
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = self.max_bytes + 1
        if declared is not None:
            if declared > self.max_bytes:
                await self._too_large(send)
                return
            await self.app(scope, receive, send)
            return
        # No declared length: buffer the (chunked) body up to the limit, then replay it.
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def create_caseops_app(
    settings: Settings | None = None, service: EpisodeService | None = None
) -> FastAPI:
    """Build the CaseOps ASGI app.

    Args:
        settings: defaults to :func:`get_settings` (``CASEOPS_*`` environment).
        service: defaults to a service on ``settings.database_url``.
    """
    settings = settings or get_settings()
    if service is None:
        service = build_service(settings)
    service.sealed = service.sealed or bool(settings.admin_token)
    bound = service
    runner = StepRunner.for_dialect(settings.step_executor, service.dialect)

    def factory() -> CaseOpsEnvironment:
        # A plain function (not a partial): openenv's web manager only calls those.
        return CaseOpsEnvironment(service=bound, runner=runner)

    # openenv's app without its Gradio playground (create_app would add it under
    # ENABLE_WEB_INTERFACE); CaseOps serves its own at /web (see web_enabled)
    app = create_fastapi_app(
        factory,
        WireAction,
        WireObservation,
        max_concurrent_envs=settings.max_sessions,
        env_name="caseops",
    )
    app.router.routes = [
        r for r in app.router.routes if not (isinstance(r, APIRoute) and r.path in _REPLACED)
    ]
    app.title = "CaseOps"
    app.version = __version__
    app.description = (
        "Event-sourced customer-support cases for agents (OpenEnv). "
        "Every step is an event; any episode can be replayed and re-graded."
    )
    app.state.service = service
    app.state.settings = settings
    app.state.runner = runner
    for r in (
        env.router,
        tasks.router,
        episodes.router,
        audit.router,
        machine.router,
        task_api.router,
    ):
        app.include_router(r)
    if web_enabled():
        from . import playground

        playground.install(app)
    install_error_handlers(app)
    # The MCP protocol itself (streamable HTTP) at /mcp, beside openenv's JSON-RPC there
    # (built once the server has started: see caseops.api.mcp_deferred).
    mount_mcp_protocol_deferred(app, factory, settings.max_sessions)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(QuietWebSocketClose)
    app.openapi_schema = None
    log.info("CaseOps %s on %s", __version__, _redact(settings.database_url))
    if not settings.admin_token:
        log.warning(
            "CASEOPS_ADMIN_TOKEN is not set: /episodes and /audit/* are open to anyone "
            "who can reach this server"
        )
    return app


def web_enabled() -> bool:
    """Whether to serve the playground at ``/web``: ``ENABLE_WEB_INTERFACE`` is ``true``,
    ``1`` or ``yes`` (openenv's switch for its own playground; ``caseops serve --web``
    sets it)."""
    return os.environ.get("ENABLE_WEB_INTERFACE", "false").lower() in ("true", "1", "yes")


def prepare_process(settings: Settings | None = None) -> bool:
    """Ready this process to serve, once everything is imported and the app is built:
    with ``CASEOPS_GC_FREEZE`` (default on), collect the garbage there is and freeze
    what is left (:func:`gc.freeze`; Python documentation, ``gc``), so that the cyclic
    collector's full collections no longer walk the frameworks' import-time objects.

    Frozen objects are still freed by reference counting; only cycles among them would
    be kept, and what exists at start-up lives as long as the process anyway. It
    shortens the collector's pauses under load (bench/README.md). :func:`run_server`
    calls it before serving.

    Returns:
        Whether it froze the heap.
    """
    settings = settings or get_settings()
    if not settings.gc_freeze:
        return False
    gc.collect()
    gc.freeze()
    return True


def run_server(app: ASGIApp, *, host: str, port: int, **uvicorn_kwargs: Any) -> None:
    """Serve ``app`` with uvicorn on ``host``:``port`` (blocks until stopped), after
    :func:`prepare_process`, with :func:`server_options` plus ``uvicorn_kwargs``. The one
    way every CaseOps server starts: ``caseops serve``, the OpenEnv ``server`` script and
    the benchmark's servers, its echo floors included, so they all run alike."""
    import uvicorn

    prepare_process()
    uvicorn.run(app, host=host, port=port, **server_options(), **uvicorn_kwargs)


def server_options(settings: Settings | None = None) -> dict[str, Any]:
    """The uvicorn options every CaseOps server runs with (``caseops serve``, the
    OpenEnv ``server`` entry point, and both servers of the benchmark): WebSocket
    messages up to 1 MiB, and per-message deflate as ``CASEOPS_WS_PER_MESSAGE_DEFLATE``
    says (off by default; see :class:`~caseops.api.settings.Settings`)."""
    settings = settings or get_settings()
    return {
        "ws_max_size": 1_048_576,
        "ws_per_message_deflate": settings.ws_per_message_deflate,
    }


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
