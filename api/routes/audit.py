"""``GET /audit/rejections``: illegal transitions across all episodes, in commit order."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ..deps import AdminDep, Limit, ServiceDep
from ..errors import error_responses
from ..views import RejectionPage

#: Every route here needs the admin token on a sealed server.
router = APIRouter(tags=["Audit"], dependencies=[AdminDep])


@router.get("/audit/rejections", response_model=RejectionPage, responses=error_responses(401, 503))
def audit_rejections(
    service: ServiceDep,
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Limit = 100,
) -> RejectionPage:
    """Illegal transitions across episodes: episode, step, action, from-state, reason."""
    return service.rejections(after, limit)
