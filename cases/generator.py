"""The seeded scenario generator: ``generate(family, seed) -> Scenario``.

Every family module in :mod:`caseops.cases.families` builds a case from a
``random.Random`` seeded with ``sha256("caseops", family, seed)`` (never Python's
``hash()``), so a task id ``<family>/<seed>`` always names the same case. The families are
registered explicitly in :mod:`caseops.cases.registry` (in catalog order).

Splits are disjoint by seed: ``seed % 10`` in 0..6 is ``train``, 7 is ``validation``,
8..9 is ``test``; the families in :data:`TEST_ONLY` appear only in ``test`` (every seed).
The listed catalog holds seeds ``0 .. CATALOG_SEEDS - 1`` of every family; any other
non-negative seed is still a valid task id.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from functools import lru_cache

from caseops.domain.canonical import derive_seed
from caseops.domain.errors import UnknownTask
from caseops.domain.scenario import Scenario

from .kit import Kit
from .registry import FAMILIES, FAMILY_NAMES, Build

#: The version of the case generator (families and text), recorded when an episode
#: starts; a change to any family's cases bumps it. 2.0.0: composed text, decisions that
#: combine facts, impact-based priorities, per-family budgets (issue 19).
GENERATOR_VERSION = "2.0.0"

#: Families held out entirely for the test split.
TEST_ONLY: frozenset[str] = frozenset(
    {
        "sso_misconfiguration",
        "abuse_report",
        "seat_downgrade",
        "data_export",
        "fraud_false_positive",
    }
)

#: Seeds per family in the listed catalog.
CATALOG_SEEDS = 1000

SPLITS: tuple[str, ...] = ("train", "validation", "test")


def _family(name: str) -> Build:
    try:
        return FAMILIES[name]
    except KeyError:
        raise UnknownTask(f"unknown family {name!r}; known: {', '.join(FAMILY_NAMES)}") from None


def split_of(family: str, seed: int) -> str:
    """The split of ``family/seed`` (see the module docstring)."""
    if family in TEST_ONLY:
        return "test"
    bucket = seed % 10
    return "train" if bucket < 7 else "validation" if bucket == 7 else "test"


@lru_cache(maxsize=256)
def generate(family: str, seed: int, salt: str | None = None) -> Scenario:
    """The case ``family/seed``. Deterministic: the same inputs give the same scenario
    (the 256 latest asked for are kept and handed out again: a scenario is frozen).

    ``salt`` (an evaluator's private ``CASEOPS_TEST_SALT``) changes the cases of the test
    split only: a test case is then seeded with ``sha256("caseops", family, seed, salt)``,
    so nobody without the salt can regenerate its answers from the installed package.
    Train and validation cases never depend on it.

    Raises:
        UnknownTask: unknown family or a negative seed.
        ScenarioError: when the family produced an inconsistent case (a bug).
    """
    if seed < 0:
        raise UnknownTask("seeds are non-negative integers")
    build = _family(family)
    split = split_of(family, seed)
    fields = build(Kit(_rng(family, seed, salt if split == "test" else None)))
    scenario = Scenario(
        task_id=f"{family}/{seed}",
        family=family,
        seed=seed,
        split=split,  # type: ignore[arg-type]
        **fields,
    )
    scenario.check()
    return scenario


def _rng(family: str, seed: int, salt: str | None) -> random.Random:
    """The case's random source: seeded with ``sha256("caseops", family, seed)``, or with
    the salt appended when one is given (test-split cases only; see :func:`generate`)."""
    if salt:
        return random.Random(derive_seed("caseops", family, seed, salt))
    return random.Random(derive_seed("caseops", family, seed))


def parse_task_id(task_id: str) -> tuple[str, int]:
    """``"family/seed"`` -> ``(family, seed)``.

    Raises:
        UnknownTask: when the id is not of that form or names no family.
    """
    family, _, seed_text = task_id.partition("/")
    if family not in FAMILY_NAMES or not seed_text.isdigit() or len(seed_text) > 18:
        raise UnknownTask(
            f"unknown task_id {task_id!r}: generated tasks are '<family>/<seed>' with a "
            f"family in {', '.join(FAMILY_NAMES)}"
        )
    return family, int(seed_text)


@lru_cache(maxsize=8)
def split_refs(split: str) -> Sequence[tuple[str, int]]:
    """The ``(family, seed)`` pairs of ``split`` in the listed catalog, seed-major (so any
    prefix of the list spreads over every family of the split).

    Raises:
        UnknownTask: for a split other than train, validation, test.
    """
    if split not in SPLITS:
        raise UnknownTask(f"unknown split {split!r}; known: seed, {', '.join(SPLITS)}")
    return tuple(
        (f, s) for s in range(CATALOG_SEEDS) for f in FAMILY_NAMES if split_of(f, s) == split
    )
