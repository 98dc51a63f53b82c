"""The sealed score's self-check: policies that never read a case stay far below the bar
a reading agent reaches (docs/architecture.md, "Evaluation integrity").

Every family, 200 cases each (validation; test for the families held out for test),
policies learned on train: in the terminal reward mode each non-reading policy averages
at most 0.30 over validation and at most 0.40 on any family; in the dense mode the
reward prober averages at most 0.45; the oracle stays at 0.99 or more everywhere.
"""

from __future__ import annotations

import pytest

from caseops.statemachine.attacks import IntegrityRow, integrity_rows


@pytest.fixture(scope="module")
def rows() -> list[IntegrityRow]:
    return integrity_rows("validation", per_family=200)


def _mean(rows: list[IntegrityRow], field: str) -> float:
    picked = [getattr(r, field) for r in rows if r.split == "validation"]
    return sum(picked) / len(picked)


@pytest.mark.parametrize("field", ["constant", "metadata_keyed", "prober_terminal"])
def test_non_reading_policies_stay_low_in_terminal_mode(rows, field: str) -> None:
    assert _mean(rows, field) <= 0.30, (field, round(_mean(rows, field), 3))
    worst = max(rows, key=lambda r: getattr(r, field))
    assert getattr(worst, field) <= 0.40, (field, worst.family, getattr(worst, field))


def test_reward_prober_stays_low_in_dense_mode(rows) -> None:
    assert _mean(rows, "prober_dense") <= 0.45


def test_oracle_still_solves_every_family(rows) -> None:
    for r in rows:
        assert r.oracle >= 0.99, (r.family, r.oracle)


def test_every_family_is_checked(rows) -> None:
    from caseops.cases.generator import FAMILY_NAMES

    assert [r.family for r in rows] == list(FAMILY_NAMES)
    assert all(r.cases == 200 for r in rows)


def test_prober_without_a_running_score_plays_its_constant_plan() -> None:
    """What lets the table reuse the constant plan's score for the terminal-mode prober."""
    from caseops.cases.generator import generate
    from caseops.statemachine.attacks import (
        ConstantPolicy,
        RewardProber,
        learn_constant,
        play_plan,
        split_seeds,
    )

    train = [generate("damaged_item", s) for s in split_seeds("damaged_item", "train", 12)]
    constant = ConstantPolicy(learn_constant(train, candidates=4, sample=6))
    prober = RewardProber.learn(train, constant.plans)
    for seed in split_seeds("damaged_item", "validation", 3):
        case = generate("damaged_item", seed)
        _, probed = play_plan(case, prober.for_case(case), "terminal")
        _, planned = play_plan(case, constant.for_case(case), "terminal")
        assert [e.canonical() for e in probed] == [e.canonical() for e in planned]
        _, dense = play_plan(case, prober.for_case(case), "dense")
        assert len(dense) >= len(planned)  # in the dense mode it does probe
