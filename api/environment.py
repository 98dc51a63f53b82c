"""``CaseOpsEnvironment``: the OpenEnv ``Environment`` over the event-sourced service.

One instance per WebSocket session (openenv's factory pattern) or per HTTP request;
all of them share one :class:`~caseops.api.service.EpisodeService`, so state lives in
the log, not in the instance. Usable in-process too::

    env = CaseOpsEnvironment()
    obs = env.reset(task_id="damaged_mug_replacement")
    obs = env.step(CaseAction(action_type="review_ticket"))

It is also openenv's ``TaskProvider`` (``list_splits``, ``num_tasks``, ``list_tasks``,
``get_task``, ``get_task_range``; served under ``/caseops/…``): task specs are the public
description of a case (:class:`~caseops.api.views.TaskInfo` plus its ``index``),
never its gold.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from openenv.core.env_server.interfaces import Environment
from openenv.core.env_server.types import EnvironmentMetadata
from pydantic import ValidationError

from caseops import __version__
from caseops.cases.catalog import list_scenarios, task_refs
from caseops.domain.actions import CaseAction
from caseops.domain.errors import InvalidRequest, NoActiveEpisode

from .execution import StepRunner
from .schemas import CaseResetRequest
from .service import EpisodeService, build_service
from .settings import get_settings
from .views import task_info
from .wire import WireAction, WireObservation, WireState, wire_observation, wire_state

#: The splits of the Task API, in order: the six seed cases, then the generated splits
#: (:mod:`caseops.cases.generator`: disjoint by seed; two families only in ``test``).
TASK_SPLITS: tuple[tuple[str, str, str], ...] = (
    ("seed", "validation", "The six hand-written seed cases."),
    ("train", "train", "Generated cases for training (seed % 10 in 0..6)."),
    ("validation", "validation", "Generated cases for model selection (seed % 10 == 7)."),
    (
        "test",
        "test",
        "Generated held-out cases (seed % 10 in 8..9, and every seed of the two "
        "test-only families); private when the server sets CASEOPS_TEST_SALT.",
    ),
)
#: Task specs ``list_tasks`` returns at most for a generated split (``num_tasks`` gives
#: the true size; ``get_task_range`` pages through the rest).
TASK_PREVIEW = 100
#: Task specs one ``get_task_range`` call returns at most.
TASK_RANGE_MAX = 1000

if TYPE_CHECKING:
    from fastmcp import FastMCP

_default_service: EpisodeService | None = None
_default_lock = threading.Lock()


def default_service() -> EpisodeService:
    """The process-wide service on ``CASEOPS_DATABASE_URL`` (created on first use)."""
    global _default_service
    with _default_lock:
        if _default_service is None:
            _default_service = build_service(get_settings())
        return _default_service


class CaseOpsEnvironment(Environment[WireAction, WireObservation, WireState]):
    """A customer-support case as an OpenEnv environment.

    ``reset(seed=None, episode_id=None, task_id=None, split=None, reward_mode=None,
    index=None)`` starts an episode;
    ``step(action, episode_id=None)`` continues this instance's episode (or the one named);
    ``state`` is the public state of the current episode. ``reset_async`` and
    ``step_async`` (what openenv's WebSocket and web routes await) run the same
    calls through ``runner``: on the event loop itself on SQLite, on a worker thread on
    PostgreSQL (:mod:`caseops.api.execution`; default from ``CASEOPS_STEP_EXECUTOR``).

    Raises (from ``step``/``state``): ``NoActiveEpisode`` before any reset,
    ``EpisodeAlreadyEnded`` after the end, ``EpisodeNotFound`` for an unknown id,
    ``ConcurrencyError`` when another step won the race.
    """

    SUPPORTS_CONCURRENT_SESSIONS = True

    def __init__(
        self, service: EpisodeService | None = None, runner: StepRunner | None = None
    ) -> None:
        super().__init__()
        self.service = service or default_service()
        self.runner = runner or StepRunner.for_dialect(
            get_settings().step_executor, self.service.dialect
        )
        self.episode_id: str | None = None
        self._mcp: FastMCP | None = None

    @property
    def mcp_server(self) -> FastMCP:
        """This instance's MCP server (built on first use): ``start_case`` and one tool per
        action type, acting on this instance's episode (:mod:`caseops.api.mcp`). openenv
        serves it over ``POST /mcp`` and the WebSocket's ``"mcp"`` messages."""
        if self._mcp is None:
            from .mcp import build_mcp_server

            self._mcp = build_mcp_server(lambda: self)
        return self._mcp

    def reset(
        self,
        seed: int | None = None,
        episode_id: str | None = None,
        task_id: str | None = None,
        split: str | None = None,
        reward_mode: str | None = None,
        index: int | None = None,
        **kwargs: Any,
    ) -> WireObservation:
        """Start a new episode; returns its first observation. ``split`` + ``index``
        plays the ``index``-th task of the split's listing (openenv's Task API).

        Raises:
            InvalidRequest: a parameter of the wrong type or range (the WebSocket path
                does not validate them for us).
        """
        try:
            req = CaseResetRequest(
                seed=seed,
                episode_id=episode_id,
                task_id=task_id,
                split=split,
                reward_mode=reward_mode,
                index=index,
            )
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            raise InvalidRequest(f"reset: {where}: {first.get('msg')}") from None
        loaded, obs = self.service.start(**req.model_dump())
        self.episode_id = loaded.record.episode_id
        return wire_observation(obs)

    def step(
        self,
        action: CaseAction,
        timeout_s: float | None = None,
        episode_id: str | None = None,
        request_id: str | None = None,
        **kwargs: Any,
    ) -> WireObservation:
        """Apply ``action`` to the episode; returns the next observation. A repeated
        ``request_id`` returns the original observation without stepping again."""
        target = episode_id or self.episode_id
        if target is None:
            raise NoActiveEpisode("no episode: call reset first (or pass episode_id)")
        _, obs = self.service.step(target, action, request_id=request_id)
        self.episode_id = target
        return wire_observation(obs)

    async def reset_async(self, *args: Any, **kwargs: Any) -> WireObservation:
        """:meth:`reset` (same arguments) through the runner (inline or on a worker
        thread)."""
        return await self.runner(self.reset, *args, **kwargs)

    async def step_async(self, *args: Any, **kwargs: Any) -> WireObservation:
        """:meth:`step` (same arguments) through the runner (inline or on a worker
        thread)."""
        return await self.runner(self.step, *args, **kwargs)

    @property
    def state(self) -> WireState:
        """The public state of the current episode (an empty state before any reset)."""
        if self.episode_id is None:
            return WireState()
        return wire_state(self.service.state(self.episode_id))

    # -- openenv TaskProvider (metadata only: no gold, no side effects) -----------------
    def list_splits(self) -> list[dict[str, Any]]:
        """The task splits: ``[{"name", "type", "description", "num_tasks"}]`` (``type``
        is openenv's train/validation/test role)."""
        return [
            {"name": name, "type": kind, "description": text, "num_tasks": len(task_refs(name))}
            for name, kind, text in TASK_SPLITS
        ]

    def num_tasks(self, split: str) -> int:
        """The number of tasks in ``split``.

        Raises:
            UnknownTask: an unknown split (HTTP 404).
        """
        return len(task_refs(split))

    def list_tasks(self, split: str) -> list[dict[str, Any]]:
        """The task specs of ``split`` in catalog order: all six seed cases, or the first
        :data:`TASK_PREVIEW` of a generated split (``get_task_range`` reads further).

        Raises:
            UnknownTask: an unknown split (HTTP 404).
        """
        return self.get_task_range(split, 0, TASK_PREVIEW)

    def get_task(self, split: str, index: int) -> dict[str, Any]:
        """The ``index``-th task spec of ``split`` (what ``reset(split=, index=)`` plays).

        Raises:
            UnknownTask: an unknown split (HTTP 404).
            IndexError: ``index`` outside ``0 .. num_tasks(split) - 1`` (HTTP 400).
        """
        refs = task_refs(split)
        if isinstance(index, bool) or not 0 <= index < len(refs):
            raise IndexError(f"split {split!r} has tasks 0..{len(refs) - 1}, not {index!r}")
        return self._specs(split, index, index + 1)[0]

    def get_task_range(
        self, split: str, start: int | None = None, stop: int | None = None
    ) -> list[dict[str, Any]]:
        """Task specs ``[start, stop)`` of ``split`` (slice semantics, negative bounds
        count from the end), at most :data:`TASK_RANGE_MAX` of them.

        Raises:
            UnknownTask: an unknown split (HTTP 404).
        """
        first, last, _ = slice(start, stop).indices(len(task_refs(split)))
        return self._specs(split, first, min(last, first + TASK_RANGE_MAX))

    def _specs(self, split: str, start: int, stop: int) -> list[dict[str, Any]]:
        if stop <= start:
            return []
        page = list_scenarios(split, start, stop - start, self.service.test_salt)
        return [{"index": start + k, **task_info(s).model_dump()} for k, s in enumerate(page)]

    def get_metadata(self) -> EnvironmentMetadata:
        """Name, description and version for ``/metadata``."""
        return EnvironmentMetadata(
            name="caseops",
            description=(
                "Event-sourced customer-support operations: triage, gather evidence, "
                "request information, escalate or resolve, on a replayable log."
            ),
            version=__version__,
            author="CaseOps",
        )
