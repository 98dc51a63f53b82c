"""Scenario snapshots: a scenario rebuilt from its canonical-JSON snapshot (what
``EpisodeStarted`` stores) equals the original, so replay sees exactly the case that ran."""

from __future__ import annotations

import json

import pytest

from caseops.canonical import canonical_json
from caseops.cases.catalog import SEED_SCENARIOS
from caseops.cases.generator import FAMILY_NAMES, generate
from caseops.domain.scenario import Scenario

CASES = [*SEED_SCENARIOS.values(), *(generate(f, 5) for f in FAMILY_NAMES)]


@pytest.mark.parametrize("scenario", CASES, ids=[s.task_id for s in CASES])
def test_snapshot_round_trip_is_exact(scenario: Scenario) -> None:
    snapshot = json.loads(canonical_json(scenario.model_dump(mode="json")))
    rebuilt = Scenario.model_validate(snapshot)
    assert rebuilt == scenario
    assert list(rebuilt.artifacts) == list(scenario.artifacts) == sorted(scenario.artifacts)
    assert list(rebuilt.policies) == sorted(scenario.policies)
    assert rebuilt.content_hash() == scenario.content_hash()


def test_authoring_order_does_not_matter() -> None:
    s = SEED_SCENARIOS["damaged_mug_replacement"]
    data = s.model_dump(mode="json")
    data["artifacts"] = dict(reversed(list(data["artifacts"].items())))
    assert Scenario.model_validate(data) == s


def test_former_seed_ids_resolve_to_the_same_cases() -> None:
    # a task id saved under the first release's kebab-case names still plays that case
    from caseops.cases.catalog import SEED_ALIASES, get_scenario, task_refs

    assert set(SEED_ALIASES.values()) <= set(SEED_SCENARIOS)
    for old, new in SEED_ALIASES.items():
        assert get_scenario(old) is SEED_SCENARIOS[new]
        assert old not in task_refs("seed")
    assert all(t.replace("_", "").isalnum() for t in task_refs("seed"))
