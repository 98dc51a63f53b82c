"""``GET /audit/rejections``: illegal transitions across all episodes, in commit order."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from ..deps import AdminDep, Limit, ServiceDep
from ..errors import error_responses

router = APIRouter(tags=["Audit"])


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


def rejections(service: Any, after: int = 0, limit: int = 100) -> RejectionPage:
    """Rejections from the store after global position ``after``."""
    rows = service.store.read_all(after_position=after, limit=limit, types=["TransitionRejected"])
    items = [
        Rejection(
            position=r.position,
            episode_id=r.stream_id,
            step=int(r.payload.get("step", 0)),
            action=r.payload.get("action", {}),
            from_state=str(r.payload.get("from_state", "")),
            reason=str(r.payload.get("reason", "")),
            legal_actions=list(r.payload.get("legal_actions", [])),
            recorded_at=r.recorded_at,
        )
        for r in rows
    ]
    return RejectionPage(
        items=items, next_after=items[-1].position if len(items) == limit else None
    )


@router.get(
    "/audit/rejections",
    response_model=RejectionPage,
    dependencies=[AdminDep],
    responses=error_responses(401, 503),
)
def audit_rejections(
    service: ServiceDep,
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Limit = 100,
) -> RejectionPage:
    """Illegal transitions across episodes: episode, step, action, from-state, reason."""
    return rejections(service, after, limit)
