"""Lookup of scenarios by task id and split.

Task ids are snake_case: the six seed cases by name (``damaged_mug_replacement``...),
generated cases as ``<family>/<seed>``. The three consumer seed cases were first
published under kebab-case ids; those old ids stay valid as aliases (:data:`SEED_ALIASES`),
so a saved task id still resolves, to the same case under its current id.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from caseops.cases.generator import generate, parse_task_id, split_refs
from caseops.domain.errors import UnknownTask
from caseops.domain.scenario import Scenario

from .seeds.consumer import CONSUMER_SEEDS
from .seeds.enterprise import ENTERPRISE_SEEDS

#: The seed cases by task id, in catalog order.
SEED_SCENARIOS: dict[str, Scenario] = {s.task_id: s for s in (*CONSUMER_SEEDS, *ENTERPRISE_SEEDS)}

#: Former task id -> current task id (the kebab-case ids of the first release). Lookups
#: accept both; listings give the current ids only.
SEED_ALIASES: dict[str, str] = {
    "damaged-mug-replacement": "damaged_mug_replacement",
    "duplicate-charge-refund": "duplicate_charge_refund",
    "account-takeover-fraud": "account_takeover_fraud",
}


def get_scenario(task_id: str, salt: str | None = None) -> Scenario:
    """The scenario with ``task_id``: a seed case id (or a former id in
    :data:`SEED_ALIASES`), or ``<family>/<seed>`` (a test-split
    case generated with the private ``salt`` when one is given; see
    :func:`caseops.cases.generator.generate`).

    Raises:
        UnknownTask: when no scenario has that id (the message lists the known ones).
    """
    found = SEED_SCENARIOS.get(SEED_ALIASES.get(task_id, task_id))
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
    """The ids of a generated split, built once per process: every
    ``reset(split=...)`` picks from them (cached: bench/README.md)."""
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
