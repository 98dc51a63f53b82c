"""Typed FastAPI dependencies (``Annotated`` aliases)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from .service import EpisodeService


def get_service(request: Request) -> EpisodeService:
    """The app's :class:`EpisodeService` (set on ``app.state.service`` at creation)."""
    service: EpisodeService = request.app.state.service
    return service


ServiceDep = Annotated[EpisodeService, Depends(get_service)]
Limit = Annotated[int, Query(ge=1, le=1000, description="Items per page.")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")]
