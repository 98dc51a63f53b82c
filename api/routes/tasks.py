"""``GET /tasks``: the task catalog (never any gold)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from caseops.cases.catalog import list_scenarios, task_refs

from ..deps import Limit, Offset
from ..errors import error_responses
from ..views import TaskPage, task_info

router = APIRouter(tags=["Tasks"])


@router.get("/tasks", response_model=TaskPage, responses=error_responses(404, s404="Unknown split"))
def tasks(
    split: Annotated[str | None, Query(max_length=32)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> TaskPage:
    """Tasks of one ``split`` (``seed``: the six seed cases, the default; ``train``,
    ``validation``, ``test``: generated ``<family>/<seed>`` cases), paged."""
    total = len(task_refs(split))
    page = list_scenarios(split, offset, limit)
    return TaskPage(total=total, limit=limit, offset=offset, items=[task_info(s) for s in page])
