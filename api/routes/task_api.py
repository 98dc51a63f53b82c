"""openenv's Task API over HTTP: ``/caseops/splits``, ``/tasks``, ``/num_tasks``, ``/task``,
``/task_range`` (the paths, bodies and answers of openenv's own ``/{env_name}/…`` routes,
``openenv.core.env_server.http_server``), answered by
:class:`~caseops.api.environment.CaseOpsEnvironment`'s ``TaskProvider`` methods.

openenv's routes take any ``env_name`` (404 unless it is the server's), read ``index`` in
pydantic's lax mode (``false`` and ``"3"`` pass as integers) and document none of their
error answers; these replacements keep their behaviour for every well-formed request,
refuse what the schema does not allow (422 naming the field) and document every status
(``tests/reliability/test_rel_schemathesis.py`` holds the server to that).

Task specs are the public description of a case, never its gold.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel

from ..deps import ServiceDep
from ..environment import CaseOpsEnvironment
from ..errors import IndexOutOfRange, UnknownEnvironment, error_responses
from ..schemas import SplitRequest, TaskRangeRequest, TaskRequest
from ..views import TaskInfo

router = APIRouter(tags=["Task API"])

#: The environment name openenv's Task API paths carry (matched in any letter case, as
#: openenv does).
ENV_NAME = "caseops"


class SplitInfo(BaseModel):
    """A split: its name, openenv's role for it (``type``), what it holds and its size."""

    name: str
    type: str
    description: str
    num_tasks: int


class TaskSpec(TaskInfo):
    """A task as the Task API lists it: its public description (no gold) and its position
    in the split's listing (``index``)."""

    index: int


class TaskList(BaseModel):
    """``/tasks``: the split's first tasks (a bounded preview of a generated split)."""

    tasks: list[TaskSpec]
    env_name: str


class TaskCount(BaseModel):
    """``/num_tasks``."""

    num_tasks: int


class OneTask(BaseModel):
    """``/task``."""

    task: TaskSpec


class TaskRange(BaseModel):
    """``/task_range``."""

    tasks: list[TaskSpec]


EnvName = Annotated[str, Path(max_length=64, description=f"`{ENV_NAME}` (in any letter case).")]


def _provider(service: ServiceDep, env_name: str) -> CaseOpsEnvironment:
    if env_name.lower() != ENV_NAME:
        raise UnknownEnvironment(f"unknown environment {env_name!r}; this server is {ENV_NAME!r}")
    return CaseOpsEnvironment(service=service)


_UNKNOWN = error_responses(404, s404="Unknown environment name or split")
_POSTED = error_responses(400, 404, 413, s404="Unknown environment name or split")


@router.get("/{env_name}/splits", response_model=list[SplitInfo], responses=_UNKNOWN)
def splits(service: ServiceDep, env_name: EnvName) -> list[dict[str, Any]]:
    """The task splits, each with its size."""
    result: list[dict[str, Any]] = _provider(service, env_name).list_splits()
    return result


@router.post("/{env_name}/tasks", response_model=TaskList, responses=_POSTED)
def tasks(service: ServiceDep, env_name: EnvName, request: SplitRequest) -> dict[str, Any]:
    """The tasks of a split: all six seed cases, or the first 100 of a generated split
    (``/task_range`` reads further; ``/num_tasks`` gives the size)."""
    listed = _provider(service, env_name).list_tasks(request.split)
    return {"tasks": listed, "env_name": ENV_NAME}


@router.post("/{env_name}/num_tasks", response_model=TaskCount, responses=_POSTED)
def num_tasks(service: ServiceDep, env_name: EnvName, request: SplitRequest) -> dict[str, Any]:
    """The number of tasks in a split."""
    return {"num_tasks": _provider(service, env_name).num_tasks(request.split)}


@router.post(
    "/{env_name}/task",
    response_model=OneTask,
    responses=error_responses(
        400,
        404,
        413,
        s400="Task index past the end of the split, or a body that is not JSON",
        s404="Unknown environment name or split",
    ),
)
def task(service: ServiceDep, env_name: EnvName, request: TaskRequest) -> dict[str, Any]:
    """The ``index``-th task of a split: what ``reset(split=, index=)`` plays."""
    provider = _provider(service, env_name)
    try:
        return {"task": provider.get_task(request.split, request.index)}
    except IndexError as e:
        raise IndexOutOfRange(str(e)) from None


@router.post("/{env_name}/task_range", response_model=TaskRange, responses=_POSTED)
def task_range(service: ServiceDep, env_name: EnvName, request: TaskRangeRequest) -> dict[str, Any]:
    """Tasks ``[start, stop)`` of a split, at most 1,000 per call."""
    provider = _provider(service, env_name)
    return {"tasks": provider.get_task_range(request.split, request.start, request.stop)}
