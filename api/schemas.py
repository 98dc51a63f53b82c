"""The API's request and response models, in one place: the bodies of ``/reset``,
``/step`` and the Task API, and what the episode, audit and task routes answer.

Every request model refuses unknown fields and JSON booleans where a number is due, so a
malformed request is a 422 naming the field.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from caseops.domain.scenario import Scenario

from .scenario_choice import EPISODE_ID_PATTERN
from .wire import WireAction

#: The splits of the Task API (``/caseops/…``), as openenv's routes document them.
SPLITS_TEXT = "`seed` (the six seed cases), `train`, `validation` or `test` (generated cases)."


def _not_a_boolean(value: Any) -> Any:
    """Refuse JSON ``true``/``false`` where the schema says number (pydantic's lax mode
    would take them as 1 and 0)."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    return value


NotBoolean = BeforeValidator(_not_a_boolean)

# -- requests ------------------------------------------------------------------------


class CaseResetRequest(BaseModel):
    """Body of ``POST /reset`` (all optional); also checks a WebSocket ``reset``."""

    model_config = ConfigDict(extra="forbid")

    # At most 2**53 - 1 (I-JSON's interoperable integers): FastAPI writes bounds into the
    # OpenAPI document as floats, and a bound near 2**63 is not one (2**63 - 1 was documented
    # as 2**63, so a seed the document allowed was refused).
    seed: Annotated[int | None, NotBoolean] = Field(
        None, ge=0, le=2**53 - 1, description="Picks a task reproducibly."
    )
    episode_id: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        pattern=EPISODE_ID_PATTERN,
        description="Custom episode id: 1-64 letters, digits and `_ . : -`, "
        "starting with a letter or digit.",
    )
    task_id: str | None = Field(None, max_length=128, description="Task to play.")
    split: str | None = Field(None, max_length=32, description="Split to draw from.")
    index: Annotated[int | None, NotBoolean] = Field(
        None,
        ge=0,
        le=2**53 - 1,
        description="With `split`: play the index-th task of the split's listing "
        "(`/caseops/task`); 404 past its end.",
    )
    reward_mode: Literal["dense", "terminal"] | None = Field(
        None,
        description="`dense` (shaped rewards, for training; the default) or `terminal` "
        "(0 until the end, then the final score; for evaluation). A server started with "
        "CASEOPS_REWARD_MODE fixes it.",
    )


class CaseStepRequest(BaseModel):
    """Body of ``POST /step``: the action and the episode it applies to."""

    model_config = ConfigDict(extra="forbid")

    action: WireAction
    episode_id: str = Field(
        max_length=64, description="Episode id (from the observation of `/reset`)."
    )
    timeout_s: Annotated[float | None, NotBoolean] = Field(None, gt=0, le=3600)
    request_id: str | None = Field(None, max_length=255)


class SplitRequest(BaseModel):
    """Body of the Task API's ``/tasks`` and ``/num_tasks``."""

    model_config = ConfigDict(extra="forbid")

    split: str = Field(max_length=32, description=SPLITS_TEXT, examples=["validation"])


class TaskRequest(SplitRequest):
    """Body of the Task API's ``/task``."""

    index: Annotated[int, NotBoolean] = Field(
        ge=0, le=2**53 - 1, description="Position in the split's listing."
    )


class TaskRangeRequest(SplitRequest):
    """Body of ``/task_range``: Python slice bounds (negative ones count from the end)."""

    start: Annotated[int | None, NotBoolean] = Field(None, ge=-(2**53 - 1), le=2**53 - 1)
    stop: Annotated[int | None, NotBoolean] = Field(None, ge=-(2**53 - 1), le=2**53 - 1)


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
    """The public description of a scenario."""
    return TaskInfo(
        task_id=s.task_id,
        family=s.family,
        split=s.split,
        difficulty=s.difficulty,
        title=s.title,
        objective=s.objective,
        step_budget=s.step_budget,
    )


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
