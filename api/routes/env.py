"""OpenEnv HTTP routes: ``/reset``, ``/step``, ``/state``, backed by the event log.

openenv's own HTTP routes build a throw-away environment per request; these
replacements keep the same request and response shapes but rebuild the case from its
stream, so HTTP stepping works across requests and across server processes. ``/step``
and ``/state`` name their episode (``episode_id``, returned in every observation): plain
HTTP keeps no session. They call the same service methods as the WebSocket's
environment (:class:`~caseops.api.environment.CaseOpsEnvironment`) and answer with the
same serialized observation.
"""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Body, Query, Response
from openenv.core.env_server.serialization import serialize_observation
from openenv.core.env_server.types import ResetResponse, StepResponse

from caseops.domain.observation import CaseObservation, CaseState

from ..deps import RunnerDep, ServiceDep
from ..errors import error_responses
from ..schemas import CaseResetRequest, CaseStepRequest
from ..wire import wire_observation

router = APIRouter(tags=["Environment Control"])

#: The error statuses of ``/reset`` and ``/step``: a bad request, an unknown task or
#: episode, a conflict, a body too large, the store unavailable.
_COMMAND_STATUSES = (400, 404, 409, 413, 503)


def _observed(obs: CaseObservation) -> Response:
    """openenv's serialized observation as a JSON response, without FastAPI validating
    our own, already typed model against ``response_model`` again (which still
    documents the shape; bench/README.md)."""
    payload = serialize_observation(wire_observation(obs))
    return Response(orjson.dumps(payload), media_type="application/json")


@router.post(
    "/reset",
    response_model=ResetResponse,
    summary="Start an episode",
    responses=error_responses(
        *_COMMAND_STATUSES,
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
    _, obs = await runner(service.start, **request.model_dump())
    return _observed(obs)


@router.post(
    "/step",
    response_model=StepResponse,
    summary="Take one action",
    responses=error_responses(
        *_COMMAND_STATUSES,
        s404="Unknown episode",
        s409="Episode over, or a concurrent step won",
    ),
)
async def step(service: ServiceDep, runner: RunnerDep, request: CaseStepRequest) -> Response:
    """Apply ``action`` to the episode ``episode_id`` and return the next observation,
    reward and done.

    A ``request_id`` makes the step idempotent: a retry returns the original response and
    appends nothing (also after a server restart)."""
    _, obs = await runner(
        service.step, request.episode_id, request.action, request_id=request.request_id
    )
    return _observed(obs)


@router.get(
    "/state",
    response_model=CaseState,
    tags=["State Management"],
    responses=error_responses(404, 503, s404="Unknown episode"),
)
async def state(
    service: ServiceDep,
    runner: RunnerDep,
    episode_id: Annotated[str, Query(max_length=64, description="Episode id.")],
) -> CaseState:
    """The public state of an episode (no gold)."""
    return await runner(service.state, episode_id)
