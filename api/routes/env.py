"""OpenEnv HTTP routes: ``/reset``, ``/step``, ``/state``, backed by the event log.

openenv's own HTTP routes build a throw-away environment per request; these
replacements keep the same request and response shapes but rebuild the case from its
stream, so HTTP stepping works across requests and across server processes. ``/step``
and ``/state`` take an ``episode_id`` (returned in every observation); without one they
continue the latest episode started over HTTP by this process.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Body, Query, Response
from openenv.core.env_server.serialization import serialize_observation
from openenv.core.env_server.types import ResetResponse, StepResponse
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from caseops.domain.actions import CaseAction
from caseops.domain.errors import NoActiveEpisode
from caseops.domain.observation import CaseState

from ..deps import RunnerDep, ServiceDep
from ..errors import error_responses
from ..service import EPISODE_ID_PATTERN

router = APIRouter(tags=["Environment Control"])

EpisodeIdField = Field(None, max_length=64, description="Episode id (from an observation).")


def _not_a_boolean(value: Any) -> Any:
    """Refuse JSON ``true``/``false`` where the schema says number (pydantic's lax mode
    would take them as 1 and 0)."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    return value


NotBoolean = BeforeValidator(_not_a_boolean)


class CaseResetRequest(BaseModel):
    """Body of ``POST /reset`` (all optional)."""

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
    """Body of ``POST /step``."""

    model_config = ConfigDict(extra="forbid")

    action: CaseAction
    episode_id: str | None = EpisodeIdField
    timeout_s: Annotated[float | None, NotBoolean] = Field(None, gt=0, le=3600)
    request_id: str | None = Field(None, max_length=255)


def _observed(payload: dict[str, Any]) -> Response:
    """``serialize_observation``'s dict as a JSON response. The observation is our own,
    already validated model, so FastAPI's validation of the return value against
    ``response_model`` (which still documents the shape) is skipped: it cost about as
    much as the step's commit."""
    return Response(orjson.dumps(payload), media_type="application/json")


def _current(service: ServiceDep, episode_id: str | None) -> str:
    target = episode_id or service.last_http_episode
    if target is None:
        raise NoActiveEpisode("no episode started over HTTP here: POST /reset or pass episode_id")
    return target


@router.post(
    "/reset",
    response_model=ResetResponse,
    summary="Start an episode",
    responses=error_responses(
        400,
        404,
        409,
        413,
        503,
        s404="Unknown task or split",
        s409="An episode with this `episode_id` exists already",
    ),
)
async def reset(
    service: ServiceDep,
    runner: RunnerDep,
    request: Annotated[CaseResetRequest, Body(default_factory=CaseResetRequest)],
) -> Response:
    """Start an episode (``task_id``, or ``split`` + ``index`` or ``seed``) and return its
    observation."""
    loaded, obs = await runner(
        service.start,
        task_id=request.task_id,
        split=request.split,
        seed=request.seed,
        episode_id=request.episode_id,
        reward_mode=request.reward_mode,
        index=request.index,
    )
    service.last_http_episode = loaded.record.episode_id
    return _observed(serialize_observation(obs))


@router.post(
    "/step",
    response_model=StepResponse,
    summary="Take one action",
    responses=error_responses(
        400,
        404,
        409,
        413,
        503,
        s404="Unknown episode",
        s409="Episode over, no episode started over HTTP here, or a concurrent step won",
    ),
)
async def step(service: ServiceDep, runner: RunnerDep, request: CaseStepRequest) -> Response:
    """Apply ``action`` to the episode and return the next observation, reward and done.

    A ``request_id`` makes the step idempotent: a retry returns the original response and
    appends nothing (also after a server restart)."""
    target = _current(service, request.episode_id)
    _, obs = await runner(service.step, target, request.action, request_id=request.request_id)
    return _observed(serialize_observation(obs))


@router.get(
    "/state",
    response_model=CaseState,
    tags=["State Management"],
    responses=error_responses(
        404, 409, 503, s404="Unknown episode", s409="No episode started over HTTP here"
    ),
)
async def state(
    service: ServiceDep,
    runner: RunnerDep,
    episode_id: Annotated[str | None, Query(max_length=64)] = None,
) -> CaseState:
    """The public state of an episode (no gold)."""
    return await runner(service.state, _current(service, episode_id))
