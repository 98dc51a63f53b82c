"""Lookup of scenarios by task id and split.

The six seed cases keep the ids of the two environments CaseOps replaces (see
``shared/seeds``): three from Support Ops OpenEnv (evidence gathering) and three from
HyperBrickCaseOps (routing and communication).
"""

from __future__ import annotations

from caseops.domain.errors import UnknownTask
from caseops.domain.scenario import Scenario

from .support_desk import SUPPORT_DESK_SCENARIOS
from .support_ops import SUPPORT_OPS_SCENARIOS

SEED_SCENARIOS: dict[str, Scenario] = {
    s.task_id: s for s in (*SUPPORT_OPS_SCENARIOS, *SUPPORT_DESK_SCENARIOS)
}


def get_scenario(task_id: str) -> Scenario:
    """The scenario with ``task_id``.

    Raises:
        UnknownTask: when no scenario has that id (the message lists the known ones).
    """
    try:
        return SEED_SCENARIOS[task_id]
    except KeyError:
        known = ", ".join(SEED_SCENARIOS)
        raise UnknownTask(f"unknown task_id {task_id!r}; known: {known}") from None


def list_scenarios(split: str | None = None) -> list[Scenario]:
    """Scenarios in catalog order, optionally only those of ``split``.

    Raises:
        UnknownTask: for a split that has no scenarios.
    """
    items = list(SEED_SCENARIOS.values())
    if split is None:
        return items
    chosen = [s for s in items if s.split == split]
    if not chosen:
        raise UnknownTask(f"split {split!r} has no tasks; known: seed")
    return chosen
