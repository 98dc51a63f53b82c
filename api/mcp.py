"""CaseOps as MCP tools (Model Context Protocol), through FastMCP.

Eleven tools: ``start_case`` (open a case: a task id, or a split and an index or seed, and
the reward mode) and one per action type (:class:`~caseops.api.tools.CaseTools`). Each
result is ``{"observation", "reward", "done"}``; no result carries a case's gold.

Two ways in, one set of tools:

* openenv's own ``POST /mcp`` JSON-RPC (``tools/list``, ``tools/call``; a session from
  ``openenv/session/create``, its ``session_id`` in the params) and ``"mcp"`` messages on
  the ``/ws`` WebSocket: each environment instance has its :attr:`mcp_server
  <caseops.api.environment.CaseOpsEnvironment.mcp_server>`, whose tools act on that
  instance's episode.
* The MCP protocol itself (streamable HTTP, what the ``mcp`` SDK's and FastMCP's clients
  speak) at the same ``/mcp``: a request that accepts ``text/event-stream`` (MCP clients
  must send that) or ends an MCP session goes to one process-wide FastMCP server whose
  tools act on one environment per MCP session (:class:`McpSessions`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Literal

from caseops.domain.actions import CaseAction

from .tools import TOOL_NAMES, CaseTools, tool_result

if TYPE_CHECKING:
    from fastmcp import FastMCP
    from starlette.types import ASGIApp, Receive, Scope, Send

    from .environment import CaseOpsEnvironment

SplitName = Literal["seed", "train", "validation", "test"]
RewardModeName = Literal["dense", "terminal"]

INSTRUCTIONS = (
    "You work customer-support cases. Call start_case to open one, then work it with the "
    "other tools: review the ticket, inspect the records and search the policies that "
    "matter, classify it, request information or escalate only when the case needs it, "
    "draft the customer reply and an internal note, and finish with resolve (or submit). "
    "Every result has the observation, the step's reward and whether the case is done."
)


class _BoundTools(CaseTools):
    """Tools acting on whatever environment ``env_of`` returns at call time."""

    def __init__(self, env_of: Callable[[], CaseOpsEnvironment]) -> None:
        self._env_of = env_of

    def _act(self, action: CaseAction) -> dict[str, Any]:
        return tool_result(self._env_of().step(action))

    def start_case(
        self,
        task_id: str | None = None,
        split: SplitName | None = None,
        index: int | None = None,
        seed: int | None = None,
        reward_mode: RewardModeName | None = None,
    ) -> dict[str, Any]:
        """Open a new support case (ending nothing: an earlier case stays as it is).
        Give a task id, or a split with an index (the index-th task of the split's
        listing) or a seed; with nothing, one of the six seed cases.

        Args:
            task_id: A task id, such as "damaged_mug_replacement" or "wrong_item/17".
            split: "seed", "train", "validation" or "test".
            index: Position of the task in the split's listing (0-based).
            seed: Picks a task of the split reproducibly.
            reward_mode: "dense" (a shaped reward every step) or "terminal" (0 until
                the end, then the final score).

        Returns:
            The tool result: the case's first observation, reward (none yet), done (false).
        """
        obs = self._env_of().reset(
            task_id=task_id, split=split, index=index, seed=seed, reward_mode=reward_mode
        )
        return tool_result(obs)


def build_mcp_server(env_of: Callable[[], CaseOpsEnvironment]) -> FastMCP:
    """A FastMCP server named ``caseops`` with the eleven tools, acting on ``env_of()``."""
    from fastmcp import FastMCP

    tools = _BoundTools(env_of)
    server = FastMCP("caseops", instructions=INSTRUCTIONS)
    server.tool(tools.start_case)
    for name in TOOL_NAMES:
        server.tool(getattr(tools, name))
    return server


class McpSessions:
    """One :class:`CaseOpsEnvironment` per MCP session (the ``Mcp-Session-Id`` of the
    streamable HTTP transport), the ``max_sessions`` most recently used kept.

    Args:
        factory: makes the environment of a new session.
        max_sessions: sessions kept; the least recently used one is forgotten (its
            episode stays in the log).
    """

    def __init__(self, factory: Callable[[], CaseOpsEnvironment], max_sessions: int) -> None:
        self.factory = factory
        self.max_sessions = max(1, max_sessions)
        self._envs: OrderedDict[str, CaseOpsEnvironment] = OrderedDict()
        self._lock = threading.Lock()

    def current(self) -> CaseOpsEnvironment:
        """The environment of the MCP session of the tool call being served.

        Raises:
            RuntimeError: outside a tool call of the MCP server.
        """
        from fastmcp.server.dependencies import get_context

        key = get_context().session_id
        with self._lock:
            env = self._envs.get(key)
            if env is None:
                env = self._envs[key] = self.factory()
                while len(self._envs) > self.max_sessions:
                    self._envs.popitem(last=False)
            self._envs.move_to_end(key)
            return env


class McpStream:
    """ASGI middleware: the MCP protocol's requests to ``/mcp`` (a ``POST`` or ``GET``
    accepting ``text/event-stream``, as the streamable HTTP transport requires of its
    clients, or a ``DELETE`` of an MCP session) go to ``mcp_app`` (FastMCP's streamable
    HTTP app); everything else, openenv's JSON-RPC ``POST /mcp`` included, to ``app``."""

    def __init__(self, app: ASGIApp, mcp_app: ASGIApp) -> None:
        self.app = app
        self.mcp_app = mcp_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path", "").rstrip("/") == "/mcp":
            accept = b""
            session = False
            for name, value in scope.get("headers", []):
                if name == b"accept":
                    accept += value
                elif name == b"mcp-session-id":
                    session = True
            if b"text/event-stream" in accept or (scope.get("method") == "DELETE" and session):
                await self.mcp_app(scope, receive, send)
                return
        await self.app(scope, receive, send)


def mount_mcp_protocol(app: Any, factory: Callable[[], CaseOpsEnvironment], sessions: int) -> Any:
    """Serve the MCP protocol at ``/mcp`` of ``app`` (a FastAPI app): the process-wide
    FastMCP server on :class:`McpSessions`, its session manager run in ``app``'s
    lifespan. Returns the FastMCP server."""
    server = build_mcp_server(McpSessions(factory, sessions).current)
    mcp_app = server.http_app(path="/mcp")
    outer = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: Any) -> Any:
        async with mcp_app.lifespan(mcp_app), outer(a) as state:
            yield state

    app.router.lifespan_context = lifespan
    app.add_middleware(McpStream, mcp_app=mcp_app)
    return server
