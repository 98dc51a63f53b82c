"""The API's request models, in one place: the bodies of ``/reset``, ``/step`` and the
Task API (what the routes answer is in :mod:`caseops.api.views`).

Every request model refuses unknown fields and JSON booleans where a number is due, so a
malformed request is a 422 naming the field.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

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
