"""``CaseOpsEnvironment``: the OpenEnv ``Environment`` over the event-sourced service.

One instance per WebSocket session (openenv-core's factory pattern) or per HTTP request;
all of them share one :class:`~caseops.api.service.EpisodeService`, so state lives in
the log, not in the instance. Usable in-process too::

    env = CaseOpsEnvironment()
    obs = env.reset(task_id="damaged-mug-replacement")
    obs = env.step(CaseAction(action_type="review_ticket"))
"""

from __future__ import annotations

import threading
from typing import Any

from openenv.core.env_server.interfaces import Environment
from openenv.core.env_server.types import EnvironmentMetadata

from caseops import __version__
from caseops.api.model_judge import from_settings as judge_from_settings
from caseops.domain.actions import CaseAction
from caseops.domain.errors import InvalidRequest, NoActiveEpisode
from caseops.domain.observation import CaseObservation, CaseState

from .execution import StepRunner
from .service import EpisodeService
from .settings import get_settings

_default_service: EpisodeService | None = None
_default_lock = threading.Lock()


def default_service() -> EpisodeService:
    """The process-wide service on ``CASEOPS_DATABASE_URL`` (created on first use)."""
    global _default_service
    with _default_lock:
        if _default_service is None:
            from caseops.eventstore import EventStore

            s = get_settings()
            store = EventStore(s.database_url, lock_timeout_ms=s.lock_timeout_ms)
            _default_service = EpisodeService(
                store, cache_size=s.cache_episodes, judge=judge_from_settings(s)
            )
        return _default_service


class CaseOpsEnvironment(Environment[CaseAction, CaseObservation, CaseState]):
    """A customer-support case as an OpenEnv environment.

    ``reset(seed=None, episode_id=None, task_id=None, split=None)`` starts an episode;
    ``step(action, episode_id=None)`` continues this instance's episode (or the one named);
    ``state`` is the public state of the current episode. ``reset_async`` and
    ``step_async`` (what openenv-core's WebSocket and web routes await) run the same
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
        self.runner = runner or StepRunner.for_store(
            get_settings().step_executor, self.service.store
        )
        self.episode_id: str | None = None

    def reset(
        self,
        seed: int | None = None,
        episode_id: str | None = None,
        task_id: str | None = None,
        split: str | None = None,
        **kwargs: Any,
    ) -> CaseObservation:
        """Start a new episode; returns its first observation.

        Raises:
            InvalidRequest: a parameter of the wrong type or range (the WebSocket path
                does not validate them for us).
        """
        from pydantic import ValidationError

        from .routes.env import CaseResetRequest

        try:
            req = CaseResetRequest(seed=seed, episode_id=episode_id, task_id=task_id, split=split)
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            raise InvalidRequest(f"reset: {where}: {first.get('msg')}") from None
        loaded, obs = self.service.start(
            task_id=req.task_id, split=req.split, seed=req.seed, episode_id=req.episode_id
        )
        self.episode_id = loaded.record.episode_id
        return obs

    def step(
        self,
        action: CaseAction,
        timeout_s: float | None = None,
        episode_id: str | None = None,
        request_id: str | None = None,
        **kwargs: Any,
    ) -> CaseObservation:
        """Apply ``action`` to the episode; returns the next observation. A repeated
        ``request_id`` returns the original observation without stepping again."""
        target = episode_id or self.episode_id
        if target is None:
            raise NoActiveEpisode("no episode: call reset first (or pass episode_id)")
        _, obs = self.service.step(target, action, request_id=request_id)
        self.episode_id = target
        return obs

    async def reset_async(
        self,
        seed: int | None = None,
        episode_id: str | None = None,
        task_id: str | None = None,
        split: str | None = None,
        **kwargs: Any,
    ) -> CaseObservation:
        """:meth:`reset` through the runner (inline or on a worker thread)."""
        return await self.runner(
            self.reset, seed=seed, episode_id=episode_id, task_id=task_id, split=split
        )

    async def step_async(
        self,
        action: CaseAction,
        timeout_s: float | None = None,
        episode_id: str | None = None,
        request_id: str | None = None,
        **kwargs: Any,
    ) -> CaseObservation:
        """:meth:`step` through the runner (inline or on a worker thread)."""
        return await self.runner(self.step, action, episode_id=episode_id, request_id=request_id)

    @property
    def state(self) -> CaseState:
        """The public state of the current episode (an empty state before any reset)."""
        if self.episode_id is None:
            return CaseState()
        return self.service.state(self.episode_id)

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
