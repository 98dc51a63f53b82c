"""OpenEnv HTTP routes: ``/reset``, ``/step``, ``/state``, backed by the event log.

openenv-core's own HTTP routes build a throw-away environment per request; these
replacements keep the same request and response shapes but rebuild the case from its
stream, so HTTP stepping works across requests and across server processes. ``/step``
and ``/state`` take an ``episode_id`` (returned in every observation); without one they
continue the latest episode started over HTTP by this process.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query
from openenv.core.env_server.serialization import serialize_observation
from openenv.core.env_server.types import ResetResponse, StepResponse
from pydantic import BaseModel, ConfigDict, Field

from caseops.domain.actions import CaseAction
from caseops.domain.errors import NoActiveEpisode
from caseops.domain.observation import CaseState

from ..deps import ServiceDep

router = APIRouter(tags=["Environment Control"])

EpisodeIdField = Field(None, max_length=64, description="Episode id (from an observation).")


class CaseResetRequest(BaseModel):
    """Body of ``POST /reset`` (all optional)."""

    model_config = ConfigDict(extra="forbid")

    seed: int | None = Field(None, ge=0, le=2**63 - 1, description="Picks a task reproducibly.")
    episode_id: str | None = Field(None, max_length=64, description="Custom episode id.")
    task_id: str | None = Field(None, max_length=128, description="Task to play.")
    split: str | None = Field(None, max_length=32, description="Split to draw from.")


class CaseStepRequest(BaseModel):
    """Body of ``POST /step``."""

    model_config = ConfigDict(extra="forbid")

    action: CaseAction
    episode_id: str | None = EpisodeIdField
    timeout_s: float | None = Field(None, gt=0, le=3600)
    request_id: str | None = Field(None, max_length=255)


def _current(service: ServiceDep, episode_id: str | None) -> str:
    target = episode_id or service.last_http_episode
    if target is None:
        raise NoActiveEpisode("no episode started over HTTP here: POST /reset or pass episode_id")
    return target


@router.post("/reset", response_model=ResetResponse, summary="Start an episode")
def reset(
    service: ServiceDep,
    request: Annotated[CaseResetRequest, Body(default_factory=CaseResetRequest)],
) -> ResetResponse:
    """Start an episode (``task_id``, or ``split`` + ``seed``) and return its observation."""
    loaded, obs = service.start(
        task_id=request.task_id,
        split=request.split,
        seed=request.seed,
        episode_id=request.episode_id,
    )
    service.last_http_episode = loaded.record.episode_id
    return ResetResponse(**serialize_observation(obs))


@router.post(
    "/step",
    response_model=StepResponse,
    summary="Take one action",
    responses={404: {"description": "Unknown episode"}, 409: {"description": "Episode over"}},
)
def step(service: ServiceDep, request: CaseStepRequest) -> StepResponse:
    """Apply ``action`` to the episode and return the next observation, reward and done.

    A ``request_id`` makes the step idempotent: a retry returns the original response and
    appends nothing (also after a server restart)."""
    target = _current(service, request.episode_id)
    _, obs = service.step(target, request.action, request_id=request.request_id)
    return StepResponse(**serialize_observation(obs))


@router.get("/state", response_model=CaseState, tags=["State Management"])
def state(
    service: ServiceDep,
    episode_id: Annotated[str | None, Query(max_length=64)] = None,
) -> CaseState:
    """The public state of an episode (no gold)."""
    return service.state(_current(service, episode_id))
