"""The observation's case file: the contents of the evidence collected, in a fixed order,
within its bounds, from the agent-facing parts of the scenario only."""

from __future__ import annotations

import itertools

import pytest

from caseops.cases.catalog import get_scenario, list_scenarios
from caseops.domain.actions import CaseAction
from caseops.domain.observation import (
    CASE_FILE_ENTRY_CHARS,
    CASE_FILE_TOTAL_CHARS,
    CaseObservation,
)
from caseops.domain.scenario import Artifact, Scenario
from caseops.domain.state import CaseRecord
from caseops.statemachine.decide import render_ticket
from caseops.statemachine.engine import apply_step, start_episode
from caseops.statemachine.projection import case_file, observe

SEED = list_scenarios("seed")


def play(scenario: Scenario, actions: list[dict[str, object]]) -> CaseObservation:
    started, record = start_episode(scenario, "ep")
    history: list = [started]  # type: ignore[type-arg]
    for a in actions:
        out = apply_step(scenario, record, history, CaseAction.model_validate(a))
        history += out.events
        record = out.record
    return observe(scenario, record)


def gathering(scenario: Scenario) -> list[dict[str, object]]:
    acts: list[dict[str, object]] = [{"action_type": "review_ticket"}]
    acts += [{"action_type": "inspect_artifact", "artifact_id": a} for a in scenario.artifacts]
    acts += [{"action_type": "search_policy", "query": t} for t in scenario.policies]
    return acts


@pytest.mark.parametrize("scenario", SEED, ids=lambda s: s.task_id)
def test_the_case_file_holds_what_was_read_in_a_fixed_order(scenario: Scenario) -> None:
    acts = gathering(scenario)
    obs = play(scenario, acts)
    ids = [e.evidence_id for e in obs.case_file]
    assert ids == [
        "ticket",
        *(f"artifact:{a}" for a in sorted(scenario.artifacts)),
        *(f"policy:{p}" for p in sorted(scenario.policies)),
    ]
    assert sorted(ids) == sorted(obs.collected_evidence)
    by_id = {e.evidence_id: e for e in obs.case_file}
    assert by_id["ticket"].content == render_ticket(scenario)
    assert by_id["ticket"].title == scenario.ticket.subject
    for a, art in scenario.artifacts.items():
        assert (by_id[f"artifact:{a}"].title, by_id[f"artifact:{a}"].content) == (
            art.title,
            art.content,
        )
    for p, pol in scenario.policies.items():
        assert (by_id[f"policy:{p}"].title, by_id[f"policy:{p}"].content) == (
            pol.title,
            pol.content,
        )
    assert not any(e.truncated for e in obs.case_file)
    # the order does not depend on when each piece was read
    for perm in itertools.islice(itertools.permutations(acts), 1, 40, 7):
        assert play(scenario, list(perm)).case_file == obs.case_file


def test_nothing_read_nothing_in_the_file() -> None:
    s = SEED[0]
    assert play(s, []).case_file == []
    # a search that finds nothing adds nothing
    obs = play(s, [{"action_type": "search_policy", "query": "zzzz qqqq"}])
    assert obs.case_file == []


def test_customer_answers_come_last_by_field() -> None:
    s = SEED[0]
    record = CaseRecord(
        evidence=("artifact:" + next(iter(s.artifacts)), "ticket"),
        customer_answers=(("order_id", "A-1"), ("photo_of_damage", "sent")),
    )
    entries = case_file(s, record)
    assert [e.evidence_id for e in entries] == [
        "ticket",
        "artifact:" + next(iter(s.artifacts)),
        "customer:order_id",
        "customer:photo_of_damage",
    ]
    assert (entries[-1].title, entries[-1].content) == ("photo_of_damage", "sent")


def test_the_bounds_cut_the_end_of_the_file_deterministically() -> None:
    base = SEED[0]
    long = {f"a{k}": Artifact(title=f"Long {k}", content=f"{k}" * 3000) for k in range(6)}
    s = base.model_copy(update={"artifacts": long})
    record = CaseRecord(evidence=tuple(f"artifact:a{k}" for k in reversed(range(6))))
    entries = case_file(s, record)
    assert [e.evidence_id for e in entries] == [f"artifact:a{k}" for k in range(6)]
    lengths = [len(e.content) for e in entries]
    assert all(n <= CASE_FILE_ENTRY_CHARS for n in lengths)
    assert sum(lengths) == CASE_FILE_TOTAL_CHARS
    # whole entries first, then the one cut by the total, then empty ones
    full = CASE_FILE_TOTAL_CHARS // CASE_FILE_ENTRY_CHARS
    assert lengths[:full] == [CASE_FILE_ENTRY_CHARS] * full
    assert lengths[full:] == [0] * (6 - full)
    assert all(e.truncated for e in entries)
    assert entries[0].content == "0" * CASE_FILE_ENTRY_CHARS
    assert entries[-1].title == "Long 5"  # still listed
    assert case_file(s, record) == entries


@pytest.mark.parametrize("task_id", [s.task_id for s in SEED])
def test_the_case_file_never_depends_on_the_gold(task_id: str) -> None:
    s = get_scenario(task_id)
    other = next(o for o in SEED if o.task_id != task_id)
    swapped = s.model_copy(update={"gold": other.gold})
    record = CaseRecord(
        evidence=("ticket", *s.evidence_ids()[1:]),
        customer_answers=tuple(sorted(s.customer.answers.items())),
    )
    assert case_file(swapped, record) == case_file(s, record)
