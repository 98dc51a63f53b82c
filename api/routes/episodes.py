"""Episode routes: list, one, its events, and its replay (re-grade from the log).

On a sealed server (``CASEOPS_ADMIN_TOKEN`` set) every route here needs the token: an
episode's log holds its case's answers. On an open server (local development) they are
open, with the scenario snapshot hidden while the episode runs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from caseops.domain.errors import EpisodeNotFound, EpisodeStillRunning
from caseops.eventstore import RecordedEvent, StreamNotFound
from caseops.statemachine.replay import ReplayReport

from ..deps import AdminDep, Limit, Offset, ServiceDep
from ..errors import error_responses

router = APIRouter(tags=["Episodes"])

HIDDEN = "hidden until the episode has ended"


class EpisodeSummary(BaseModel):
    """An episode as listed: its stream version, timestamps and progress.

    ``score`` (in [0, 1]) and ``total_reward`` are JSON numbers, as in ``GET /state`` and
    the observations (the store keeps them as exact 12-decimal strings; the grade report
    of ``/replay`` gives that exact form as ``score_exact``)."""

    episode_id: str
    version: int
    created_at: str
    updated_at: str
    task_id: str | None = None
    split: str | None = None
    reward_mode: str | None = None
    status: str | None = None
    done: bool = False
    end_reason: str | None = None
    steps: int = 0
    score: float | None = None
    total_reward: float | None = None
    rejected_actions: int = 0


class EpisodePage(BaseModel):
    """One page of episodes, newest first."""

    total: int
    limit: int
    offset: int
    items: list[EpisodeSummary]


class StoredEvent(BaseModel):
    """A stored event as served: envelope and payload."""

    position: int
    version: int
    event_id: str
    type: str
    schema_version: int
    recorded_at: str
    hash: str
    prev_hash: str
    payload: dict[str, Any]


class EventList(BaseModel):
    """The events of one episode. ``redacted`` is true while the episode runs (the
    scenario snapshot, which holds the gold, is hidden until the end)."""

    episode_id: str
    done: bool
    redacted: bool
    events: list[StoredEvent]


def _summary(
    sid: str, version: int, created: str, updated: str, meta: dict[str, Any]
) -> EpisodeSummary:
    keys = EpisodeSummary.model_fields
    shown = {k: v for k, v in meta.items() if k in keys}
    if meta.get("reward_mode") == "terminal" and not meta.get("done"):
        # no running score in the terminal reward mode (it is for evaluation)
        shown["score"] = shown["total_reward"] = None
    return EpisodeSummary(
        episode_id=sid, version=version, created_at=created, updated_at=updated, **shown
    )


@router.get(
    "/episodes",
    response_model=EpisodePage,
    dependencies=[AdminDep],
    responses=error_responses(401, 503),
)
def list_episodes(service: ServiceDep, limit: Limit = 50, offset: Offset = 0) -> EpisodePage:
    """Episodes in the store, newest first, paged."""
    total, rows = service.store.list_streams(limit=limit, offset=offset)
    return EpisodePage(
        total=total,
        limit=limit,
        offset=offset,
        items=[_summary(r.stream_id, r.version, r.created_at, r.updated_at, r.meta) for r in rows],
    )


@router.get(
    "/episodes/{episode_id}",
    response_model=EpisodeSummary,
    dependencies=[AdminDep],
    responses=error_responses(401, 404, 503, s404="Unknown episode"),
)
def get_episode(service: ServiceDep, episode_id: str) -> EpisodeSummary:
    """One episode's summary. 404 when unknown."""
    try:
        r = service.store.summary(episode_id)
    except StreamNotFound:
        raise EpisodeNotFound(f"no episode {episode_id!r}") from None
    return _summary(r.stream_id, r.version, r.created_at, r.updated_at, r.meta)


def _served(r: RecordedEvent, redact: bool) -> StoredEvent:
    payload = r.payload
    if redact and r.type == "EpisodeStarted":
        payload = {k: v for k, v in payload.items() if k != "scenario"}
        payload["scenario"] = HIDDEN
    return StoredEvent(
        position=r.position,
        version=r.version,
        event_id=r.event_id,
        type=r.type,
        schema_version=r.schema_version,
        recorded_at=r.recorded_at,
        hash=r.hash,
        prev_hash=r.prev_hash,
        payload=payload,
    )


@router.get(
    "/episodes/{episode_id}/events",
    response_model=EventList,
    dependencies=[AdminDep],
    responses=error_responses(401, 404, 503, s404="Unknown episode"),
)
def episode_events(service: ServiceDep, episode_id: str) -> EventList:
    """The episode's events in stream order (the scenario snapshot hidden until the end)."""
    try:
        records = service.store.read(episode_id)
    except StreamNotFound:
        raise EpisodeNotFound(f"no episode {episode_id!r}") from None
    done = any(r.type == "EpisodeEnded" for r in records)
    return EventList(
        episode_id=episode_id,
        done=done,
        redacted=not done,
        events=[_served(r, not done) for r in records],
    )


@router.get(
    "/episodes/{episode_id}/replay",
    response_model=ReplayReport,
    dependencies=[AdminDep],
    responses=error_responses(
        401, 404, 409, 503, s404="Unknown episode", s409="Episode still running"
    ),
)
def episode_replay(service: ServiceDep, episode_id: str) -> ReplayReport:
    """Replay the episode from its log: the grade recomputed, and whether every event,
    reward and score equals what was recorded. Available once the episode has ended
    (409 before: the per-component grade would reveal the gold)."""
    summary = get_episode(service, episode_id)
    if not summary.done:
        raise EpisodeStillRunning(
            f"episode {episode_id} is still running; its replay is available once it ends"
        )
    return service.replay(episode_id)
