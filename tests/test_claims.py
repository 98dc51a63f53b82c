"""The spec of what replies and notes must say: points, claims and the old shape."""

from __future__ import annotations

import pytest

from caseops.cases.catalog import SEED_SCENARIOS
from caseops.domain.claims import Claim, Point, claim, point
from caseops.domain.scenario import Gold, Scenario, snapshot_hash
from caseops.statemachine.engine import start_episode
from caseops.statemachine.replay import scenario_of

SCENARIOS = list(SEED_SCENARIOS.values())


def _old_shape(snapshot: dict) -> dict:
    """A snapshot as grader 1.x stored it: markers with phrases, claims as strings."""
    old = dict(snapshot)
    gold = dict(old["gold"])
    gold["reply_markers"] = [{"name": "refund", "phrases": ["refund", "money back"]}]
    gold["note_markers"] = [{"name": "ids", "phrases": ["ch_8842"]}]
    gold["forbidden_claims"] = ["locked", "escalated"]
    del gold["reply_points"], gold["note_points"]
    old["gold"] = gold
    return old


def test_old_snapshot_still_builds_a_scenario() -> None:
    started, _ = start_episode(SCENARIOS[0], "ep-old")
    old = _old_shape(started.scenario)
    rebuilt = scenario_of(started.model_copy(update={"scenario": old}))
    g = rebuilt.gold
    assert [p.name for p in g.reply_points] == ["refund"]
    assert g.reply_points[0].phrases == ("refund", "money back")
    assert [c.name for c in g.forbidden_claims] == ["locked", "escalated"]
    assert g.forbidden_claims[0].phrases == ("locked",)
    assert g.note_markers == g.note_points  # the old name still reads
    # the stored snapshot's own hash is what replay checks
    assert snapshot_hash(started.scenario) == started.scenario_hash


def test_new_snapshot_round_trips() -> None:
    for s in SCENARIOS:
        assert Scenario.model_validate(s.model_dump(mode="json")) == s
        assert snapshot_hash(s.model_dump(mode="json")) == s.content_hash()


def test_constructors_name_and_check() -> None:
    assert point("refund", facts=("$12.00",)) == Point(
        name="refund", concept="refund", facts=("$12.00",)
    )
    assert point("return", negated=True).name == "no_return"
    assert claim("refund") == Claim(name="refund", concept="refund")
    assert point(facts=("ORD-1",)).name == "fact:ORD-1"
    with pytest.raises(ValueError, match="unknown concept"):
        point("refnud")
    with pytest.raises(ValueError):
        point()


def test_duplicate_names_are_refused() -> None:
    base = SCENARIOS[0].gold.model_dump()
    base["reply_points"] = [point("refund"), point("refund")]
    with pytest.raises(ValueError, match="duplicate"):
        Gold.model_validate(base)
