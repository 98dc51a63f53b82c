"""Lookup of scenarios by task id and split.

The six seed cases keep the ids of the two environments CaseOps replaces: three from
Support Ops OpenEnv (evidence gathering) and three from HyperBrickCaseOps (routing and
communication).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from caseops.cases.generator import generate, parse_task_id, split_refs
from caseops.domain.errors import UnknownTask
from caseops.domain.scenario import Scenario

from .seeds.consumer import SUPPORT_OPS_SCENARIOS
from .seeds.enterprise import SUPPORT_DESK_SCENARIOS

SEED_SCENARIOS: dict[str, Scenario] = {
    s.task_id: s for s in (*SUPPORT_OPS_SCENARIOS, *SUPPORT_DESK_SCENARIOS)
}


def get_scenario(task_id: str, salt: str | None = None) -> Scenario:
    """The scenario with ``task_id``: a seed case id, or ``<family>/<seed>`` (a test-split
    case generated with the private ``salt`` when one is given; see
    :func:`caseops.cases.generator.generate`).

    Raises:
        UnknownTask: when no scenario has that id (the message lists the known ones).
    """
    found = SEED_SCENARIOS.get(task_id)
    if found is not None:
        return found
    if "/" in task_id:
        return generate(*parse_task_id(task_id), salt)
    known = ", ".join(SEED_SCENARIOS)
    raise UnknownTask(
        f"unknown task_id {task_id!r}; seed tasks: {known}; generated: <family>/<seed>"
    )


def task_refs(split: str | None = None) -> Sequence[str]:
    """Task ids of ``split`` in catalog order (``None``: the six seed cases), as a tuple.

    Raises:
        UnknownTask: for an unknown split.
    """
    if split in (None, "seed"):
        return tuple(SEED_SCENARIOS)
    return _generated_refs(split)


@lru_cache(maxsize=8)
def _generated_refs(split: str) -> tuple[str, ...]:
    """The ids of a generated split, built once per process: a pure function of the
    split, and every ``reset(split=...)`` picks from it (building its thousands of ids
    took about two thirds of such a reset; README, Performance)."""
    return tuple(f"{f}/{s}" for f, s in split_refs(split))


def list_scenarios(
    split: str | None = None, offset: int = 0, limit: int | None = None, salt: str | None = None
) -> list[Scenario]:
    """Scenarios of ``split`` (``None``/``seed``: the six seed cases) in catalog order,
    from ``offset``, at most ``limit`` (all when ``None``); test cases made with ``salt``.

    Raises:
        UnknownTask: for an unknown split.
    """
    ids = task_refs(split)
    end = len(ids) if limit is None else offset + limit
    return [get_scenario(t, salt) for t in ids[offset:end]]
