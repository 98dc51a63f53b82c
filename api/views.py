"""What the read side of the API answers: tasks, episode summaries and pages, stored
events, recorded rejections. Plain pydantic models (no openenv), shared by the routes,
the CLI and the episode service's queries (:mod:`caseops.api.queries`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from caseops.domain.scenario import Scenario

# -- tasks ---------------------------------------------------------------------------


class TaskInfo(BaseModel):
    """A task as listed: id, family, split, difficulty, title, objective, step budget."""

    task_id: str
    family: str
    split: str
    difficulty: str
    title: str
    objective: str
    step_budget: int


class TaskPage(BaseModel):
    """One page of tasks."""

    total: int
    limit: int
    offset: int
    items: list[TaskInfo]


def task_info(s: Scenario) -> TaskInfo:
    """The public description of a scenario: its attributes named as :class:`TaskInfo`'s
    fields."""
    return TaskInfo.model_validate(s, from_attributes=True)


# -- episodes and the audit ----------------------------------------------------------


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


class Rejection(BaseModel):
    """One recorded ``TransitionRejected``."""

    position: int
    episode_id: str
    step: int
    action: dict[str, Any]
    from_state: str
    reason: str
    legal_actions: list[str]
    recorded_at: str


class RejectionPage(BaseModel):
    """Rejections after ``after`` (a global position); pass ``next_after`` to page on."""

    items: list[Rejection]
    next_after: int | None
