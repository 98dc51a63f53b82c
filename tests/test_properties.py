"""Property tests (hypothesis): any action sequence on any seed case keeps the contracts of
docs/architecture.md (the case machine, the store, grading), in the pure engine and
through the episode service."""

from __future__ import annotations

import uuid
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseops.api.service import EpisodeService
from caseops.canonical import reference_canonical_json
from caseops.cases.catalog import SEED_SCENARIOS
from caseops.domain.actions import MAX_REPLY_CHARS, CaseAction
from caseops.domain.errors import EpisodeAlreadyEnded
from caseops.domain.events import (
    ActionInvalid,
    CustomerReplied,
    EpisodeEnded,
    EpisodeStarted,
    SlaBreached,
    StepEvent,
    TransitionRejected,
)
from caseops.domain.grading import (
    EMPTY_TALLY,
    GradeReport,
    facts,
    grade,
    grade_tally,
    score_of,
    tally_of,
)
from caseops.domain.grading.regrade import Regrader
from caseops.domain.observation import CaseObservation
from caseops.domain.reward import INVALID_COST, REJECTED_COST, REPEAT_COST
from caseops.domain.scenario import Scenario
from caseops.domain.score import PLACES, ZERO, Score
from caseops.domain.vocab import (
    ACTION_TYPES,
    CASE_STATUSES,
    ISSUE_TYPES,
    PRIORITIES,
    QUEUES,
    REQUESTABLE_FIELDS,
    RESOLUTION_CODES,
)
from caseops.eventstore import EventStore
from caseops.statemachine import apply_step, start_episode
from caseops.statemachine.replay import replay

SCENARIOS = list(SEED_SCENARIOS.values())

# Phrases that move the grade: every marker phrase and policy keyword of every seed case,
# plus the policy topic ids, so random replies and searches sometimes score.
PHRASES = sorted(
    {p for s in SCENARIOS for m in (*s.gold.reply_markers, *s.gold.note_markers) for p in m.phrases}
    | {k for s in SCENARIOS for pol in s.policies.values() for k in pol.keywords}
    | {t.replace("_", " ") for s in SCENARIOS for t in s.policies}
)

short_text = st.text(max_size=24)
phrase_text = st.lists(st.sampled_from(PHRASES), min_size=1, max_size=6).map(" ".join)
free_text = st.one_of(
    short_text,
    phrase_text,
    st.just(""),
    st.just("   "),
    st.just("x" * (MAX_REPLY_CHARS + 1)),
)


def maybe(strategy: st.SearchStrategy, p_none: float = 0.15) -> st.SearchStrategy:  # type: ignore[type-arg]
    return st.one_of(st.none(), strategy) if p_none else strategy


@st.composite
def actions(draw: st.DrawFn, scenario: Scenario) -> CaseAction:
    kind = draw(st.sampled_from(ACTION_TYPES))
    fields: dict[str, object] = {}
    artifact = st.sampled_from([*scenario.artifacts, "bogus_artifact"])
    if kind == "inspect_artifact":
        fields["artifact_id"] = draw(maybe(artifact))
    elif kind == "search_policy":
        fields["query"] = draw(maybe(st.one_of(phrase_text.map(lambda t: t[:200]), short_text)))
    elif kind == "draft_reply":
        fields["message"] = draw(maybe(free_text))
    elif kind == "add_internal_note":
        fields["note"] = draw(maybe(free_text))
    elif kind in ("classify", "escalate"):
        fields["queue"] = draw(maybe(st.sampled_from(QUEUES)))
        if kind == "classify":
            fields["priority"] = draw(maybe(st.sampled_from(PRIORITIES)))
            fields["issue_type"] = draw(maybe(st.sampled_from(ISSUE_TYPES)))
    elif kind == "request_info":
        fields["requested_fields"] = draw(
            maybe(st.lists(st.sampled_from(REQUESTABLE_FIELDS), max_size=4))
        )
    elif kind in ("resolve", "submit"):
        fields["resolution_code"] = draw(maybe(st.sampled_from(RESOLUTION_CODES), 0.3))
    # occasionally a stray field the action type ignores
    if draw(st.booleans()) and draw(st.booleans()):
        fields["query"] = fields.get("query") or draw(short_text)
    return CaseAction(action_type=kind, **{k: v for k, v in fields.items() if v is not None})


@st.composite
def episodes(draw: st.DrawFn) -> tuple[Scenario, list[CaseAction]]:
    scenario = draw(st.sampled_from(SCENARIOS))
    acts = draw(st.lists(actions(scenario), min_size=1, max_size=25))
    return scenario, acts


def run_pure(scenario: Scenario, acts: list[CaseAction], episode_id: str = "ep"):  # type: ignore[no-untyped-def]
    """Step ``acts`` through apply_step until the end; returns what happened per step."""
    started, record = start_episode(scenario, episode_id)
    history: list = [started]
    outs = []
    for a in acts:
        if record.done:
            break
        before = record
        out = apply_step(scenario, record, history, a)
        outs.append((a, before, out))
        history += out.events
        record = out.record
    return started, history, record, outs


PROPS = settings(max_examples=50, deadline=None)


@PROPS
@given(episodes())
def test_engine_properties(case: tuple[Scenario, list[CaseAction]]) -> None:
    scenario, acts = case
    started, history, record, outs = run_pure(scenario, acts)
    start = Score.parse(started.start_score)
    assert ZERO <= start <= Score.ratio(1, 1)

    accepted: set[str] = set()
    for a, before, out in outs:
        # score in [0, 1] after every step, and the record carries it
        assert ZERO <= out.score <= Score.ratio(1, 1)
        assert out.record.score == out.score
        assert out.record.status in CASE_STATUSES
        # exactly one step event per step, first; the rest are system events
        first = out.events[0]
        assert isinstance(first, StepEvent)
        assert not any(isinstance(e, StepEvent) for e in out.events[1:])
        assert all(
            isinstance(e, CustomerReplied | SlaBreached | EpisodeEnded) for e in out.events[1:]
        )
        # the recorded numbers are the returned ones
        assert first.reward == str(out.reward)
        assert first.score == str(out.score)
        assert first.cost == str(out.cost)
        assert out.reward == out.score - before.score - out.cost
        assert out.cost >= ZERO
        assert first.step == before.steps_taken + 1
        assert first.from_state == before.status
        if isinstance(first, TransitionRejected):
            assert out.record.status == before.status
            # a rejection changes no grade, unless it spent the last step: the episode
            # then ends and is graded as ended (docs/architecture.md, "Grading")
            assert out.score == before.score or out.record.done
            assert len(out.events) == 1 + sum(
                isinstance(e, SlaBreached | EpisodeEnded) for e in out.events[1:]
            )
            assert not any(isinstance(e, CustomerReplied) for e in out.events)
            assert first.attempted not in first.legal_actions
            assert out.record.rejected_actions == before.rejected_actions + 1
        if isinstance(first, ActionInvalid):
            assert out.record.status == before.status
        # costs: only rejected, invalid or repeated actions are charged
        key = a.fingerprint()
        if isinstance(first, TransitionRejected):
            assert out.cost == REJECTED_COST > ZERO
        elif isinstance(first, ActionInvalid):
            assert out.cost == INVALID_COST > ZERO
        else:
            assert first.repeated == (key in accepted)
            assert out.cost == (REPEAT_COST if key in accepted else ZERO)
            accepted.add(key)
        ended = [e for e in out.events if isinstance(e, EpisodeEnded)]
        assert out.record.done == bool(ended)
        if ended:
            assert ended[0].final_status == out.record.status

    # rewards telescope: sum(rewards) == final score - start potential - sum(costs)
    if outs:
        total = sum((o.reward.exact for _, _, o in outs), Fraction(0))
        costs = sum((o.cost.exact for _, _, o in outs), Fraction(0))
        final = outs[-1][2].score.exact
        assert total == final - start.exact - costs
        assert record.total_reward.exact == total

    # replay reproduces every event, reward, the score and the final status
    rep = replay(history)
    assert rep.matches, rep.mismatches
    assert rep.replayed_rewards == [str(o.reward) for _, _, o in outs]

    # re-grading the canonical payloads (no event models) agrees with the full grade
    rows = [(str(i), e.type, e.canonical()) for i, e in enumerate(history)]
    regraded = Regrader().regrade("ep", rows)
    assert regraded.matches, regraded.problem
    assert regraded.score_exact == rep.grade.score_exact == rep.recorded_score
    assert regraded.score == float(Fraction(regraded.score_exact))  # the float of the exact
    assert (regraded.steps, regraded.final_status) == (rep.grade.steps, rep.final_status)
    assert regraded.done == record.done and regraded.events == len(history)
    assert rep.recorded_rewards == rep.replayed_rewards
    assert Score.parse(rep.replayed_score) == record.score
    assert rep.final_status == record.status
    assert rep.done == record.done
    assert rep.steps == record.steps_taken

    # after the end, nothing more may happen
    if record.done:
        with pytest.raises(EpisodeAlreadyEnded):
            apply_step(scenario, record, history, CaseAction(action_type="review_ticket"))


_STORE: EventStore | None = None


def _service() -> EpisodeService:
    global _STORE
    if _STORE is None:
        _STORE = EventStore("sqlite://")
    return EpisodeService(_STORE)


def assert_valid_observation(obs: CaseObservation) -> None:
    """What ``observe`` builds is exactly what validation makes of its dump (values,
    their types, the fields set)."""
    validated = CaseObservation.model_validate(obs.model_dump(exclude_unset=True))
    assert validated.model_dump_json() == obs.model_dump_json()
    assert validated.model_fields_set == obs.model_fields_set
    assert validated == obs
    for view in (obs, obs.ticket, obs.case, *obs.case_file):
        assert list(view.__dict__) == list(type(view).model_fields)  # the validated order
    # what ``CaseObservation(**kwargs)`` records: every field given but ``metadata``
    assert obs.model_fields_set == set(CaseObservation.model_fields) - {"metadata"}
    assert obs.ticket.model_fields_set == set(type(obs.ticket).model_fields)
    assert obs.case.model_fields_set == set(type(obs.case).model_fields)
    for entry in obs.case_file:
        assert entry.model_fields_set == set(type(entry).model_fields)
    assert type(obs.current_score) is float
    assert obs.reward is None or type(obs.reward) is float


@PROPS
@given(episodes())
def test_service_matches_engine_and_store(case: tuple[Scenario, list[CaseAction]]) -> None:
    scenario, acts = case
    svc = _service()
    eid = f"prop-{uuid.uuid4()}"
    started, history, record, outs = run_pure(scenario, acts, episode_id=eid)
    _, obs0 = svc.start(task_id=scenario.task_id, episode_id=eid)
    assert obs0.current_score == float(Fraction(started.start_score))
    assert obs0.grade_report is None

    assert_valid_observation(obs0)
    for a, _before, out in outs:
        _, obs = svc.step(eid, a)
        assert_valid_observation(obs)
        assert obs.reward == float(out.reward)
        assert obs.current_score == float(out.score)
        assert 0.0 <= obs.current_score <= 1.0
        assert obs.case.status == out.record.status
        assert obs.case.status in CASE_STATUSES
        assert obs.done == out.record.done
        assert (obs.grade_report is not None) == out.record.done
        if isinstance(out.events[0], TransitionRejected | ActionInvalid):
            assert obs.last_action_error

    # the stored log is the engine's log, byte for byte
    stored = svc.store.read(eid)
    assert [r.type for r in stored] == [e.type for e in history]
    assert [r.payload_json for r in stored] == [e.canonical() for e in history]
    assert isinstance(history[0], EpisodeStarted)
    assert svc.store.verify(eid) == []

    # a fresh service (no cache) rebuilds the same state from the log
    fresh = EpisodeService(svc.store, cache_size=0)
    assert fresh.state(eid) == svc.state(eid)
    assert fresh.state(eid).status == record.status

    rep = svc.replay(eid)
    assert rep.matches, rep.mismatches
    assert rep.final_status == record.status
    assert rep.replayed_rewards == [str(o.reward) for _, _, o in outs]

    # re-grading the stored payloads (no event models) agrees with the full grade
    (regraded,) = svc.regrade([eid])
    assert regraded.matches, regraded.problem
    assert regraded.score_exact == rep.grade.score_exact == rep.recorded_score
    assert (regraded.steps, regraded.final_status) == (rep.grade.steps, rep.final_status)
    assert regraded.done == record.done and regraded.events == len(history)

    if record.done:
        version = svc.store.version(eid)
        for s in (svc, fresh):
            with pytest.raises(EpisodeAlreadyEnded):
                s.step(eid, CaseAction(action_type="submit"))
        assert svc.store.version(eid) == version
        assert len(svc.store.read(eid)) == len(stored)


# ------------------------------------------------------------------------------------
# Deterministic regressions for what the properties above found
# ------------------------------------------------------------------------------------
LISTING_ACTIONS = [
    CaseAction(action_type="inspect_artifact", artifact_id="bogus_artifact"),
    CaseAction(action_type="search_policy", query="0"),
    CaseAction(action_type="submit"),
]


@pytest.mark.parametrize("task_id", list(SEED_SCENARIOS))
def test_stored_episode_replays_when_results_list_the_case(task_id: str) -> None:
    """Results that list the case's artifacts or policy topics (an unknown artifact, a
    search that finds nothing) must replay identically from the stored log."""
    svc = _service()
    eid = f"listing-{uuid.uuid4()}"
    svc.start(task_id=task_id, episode_id=eid)
    for a in LISTING_ACTIONS:
        svc.step(eid, a)
    rep = svc.replay(eid)
    assert rep.matches, rep.mismatches


@pytest.mark.parametrize("task_id", list(SEED_SCENARIOS))
def test_another_process_sees_the_same_observation(task_id: str) -> None:
    """A service that rebuilds the episode from the log (as a second server process does)
    must observe exactly what the process that started it observes."""
    svc = _service()
    eid = f"reload-{uuid.uuid4()}"
    _, first = svc.start(task_id=task_id, episode_id=eid)
    other = EpisodeService(svc.store, cache_size=0)
    assert other.observation(eid).model_dump() == svc.observation(eid).model_dump()
    assert other.observation(eid).available_artifacts == first.available_artifacts
    assert other.observation(eid).policy_topics == first.policy_topics
    _, live = svc.step(eid, CaseAction(action_type="inspect_artifact", artifact_id="bogus"))
    assert other.observation(eid).last_action_error == live.last_action_error


@settings(max_examples=500, deadline=None)
@given(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.integers(min_value=1, max_value=10**18),
)
def test_a_score_rounds_half_even_and_its_text_reads_back(num: int, den: int) -> None:
    from decimal import ROUND_HALF_EVEN, Decimal, localcontext

    score = Score.ratio(num, den)
    assert score == Score.of(Fraction(num, den)) == Score.ratio(-num, -den)
    text = str(score)
    with localcontext() as ctx:
        ctx.prec = 80
        want = (Decimal(num) / Decimal(den)).quantize(
            Decimal(1).scaleb(-PLACES), rounding=ROUND_HALF_EVEN
        )
    assert Decimal(text) == want
    assert Score.parse(text) == score
    assert score.exact == Fraction(text)
    assert float(score) == float(Fraction(text))
    assert Score.parse(f"{num}/{den}") == score  # any other number text: exact, then rounded


_json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),  # beyond 64 bits too
    st.text(),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x7F)),  # controls
    st.text(alphabet=st.characters(categories=["Cs", "Zl", "Zp", "Cc", "So"])),
)
_json_values = st.recursive(
    _json_scalars,
    lambda inner: st.one_of(st.lists(inner), st.dictionaries(st.text(), inner)),
    max_leaves=25,
)


@settings(max_examples=1000, deadline=None)
@given(_json_values)
def test_canonical_json_is_the_standard_encoders_bytes(value: object) -> None:
    """The fast canonical encoder (orjson, with a fallback) writes exactly what the
    definition (the standard library's sorted, compact, non-ASCII-escaping encoder)
    writes: the hash chain of every stored event depends on it."""
    from caseops.canonical import canonical_json, reference_canonical_json

    assert canonical_json(value) == reference_canonical_json(value)


@pytest.mark.parametrize(
    "value",
    [
        {"at": __import__("datetime").date(2026, 1, 1)},
        {"id": uuid.uuid4()},
        [1, {"x": 0.5}],
        {"n": __import__("fractions").Fraction(1, 3)},
    ],
)
def test_canonical_json_refuses_what_the_standard_encoder_refuses_and_floats(
    value: object,
) -> None:
    """orjson would write dates and UUIDs; canonical JSON refuses them as the standard
    encoder does, and refuses floats anywhere."""
    from caseops.canonical import canonical_json

    with pytest.raises(TypeError):
        canonical_json(value)


# -- the grader read in pieces ---------------------------------------------------------
# The tally a step carries to the next grades exactly as the whole log read again, so the
# reward of every step (the potential difference, docs/architecture.md "Grading") does not depend on
# whether the tally was kept.

PROPS_TALLY = settings(max_examples=60, deadline=None)


def carried(scenario: Scenario, acts: list[CaseAction]):  # type: ignore[no-untyped-def]
    """Step ``acts`` twice, once carrying each step's tally and once without any; returns
    the history and the pairs of outcomes."""
    started, record = start_episode(scenario, "ep")
    history: list = [started]
    tally = None
    pairs = []
    for a in acts:
        if record.done:
            break
        kept = apply_step(scenario, record, history, a, tally)
        fresh = apply_step(scenario, record, history, a)
        pairs.append((kept, fresh))
        history += kept.events
        record, tally = kept.record, kept.tally
    return history, pairs


@PROPS_TALLY
@given(episodes())
def test_a_carried_tally_steps_exactly_as_the_log_read_again(
    case: tuple[Scenario, list[CaseAction]],
) -> None:
    scenario, acts = case
    history, pairs = carried(scenario, acts)
    for kept, fresh in pairs:
        assert [e.canonical() for e in kept.events] == [e.canonical() for e in fresh.events]
        assert (kept.reward, kept.score, kept.cost) == (fresh.reward, fresh.score, fresh.cost)
        assert kept.record == fresh.record
        assert kept.tally == fresh.tally
        # the potential (numbers only) is the graded report's score (details and all)
        assert kept.score == Score.parse(grade_tally(scenario, kept.tally).score_exact)
    if pairs:
        last = pairs[-1][0].tally
        assert last.read == len(history)
        assert last == tally_of(scenario, history)
        assert score_of(scenario, last) == score_of(scenario, tally_of(scenario, history))
        ids = [f"id-{i}" for i in range(len(history))]
        report = grade_tally(scenario, last, ids)
        assert report == grade(scenario, history, ids)
        # built without validation: exactly what validation makes of it
        validated = GradeReport.model_validate(report.model_dump())
        assert validated == report
        assert validated.model_dump_json() == report.model_dump_json()
        assert validated.model_fields_set == report.model_fields_set
        assert list(report.__dict__) == list(GradeReport.model_fields)
        for c in report.components:
            assert list(c.__dict__) == list(type(c).model_fields)
            assert all(type(getattr(c, f)) is float for f in ("weight", "earned", "points"))
        assert type(report.score) is float


@PROPS_TALLY
@given(episodes(), st.lists(st.integers(min_value=0, max_value=60), max_size=6))
def test_a_log_read_in_any_pieces_tallies_as_read_whole(
    case: tuple[Scenario, list[CaseAction]], cuts: list[int]
) -> None:
    scenario, acts = case
    history, _ = carried(scenario, acts)
    whole = tally_of(scenario, history)
    tally = EMPTY_TALLY
    prev = 0
    for cut in sorted({min(c, len(history)) for c in cuts} | {len(history)}):
        before = tally
        snapshot = (before.read, dict(before.requested), dict(before.evidence), before.notes)
        tally = tally_of(scenario, history[prev:cut], tally)
        # the tally given is never changed
        assert (before.read, dict(before.requested), dict(before.evidence), before.notes) == (
            snapshot
        )
        assert score_of(scenario, tally) == score_of(scenario, tally_of(scenario, history[:cut]))
        prev = cut
    assert tally == whole
    assert tally_of(scenario, []).read == EMPTY_TALLY.read == 0
    empty = score_of(scenario, EMPTY_TALLY)
    assert score_of(scenario, tally_of(scenario, [])) == empty >= ZERO
    assert len(facts(history)) == whole.read


def test_a_tally_of_another_history_is_refused() -> None:
    scenario = SCENARIOS[0]
    started, record = start_episode(scenario, "ep")
    with pytest.raises(ValueError, match="tally has read 0 events; the history has 1"):
        apply_step(
            scenario, record, [started], CaseAction(action_type="review_ticket"), EMPTY_TALLY
        )


@PROPS
@given(episodes())
def test_payloads_read_from_the_fields_are_the_serializers_dump(
    case: tuple[Scenario, list[CaseAction]],
) -> None:
    """``Event.payload`` and ``CaseAction.payload`` read the fields directly: they must
    give what pydantic's JSON-mode dump gives, key order included, and copies that
    leave the model untouched when changed."""
    scenario, acts = case
    for a in acts:
        dumped = a.model_dump(mode="json", exclude_none=True, exclude={"metadata"})
        got = a.payload()
        assert got == dumped and list(got) == list(dumped)
        for v in got.values():
            if isinstance(v, list):
                v.append("changed")
        assert a.payload() == dumped
    _, history, _, _ = run_pure(scenario, acts)
    for e in history:
        dumped = e.model_dump(mode="json")
        got = e.payload()
        assert got == dumped and list(got) == list(dumped)
        assert e.canonical() == reference_canonical_json(dumped)
        for v in got.values():
            if isinstance(v, list):
                v.append("changed")
            elif isinstance(v, dict):
                v["changed"] = 1
        assert e.payload() == dumped
