"""The case state machine (docs/architecture.md, "The case machine"): legality,
transitions, rejections, endings."""

from __future__ import annotations

from fractions import Fraction

import pytest

from caseops.cases.catalog import SEED_SCENARIOS, get_scenario
from caseops.domain.actions import MAX_REPLY_CHARS, CaseAction
from caseops.domain.errors import EpisodeAlreadyEnded
from caseops.domain.events import (
    ActionInvalid,
    CaseClassified,
    CustomerReplied,
    EpisodeEnded,
    InfoRequested,
    StepEvent,
    TransitionRejected,
)
from caseops.domain.scenario import Scenario
from caseops.domain.vocab import ACTION_TYPES, CASE_STATUSES, REQUESTABLE_FIELDS, TOOL_ACTIONS
from caseops.statemachine import apply_step, decide, legal_actions, mermaid, start_episode
from caseops.statemachine.machine import MACHINE

TOOLS = set(TOOL_ACTIONS)
EXPECTED_LEGAL: dict[str, set[str]] = {
    "new": TOOLS | {"classify", "submit"},
    "triaged": TOOLS | {"classify", "request_info", "escalate", "resolve", "submit"},
    "waiting_on_customer": TOOLS | {"submit"},
    "escalated": TOOLS | {"classify", "request_info", "resolve", "submit"},
    "resolved": set(),
}

# the scenario the generic state tests run on
WAITING_TASK = "account_takeover_medium"


def unanswerable(scenario: Scenario) -> str:
    """A requestable field this scenario's customer cannot answer (the case then waits)."""
    return next(f for f in REQUESTABLE_FIELDS if f not in scenario.customer.answers)


def answering_case() -> tuple[Scenario, str, str]:
    """A seed scenario whose customer can answer something: (scenario, can, cannot)."""
    for s in SEED_SCENARIOS.values():
        if s.customer.answers:
            return s, next(iter(s.customer.answers)), unanswerable(s)
    raise AssertionError("no seed scenario has a customer who can answer")


class Episode:
    """A tiny in-memory driver over apply_step."""

    def __init__(self, scenario: Scenario, episode_id: str = "ep") -> None:
        self.scenario = scenario
        started, self.record = start_episode(scenario, episode_id)
        self.history = [started]
        self.started = started
        self.last = None

    def step(self, action: CaseAction):  # type: ignore[no-untyped-def]
        out = apply_step(self.scenario, self.record, self.history, action)
        self.history += out.events
        self.record = out.record
        self.last = out
        return out


def classify(queue: str = "billing") -> CaseAction:
    return CaseAction(
        action_type="classify", queue=queue, priority="normal", issue_type="billing_error"
    )


def full_action(action_type: str, scenario: Scenario) -> CaseAction:
    """A well-formed action of ``action_type`` (every field it needs, valid values)."""
    fields: dict[str, object] = {
        "inspect_artifact": {"artifact_id": next(iter(scenario.artifacts))},
        "search_policy": {"query": "policy"},
        "draft_reply": {"message": "Hello there."},
        "add_internal_note": {"note": "Looked at it."},
        "classify": {"queue": "billing", "priority": "normal", "issue_type": "billing_error"},
        "request_info": {"requested_fields": [unanswerable(scenario)]},
        "escalate": {"queue": "trust_and_safety"},
        "resolve": {"resolution_code": "provide_information"},
        "submit": {},
        "review_ticket": {},
    }[action_type]
    return CaseAction(action_type=action_type, **fields)


def episode_in(status: str) -> Episode:
    """An episode of the waiting-capable scenario driven into ``status``."""
    ep = Episode(get_scenario(WAITING_TASK))
    if status == "new":
        pass
    elif status == "triaged":
        ep.step(classify())
    elif status == "waiting_on_customer":
        ep.step(classify())
        ep.step(
            CaseAction(action_type="request_info", requested_fields=[unanswerable(ep.scenario)])
        )
    elif status == "escalated":
        ep.step(classify())
        ep.step(CaseAction(action_type="escalate", queue="trust_and_safety"))
    elif status == "resolved":
        ep.step(classify())
        ep.step(CaseAction(action_type="resolve", resolution_code="provide_information"))
    assert ep.record.status == status
    return ep


# ------------------------------------------------------------------------------------
# The legal-action table
# ------------------------------------------------------------------------------------
def test_exactly_five_states() -> None:
    assert set(CASE_STATUSES) == {"new", "triaged", "waiting_on_customer", "escalated", "resolved"}
    assert set(MACHINE.states) == set(CASE_STATUSES)


@pytest.mark.parametrize("status", list(EXPECTED_LEGAL))
def test_legal_action_table(status: str) -> None:
    assert set(legal_actions(status)) == EXPECTED_LEGAL[status]
    # in the canonical action order
    got = list(legal_actions(status))
    assert got == [a for a in ACTION_TYPES if a in EXPECTED_LEGAL[status]]


def test_machine_has_no_auto_transitions() -> None:
    triggers = set(MACHINE.get_triggers(*CASE_STATUSES))
    assert not any(t.startswith("to_") for t in triggers)


@pytest.mark.parametrize("status", ["new", "triaged", "waiting_on_customer", "escalated"])
def test_observed_legal_actions_match_the_machine(status: str) -> None:
    from caseops.statemachine.projection import observe

    ep = episode_in(status)
    obs = observe(ep.scenario, ep.record)
    assert set(obs.legal_actions) == EXPECTED_LEGAL[status]


@pytest.mark.parametrize(
    ("status", "action_type", "to"),
    [
        ("new", "classify", "triaged"),
        ("triaged", "classify", "triaged"),
        ("escalated", "classify", "escalated"),
        ("triaged", "request_info", "waiting_on_customer"),
        ("escalated", "request_info", "waiting_on_customer"),
        ("triaged", "escalate", "escalated"),
        ("triaged", "resolve", "resolved"),
        ("escalated", "resolve", "resolved"),
        *[(s, t, s) for s in ("new", "triaged", "waiting_on_customer", "escalated") for t in TOOLS],
    ],
)
def test_legal_transitions_lead_where_the_table_says(
    status: str, action_type: str, to: str
) -> None:
    ep = episode_in(status)
    out = ep.step(full_action(action_type, ep.scenario))
    first = out.events[0]
    assert isinstance(first, StepEvent)
    assert not isinstance(first, TransitionRejected | ActionInvalid), first
    assert first.from_state == status
    assert first.to_state == to
    assert ep.record.status == to


def test_classify_from_escalated_stays_escalated_and_updates_routing() -> None:
    ep = episode_in("escalated")
    out = ep.step(
        CaseAction(
            action_type="classify", queue="billing", priority="urgent", issue_type="refund_request"
        )
    )
    assert isinstance(out.events[0], CaseClassified)
    assert ep.record.status == "escalated"
    assert ep.record.priority == "urgent"
    assert ep.record.issue_type == "refund_request"


# ------------------------------------------------------------------------------------
# Illegal triggers
# ------------------------------------------------------------------------------------
ILLEGAL = [
    (s, a)
    for s in ("new", "triaged", "waiting_on_customer", "escalated")
    for a in ACTION_TYPES
    if a not in EXPECTED_LEGAL[s]
]


@pytest.mark.parametrize(("status", "action_type"), ILLEGAL)
def test_illegal_trigger_is_one_recorded_rejection(status: str, action_type: str) -> None:
    ep = episode_in(status)
    before = ep.record
    out = ep.step(full_action(action_type, ep.scenario))
    step_events = [e for e in out.events if isinstance(e, StepEvent)]
    assert len(step_events) == 1
    rej = out.events[0]
    assert isinstance(rej, TransitionRejected)
    assert rej.attempted == action_type
    assert rej.from_state == rej.to_state == status
    assert rej.reason and action_type in rej.reason and status in rej.reason
    assert set(rej.legal_actions) == EXPECTED_LEGAL[status]
    assert not any(isinstance(e, CustomerReplied) for e in out.events)
    # the case is untouched, the error is surfaced, a cost is charged
    rec = ep.record
    assert rec.status == before.status
    assert (rec.queue, rec.priority, rec.issue_type, rec.escalated_to) == (
        before.queue,
        before.priority,
        before.issue_type,
        before.escalated_to,
    )
    assert rec.requested_fields == before.requested_fields
    assert rec.resolution_code == before.resolution_code
    assert rec.last_action_error == rej.reason
    assert rec.rejected_actions == before.rejected_actions + 1
    assert out.cost > 0
    assert out.score == Fraction(before.score)
    assert out.reward == -out.cost
    assert not rec.done


def test_resolve_while_new_names_the_states_it_needs() -> None:
    ep = episode_in("new")
    out = ep.step(CaseAction(action_type="resolve", resolution_code="send_replacement"))
    rej = out.events[0]
    assert isinstance(rej, TransitionRejected)
    assert "triaged" in rej.reason and "escalated" in rej.reason


# ------------------------------------------------------------------------------------
# Legal triggers missing what they need
# ------------------------------------------------------------------------------------
INVALID = [
    ("new", CaseAction(action_type="inspect_artifact")),
    ("new", CaseAction(action_type="inspect_artifact", artifact_id="no_such_artifact")),
    ("new", CaseAction(action_type="search_policy")),
    ("new", CaseAction(action_type="search_policy", query="   ")),
    ("new", CaseAction(action_type="draft_reply")),
    ("new", CaseAction(action_type="draft_reply", message=" \n ")),
    ("new", CaseAction(action_type="draft_reply", message="x" * (MAX_REPLY_CHARS + 1))),
    ("new", CaseAction(action_type="add_internal_note")),
    ("new", CaseAction(action_type="add_internal_note", note="y" * (MAX_REPLY_CHARS + 1))),
    ("new", CaseAction(action_type="classify")),
    ("new", CaseAction(action_type="classify", queue="billing", priority="low")),
    ("triaged", CaseAction(action_type="classify", priority="low", issue_type="billing_error")),
    ("triaged", CaseAction(action_type="request_info")),
    ("triaged", CaseAction(action_type="request_info", requested_fields=[])),
    ("escalated", CaseAction(action_type="request_info", requested_fields=[])),
    ("triaged", CaseAction(action_type="escalate")),
    ("triaged", CaseAction(action_type="resolve")),
    ("escalated", CaseAction(action_type="resolve")),
]


@pytest.mark.parametrize(("status", "action"), INVALID, ids=lambda x: str(x)[:40])
def test_missing_fields_produce_action_invalid(status: str, action: CaseAction) -> None:
    ep = episode_in(status)
    before = ep.record
    out = ep.step(action)
    assert len([e for e in out.events if isinstance(e, StepEvent)]) == 1
    inv = out.events[0]
    assert isinstance(inv, ActionInvalid)
    assert inv.attempted == action.action_type and inv.reason
    assert inv.to_state == status
    assert ep.record.status == status
    assert ep.record.evidence == before.evidence
    assert ep.record.drafted_reply == before.drafted_reply
    assert ep.record.internal_notes == before.internal_notes
    assert ep.record.last_action_error == inv.reason
    assert out.cost > 0


def test_reply_at_the_length_limit_is_accepted() -> None:
    ep = episode_in("new")
    ep.step(CaseAction(action_type="draft_reply", message="z" * MAX_REPLY_CHARS))
    assert ep.record.drafted_reply == "z" * MAX_REPLY_CHARS
    assert ep.record.last_action_error is None


# ------------------------------------------------------------------------------------
# Endings
# ------------------------------------------------------------------------------------
@pytest.mark.parametrize("status", ["triaged", "escalated"])
def test_resolve_ends_the_episode(status: str) -> None:
    ep = episode_in(status)
    out = ep.step(CaseAction(action_type="resolve", resolution_code="provide_information"))
    ended = [e for e in out.events if isinstance(e, EpisodeEnded)]
    assert len(ended) == 1
    assert ended[0].reason == "resolved" and ended[0].final_status == "resolved"
    assert ep.record.done and ep.record.end_reason == "resolved"
    assert ep.record.status == "resolved"
    assert ep.record.resolution_code == "provide_information"


@pytest.mark.parametrize("status", ["new", "triaged", "waiting_on_customer", "escalated"])
def test_submit_ends_the_episode_in_the_current_state(status: str) -> None:
    ep = episode_in(status)
    out = ep.step(CaseAction(action_type="submit", resolution_code="request_verification"))
    ended = [e for e in out.events if isinstance(e, EpisodeEnded)]
    assert len(ended) == 1
    assert ended[0].reason == "submitted" and ended[0].final_status == status
    assert ep.record.done and ep.record.status == status
    assert ep.record.end_reason == "submitted"
    assert ep.record.resolution_code == "request_verification"


def test_submit_without_code_keeps_no_code() -> None:
    ep = episode_in("triaged")
    ep.step(CaseAction(action_type="submit"))
    assert ep.record.done and ep.record.resolution_code is None


@pytest.mark.parametrize("task_id", list(SEED_SCENARIOS))
def test_step_budget_ends_the_episode(task_id: str) -> None:
    s = get_scenario(task_id)
    ep = Episode(s)
    for i in range(1, s.step_budget + 1):
        assert not ep.record.done
        out = ep.step(CaseAction(action_type="review_ticket"))
        ended = [e for e in out.events if isinstance(e, EpisodeEnded)]
        if i < s.step_budget:
            assert not ended
    assert ended and ended[0].reason == "step_budget" and ended[0].final_status == "new"
    assert ep.record.done and ep.record.end_reason == "step_budget"
    assert ep.record.steps_taken == s.step_budget


def test_rejected_action_on_the_last_budget_step_still_ends_the_episode() -> None:
    s = get_scenario("billing_refund_easy")
    ep = Episode(s)
    for _ in range(s.step_budget - 1):
        ep.step(CaseAction(action_type="review_ticket"))
    out = ep.step(CaseAction(action_type="resolve", resolution_code="issue_refund"))
    assert isinstance(out.events[0], TransitionRejected)
    assert isinstance(out.events[-1], EpisodeEnded)
    assert ep.record.done and ep.record.status == "new"


@pytest.mark.parametrize(
    "ending",
    [
        [CaseAction(action_type="submit")],
        [classify(), CaseAction(action_type="resolve", resolution_code="issue_refund")],
    ],
)
@pytest.mark.parametrize("after", ACTION_TYPES)
def test_after_the_end_decide_raises(ending: list[CaseAction], after: str) -> None:
    ep = Episode(get_scenario(WAITING_TASK))
    for a in ending:
        ep.step(a)
    assert ep.record.done
    act = full_action(after, ep.scenario)
    with pytest.raises(EpisodeAlreadyEnded):
        decide(ep.scenario, ep.record, act)
    with pytest.raises(EpisodeAlreadyEnded):
        apply_step(ep.scenario, ep.record, ep.history, act)


def test_resolved_is_terminal_in_the_machine() -> None:
    assert legal_actions("resolved") == ()
    assert MACHINE.get_triggers("resolved") == []


# ------------------------------------------------------------------------------------
# The simulated customer
# ------------------------------------------------------------------------------------
def _episode_left_in(s: Scenario, left: str) -> Episode:
    ep = Episode(s)
    ep.step(classify())
    if left == "escalated":
        ep.step(CaseAction(action_type="escalate", queue="trust_and_safety"))
    assert ep.record.status == left
    return ep


@pytest.mark.parametrize("left", ["triaged", "escalated"])
def test_customer_who_can_answer_returns_the_case_to_where_it_was(left: str) -> None:
    s, can, _ = answering_case()
    known = s.customer.answers
    asked = [*[f for f in known if f != can][:1], can]  # a subset when there is more
    ep = _episode_left_in(s, left)
    out = ep.step(CaseAction(action_type="request_info", requested_fields=asked))
    kinds = [type(e) for e in out.events]
    assert kinds[:2] == [InfoRequested, CustomerReplied]
    req, rep = out.events[0], out.events[1]
    assert isinstance(req, InfoRequested) and isinstance(rep, CustomerReplied)
    assert req.to_state == "waiting_on_customer"
    assert rep.from_state == "waiting_on_customer" and rep.to_state == left
    assert rep.answers == {f: known[f] for f in asked}  # only the fields asked
    assert rep.unanswered == []
    assert ep.record.status == left
    assert dict(ep.record.customer_answers) == {f: known[f] for f in asked}
    assert "Customer replied" in (ep.record.last_tool_result or "")
    # and from the state it returned to, the case moves on as usual
    ep.step(CaseAction(action_type="resolve", resolution_code="provide_information"))
    assert ep.record.status == "resolved" and ep.record.done


@pytest.mark.parametrize("left", ["triaged", "escalated"])
def test_partial_answer_is_recorded_but_the_case_keeps_waiting(left: str) -> None:
    s, can, cannot = answering_case()
    ep = _episode_left_in(s, left)
    out = ep.step(CaseAction(action_type="request_info", requested_fields=[can, cannot]))
    reps = [e for e in out.events if isinstance(e, CustomerReplied)]
    assert len(reps) == 1
    assert reps[0].answers == {can: s.customer.answers[can]}
    assert reps[0].unanswered == [cannot]
    assert ep.record.status == "waiting_on_customer"
    assert dict(ep.record.customer_answers) == {can: s.customer.answers[can]}


def test_customer_answers_only_the_fields_asked() -> None:
    s = next((x for x in SEED_SCENARIOS.values() if len(x.customer.answers) > 1), None)
    if s is None:
        pytest.skip("no seed scenario has a customer who can answer two fields")
    one = next(iter(s.customer.answers))
    ep = Episode(s)
    ep.step(classify())
    out = ep.step(CaseAction(action_type="request_info", requested_fields=[one]))
    rep = out.events[1]
    assert isinstance(rep, CustomerReplied)
    assert rep.answers == {one: s.customer.answers[one]}
    assert rep.unanswered == []


def test_customer_who_cannot_answer_leaves_the_case_waiting() -> None:
    ep = episode_in("triaged")
    out = ep.step(
        CaseAction(action_type="request_info", requested_fields=[unanswerable(ep.scenario)])
    )
    assert not any(isinstance(e, CustomerReplied) for e in out.events)
    assert ep.record.status == "waiting_on_customer"
    # and from there only tools and submit are legal
    out = ep.step(classify())
    assert isinstance(out.events[0], TransitionRejected)
    assert ep.record.status == "waiting_on_customer"


def test_decide_is_pure_and_does_not_consult_the_gold() -> None:
    s = get_scenario("damaged_mug_replacement")
    s2 = s.model_copy(update={"gold": get_scenario("api_incident_hard").gold})
    ep = Episode(s)
    for a in [
        CaseAction(action_type="review_ticket"),
        CaseAction(action_type="search_policy", query="damaged items"),
        classify(),
        CaseAction(action_type="request_info", requested_fields=["order_id"]),
    ]:
        snapshot = ep.record
        e1 = [e.canonical() for e in decide(s, ep.record, a)]
        e2 = [e.canonical() for e in decide(s2, ep.record, a)]
        assert e1 == e2 == [e.canonical() for e in decide(s, ep.record, a)]
        assert ep.record == snapshot
        ep.step(a)


# ------------------------------------------------------------------------------------
# The diagram
# ------------------------------------------------------------------------------------
def test_mermaid_names_every_state_and_trigger() -> None:
    text = mermaid()
    assert "stateDiagram" in text
    for state in CASE_STATUSES:
        assert state in text
    for trig in ("classify", "request_info", "escalate", "resolve", "customer_replies", "submit"):
        assert trig in text
    assert "new --> triaged" in text.replace("  ", " ")
    # nothing leaves resolved
    assert "resolved -->" not in text


def test_a_reset_reuses_the_scenario_hash_and_start_score_only_for_the_same_object() -> None:
    """``start_episode`` remembers a scenario's content hash and start score per object:
    a changed copy gets its own, and the entry leaves with its scenario."""
    import gc

    from caseops.domain.grader import fmt, potential
    from caseops.statemachine import engine

    base = get_scenario("api_incident_hard")
    first, _ = engine.start_episode(base, "a")
    again, _ = engine.start_episode(base, "b")
    assert (again.scenario_hash, again.start_score) == (first.scenario_hash, first.start_score)
    assert first.scenario_hash == base.content_hash()
    assert first.start_score == fmt(potential(base, []))

    gold = base.gold.model_copy(update={"final_status": "new"})  # met by the empty log
    changed = base.model_copy(update={"gold": gold, "title": "another"})
    other, _ = engine.start_episode(changed, "c")
    assert other.scenario_hash == changed.content_hash() != base.content_hash()
    assert other.start_score == fmt(potential(changed, []))
    assert other.start_score != first.start_score
    key = id(changed)
    assert key in engine._STARTS
    del changed
    gc.collect()
    assert key not in engine._STARTS


def test_generated_scenarios_are_handed_out_again() -> None:
    from caseops.cases.generator import FAMILY_NAMES, generate

    family = FAMILY_NAMES[0]
    assert generate(family, 7) is generate(family, 7)
    assert generate(family, 7) is not generate(family, 8)


def test_record_replace_is_dataclasses_replace_and_stays_frozen() -> None:
    import dataclasses

    from caseops.domain.state import CaseRecord
    from caseops.statemachine.evolve import replace

    record = CaseRecord(episode_id="e", evidence=("ticket",), version=3)
    changes = {"status": "triaged", "version": 4, "seen_actions": frozenset({"x"})}
    out = replace(record, **changes)
    assert out == dataclasses.replace(record, **changes)  # type: ignore[arg-type]
    assert out is not record and record.version == 3 and record.status == "new"
    assert replace(record) == record
    with pytest.raises(dataclasses.FrozenInstanceError):
        out.status = "new"  # type: ignore[misc]
    with pytest.raises(TypeError, match="bogus"):
        replace(record, bogus=1)
