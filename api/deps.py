"""Typed FastAPI dependencies (``Annotated`` aliases)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Query, Request

from caseops.domain.errors import Unauthorized

from .execution import StepRunner
from .service import EpisodeService


async def get_service(request: Request) -> EpisodeService:
    """The app's :class:`EpisodeService` (set on ``app.state.service`` at creation).

    ``async`` although it never awaits: FastAPI runs a plain ``def`` dependency in its
    thread pool, one thread hop per request for an attribute lookup."""
    service: EpisodeService = request.app.state.service
    return service


async def get_runner(request: Request) -> StepRunner:
    """Where the app's routes run a blocking step (``app.state.runner``; see
    :mod:`caseops.api.execution`)."""
    runner: StepRunner = request.app.state.runner
    return runner


async def require_admin(request: Request) -> None:
    """Cross-episode routes need ``Authorization: Bearer <CASEOPS_ADMIN_TOKEN>`` when the
    token is configured (open otherwise; the server says so at startup).

    Raises:
        Unauthorized: missing or wrong token.
    """
    token = request.app.state.settings.admin_token
    if not token:
        return
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(given.strip(), token):
        raise Unauthorized("this route needs Authorization: Bearer <CASEOPS_ADMIN_TOKEN>")


ServiceDep = Annotated[EpisodeService, Depends(get_service)]
RunnerDep = Annotated[StepRunner, Depends(get_runner)]
AdminDep = Depends(require_admin)
Limit = Annotated[int, Query(ge=1, le=1000, description="Items per page.")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")]
