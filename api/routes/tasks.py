"""``GET /tasks``: the task catalog (never any gold)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from caseops.cases.catalog import list_scenarios, task_refs
from caseops.domain.scenario import Scenario

from ..deps import Limit, Offset
from ..errors import error_responses

router = APIRouter(tags=["Tasks"])


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
