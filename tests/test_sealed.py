"""The sealed score: answers unreadable without the admin token, terminal rewards, the
private test split, the keyed hash chain, and a grader under which harmful or undone work
never pays (docs/architecture.md, "Evaluation integrity")."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from conftest import oracle_actions, sqlite_url
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hst
from sqlalchemy import text

from caseops.api.app import create_caseops_app
from caseops.api.service import EpisodeService
from caseops.api.settings import Settings
from caseops.cases.catalog import SEED_SCENARIOS, get_scenario
from caseops.cases.generator import generate, parse_task_id
from caseops.domain.actions import CaseAction
from caseops.domain.errors import InvalidRequest
from caseops.domain.grader import grade, parse_exact
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
from caseops.eventstore.store import chain_hash
from caseops.statemachine import apply_step, start_episode
from caseops.statemachine.projection import observe

TOKEN = "s3cret-token"
VOCAB = (
    *CASE_STATUSES,
    *ACTION_TYPES,
    *QUEUES,
    *PRIORITIES,
    *ISSUE_TYPES,
    *RESOLUTION_CODES,
    *REQUESTABLE_FIELDS,
)
TASK = "damaged_mug_replacement"
ADMIN = {"authorization": f"Bearer {TOKEN}"}


def _gold_strings(task_id: str) -> list[str]:
    """Answer strings that the case's public text does not contain."""
    s = get_scenario(task_id)
    public = json.dumps(s.model_dump(mode="json", exclude={"gold"}))
    public += " ".join(v.replace("_", " ") + " " + v for v in VOCAB)
    g = s.gold
    out = {
        p
        for m in (*g.reply_points, *g.note_points, *g.forbidden_claims)
        for p in (*m.phrases, *m.facts)
    }
    return sorted(p for p in out if len(p) > 5 and p not in public)


# ------------------------------------------------------------------------------------
# Sealed serving
# ------------------------------------------------------------------------------------
def test_sealed_server_serves_no_answers_without_the_token(tmp_path: Path) -> None:
    app = create_caseops_app(
        settings=Settings(database_url=sqlite_url(tmp_path, "sealed.db"), admin_token=TOKEN)
    )
    gold = _gold_strings(TASK)
    seen: list[str] = []
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.post("/reset", json={"task_id": TASK})
        seen.append(r.text)
        eid = r.json()["observation"]["episode_id"]
        for a in oracle_actions(get_scenario(TASK)):
            r = c.post("/step", json={"action": a.payload(), "episode_id": eid})
            assert r.status_code == 200, r.text
            body = r.json()
            body["observation"].pop("case")  # the agent's own reply and notes, echoed
            body["observation"]["last_tool_result"] = None
            seen.append(json.dumps(body))
        final = r.json()["observation"]
        assert r.json()["done"] is True
        # the agent learns its score, not which answer was right where
        assert final["grade_report"]["score"] >= 0.99
        assert final["grade_report"]["components"] == []
        seen.append(c.get("/state", params={"episode_id": eid}).text)
        for path in (f"/episodes/{eid}", f"/episodes/{eid}/events", f"/episodes/{eid}/replay"):
            refused = c.get(path)
            assert refused.status_code == 401, (path, refused.text)
            seen.append(refused.text)
        # the same task again: still nothing to read
        again = c.post("/reset", json={"task_id": TASK})
        seen.append(again.text)
        blob = "\n".join(seen).lower()
        for phrase in gold:
            assert phrase.lower() not in blob, phrase
        for key in ('"gold"', "required_evidence", "reply_points", "forbidden_claims"):
            assert key not in blob, key
        # the administrator reads everything
        events = c.get(f"/episodes/{eid}/events", headers=ADMIN).json()["events"]
        assert events[0]["payload"]["scenario"]["gold"]["queue"] == "fulfillment"
        replayed = c.get(f"/episodes/{eid}/replay", headers=ADMIN).json()
        assert replayed["matches"] is True and replayed["grade"]["components"]
    app.state.service.store.dispose()


def test_open_server_shows_the_full_report_at_the_end(service: EpisodeService) -> None:
    _, obs = service.start(task_id=TASK)
    for a in oracle_actions(get_scenario(TASK)):
        _, obs = service.step(obs.episode_id, a)
    assert obs.grade_report is not None
    names = [c["name"] for c in obs.grade_report["components"]]
    assert "final_status" in names and "evidence" in names


# ------------------------------------------------------------------------------------
# Reward modes
# ------------------------------------------------------------------------------------
def test_terminal_mode_pays_only_the_final_score(service: EpisodeService) -> None:
    loaded, obs = service.start(task_id=TASK, reward_mode="terminal")
    assert obs.reward_mode == "terminal" and obs.current_score is None
    assert loaded.history[0].reward_mode == "terminal"  # type: ignore[attr-defined]
    eid = obs.episode_id
    rewards: list[float] = []
    acts = oracle_actions(get_scenario(TASK))
    for a in acts:
        _, obs = service.step(eid, a)
        rewards.append(float(obs.reward or 0))
        if not obs.done:
            assert obs.current_score is None
            assert service.state(eid).score is None
    assert rewards[:-1] == [0.0] * (len(acts) - 1)
    assert obs.current_score is not None and rewards[-1] == pytest.approx(obs.current_score)
    assert service.state(eid).score == pytest.approx(rewards[-1])
    rep = service.replay(eid)
    assert rep.matches, rep.mismatches


def test_terminal_mode_charges_no_cost_and_sums_to_the_score() -> None:
    s = get_scenario(TASK)
    started, record = start_episode(s, "t", "terminal")
    history: list[Any] = [started]
    total = Fraction(0)
    plan = [CaseAction(action_type="resolve", resolution_code="issue_refund")]  # illegal
    plan += oracle_actions(s)
    for a in plan:
        if record.done:
            break
        out = apply_step(s, record, history, a)
        history += out.events
        record = out.record
        total += out.reward
        assert out.cost == 0
    assert total == parse_exact(record.score) == Fraction(grade(s, history).score_exact)


def test_server_reward_mode_cannot_be_overridden(tmp_path: Path) -> None:
    svc = EpisodeService(EventStore(sqlite_url(tmp_path)), reward_mode="terminal")
    try:
        _, obs = svc.start(task_id=TASK)
        assert obs.reward_mode == "terminal"
        with pytest.raises(InvalidRequest, match="reward_mode"):
            svc.start(task_id=TASK, reward_mode="dense")
        with pytest.raises(InvalidRequest, match="reward_mode"):
            svc.start(task_id=TASK, reward_mode="sparse")
    finally:
        svc.store.dispose()


def test_reward_mode_over_http(tmp_path: Path) -> None:
    app = create_caseops_app(settings=Settings(database_url=sqlite_url(tmp_path, "m.db")))
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.post("/reset", json={"task_id": TASK, "reward_mode": "terminal"})
        assert r.status_code == 200 and r.json()["observation"]["current_score"] is None
        bad = c.post("/reset", json={"task_id": TASK, "reward_mode": "sparse"})
        assert bad.status_code == 422 and "reward_mode" in bad.text
    app.state.service.store.dispose()


# ------------------------------------------------------------------------------------
# Observations carry nothing derived from the answer
# ------------------------------------------------------------------------------------
def test_budget_difficulty_title_objective_do_not_depend_on_the_answer() -> None:
    for family in ("damaged_item", "refund_window", "account_takeover", "api_outage"):
        seen: dict[str, set[Any]] = {"budget": set(), "difficulty": set(), "objective": set()}
        outcomes = set()
        for seed in range(60):
            s = generate(family, seed)
            seen["budget"].add(s.step_budget)
            seen["difficulty"].add(s.difficulty)
            seen["objective"].add(s.objective)
            outcomes.add((s.gold.final_status, s.gold.resolution_code, s.gold.requested_fields))
        assert len(outcomes) > 1
        assert all(len(v) == 1 for v in seen.values()), (family, seen)


# ------------------------------------------------------------------------------------
# The private test split
# ------------------------------------------------------------------------------------
def test_test_salt_changes_only_the_test_split(tmp_path: Path) -> None:
    test_id, train_id = "damaged_item/8", "damaged_item/1"
    assert get_scenario(test_id, "salt-a") != get_scenario(test_id)
    assert get_scenario(test_id, "salt-a") != get_scenario(test_id, "salt-b")
    assert get_scenario(test_id, "salt-a") == get_scenario(test_id, "salt-a")
    assert get_scenario(train_id, "salt-a") == get_scenario(train_id)
    assert parse_task_id(test_id) == ("damaged_item", 8)
    svc = EpisodeService(EventStore(sqlite_url(tmp_path)), test_salt="salt-a")
    try:
        loaded, _ = svc.start(task_id=test_id)
        started = loaded.history[0]
        assert started.salt_hash and "salt-a" not in started.canonical()  # type: ignore[attr-defined]
        assert started.scenario == get_scenario(test_id, "salt-a").model_dump(mode="json")  # type: ignore[attr-defined]
        train, _ = svc.start(task_id=train_id)
        assert train.history[0].salt_hash is None  # type: ignore[attr-defined]
        assert svc.replay(loaded.record.episode_id).matches
    finally:
        svc.store.dispose()


# ------------------------------------------------------------------------------------
# The keyed hash chain
# ------------------------------------------------------------------------------------
def _rehash_unkeyed(store: EventStore, stream: str, new_stream: str | None = None) -> None:
    """Rewrite a stream's hashes with the plain sha256 chain (what anyone with write
    access but without the key can do), optionally under another stream id."""
    recs = store.read(stream)
    prev = "0" * 64
    target = new_stream or stream
    with store.engine.begin() as c:
        for r in recs:
            h = chain_hash(prev, target, r.version, r, r.payload_json, r.recorded_at)
            c.execute(
                text(
                    "UPDATE caseops_events SET hash = :h, prev_hash = :p, stream_id = :s "
                    "WHERE event_id = :e"
                ),
                {"h": h, "p": prev, "s": target, "e": r.event_id},
            )
            prev = h
        c.execute(
            text("UPDATE caseops_streams SET last_hash = :h WHERE stream_id = :s"),
            {"h": prev, "s": stream},
        )
        if new_stream:
            c.execute(
                text("UPDATE caseops_streams SET stream_id = :n WHERE stream_id = :s"),
                {"n": new_stream, "s": stream},
            )


def _played(store: EventStore, episode_id: str) -> EpisodeService:
    svc = EpisodeService(store, cache_size=0)
    svc.start(task_id=TASK, episode_id=episode_id)
    for a in oracle_actions(get_scenario(TASK)):
        svc.step(episode_id, a)
    return svc


def test_keyed_chain_catches_a_rehashed_edit(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    keyed = EventStore(url, chain_key="k1")
    try:
        svc = _played(keyed, "ep-1")
        assert keyed.verify("ep-1") == []
        assert svc.replay("ep-1").matches
        # an edit rehashed without the key
        rec = keyed.read("ep-1")[2]
        forged = rec.payload_json.replace('"reward":"', '"reward":"0.9')
        with keyed.engine.begin() as c:
            c.execute(
                text("UPDATE caseops_events SET payload = :p WHERE event_id = :e"),
                {"p": forged, "e": rec.event_id},
            )
        _rehash_unkeyed(keyed, "ep-1")
        problems = keyed.verify("ep-1")
        assert problems and any("chain key" in p for p in problems)
        assert not svc.replay("ep-1").matches
        assert not next(iter(svc.regrade(["ep-1"]))).matches
        # the same store read without the key: the plain chain holds (no key, no check)
        plain = EventStore(url)
        assert plain.verify("ep-1") == []
        plain.dispose()
    finally:
        keyed.dispose()


def test_keyed_chain_catches_a_copied_stream(tmp_path: Path) -> None:
    keyed = EventStore(sqlite_url(tmp_path), chain_key="k1")
    try:
        _played(keyed, "ep-src")
        _rehash_unkeyed(keyed, "ep-src", "ep-copy")
        assert keyed.verify("ep-copy")
        other_key = EventStore(keyed.url, chain_key="k2")
        _played(other_key, "ep-k2")
        assert other_key.verify("ep-k2") == [] and keyed.verify("ep-k2")
        other_key.dispose()
    finally:
        keyed.dispose()


# ------------------------------------------------------------------------------------
# Shaping pays only for real work
# ------------------------------------------------------------------------------------
def _potential_after(s: Any, actions: list[CaseAction]) -> tuple[Fraction, Any, list[Any]]:
    started, record = start_episode(s, "p")
    history: list[Any] = [started]
    for a in actions:
        if record.done:
            break
        out = apply_step(s, record, history, a)
        history += out.events
        record = out.record
    return parse_exact(record.score), record, history


def test_collecting_everything_is_worse_than_what_the_case_needs() -> None:
    s = get_scenario(TASK)
    oracle = oracle_actions(s)
    final = oracle[-1]
    everything = [
        *oracle[:-1],
        *(CaseAction(action_type="inspect_artifact", artifact_id=a) for a in s.artifacts),
        final,
    ]
    right, _, _ = _potential_after(s, oracle)
    stuffed, _, _ = _potential_after(s, everything)
    assert stuffed < right


def test_a_wrong_outcome_scores_nothing() -> None:
    s = get_scenario(TASK)
    oracle = oracle_actions(s)
    wrong = [*oracle[:-1], CaseAction(action_type="resolve", resolution_code="no_action_needed")]
    score, record, history = _potential_after(s, wrong)
    assert record.done and score == 0
    report = grade(s, history)
    assert report.outcome_ok is False and "wrong outcome" in report.outcome


def test_changing_a_classification_costs() -> None:
    s = get_scenario(TASK)
    started, record = start_episode(s, "c")
    history: list[Any] = [started]
    first = CaseAction(
        action_type="classify", queue="billing", priority="low", issue_type="general_inquiry"
    )
    second = first.model_copy(update={"queue": "fulfillment"})
    costs = []
    for a in (first, second, first):
        out = apply_step(s, record, history, a)
        history += out.events
        record = out.record
        costs.append(out.cost)
    assert costs[0] == 0 and costs[1] > 0 and costs[2] > 0


def _wrong_moves(s: Any) -> list[CaseAction]:
    """Actions that move the case away from its right outcome."""
    g = s.gold
    moves = [CaseAction(action_type="submit")]
    for q in QUEUES:
        if q != g.queue:
            moves.append(
                CaseAction(
                    action_type="classify", queue=q, priority=g.priority, issue_type=g.issue_type
                )
            )
        if not g.escalates or q != g.queue:
            moves.append(CaseAction(action_type="escalate", queue=q))
    for f in REQUESTABLE_FIELDS:
        if f not in g.requested_fields:
            moves.append(CaseAction(action_type="request_info", requested_fields=[f]))
    if g.resolution_code:
        moves.append(CaseAction(action_type="resolve", resolution_code="no_action_needed"))
    return moves


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    task=hst.sampled_from([*sorted(SEED_SCENARIOS), "damaged_item/3", "account_takeover/5"]),
    prefix=hst.integers(min_value=0, max_value=12),
    pick=hst.integers(min_value=0, max_value=10_000),
)
def test_no_wrong_move_has_a_positive_reward(task: str, prefix: int, pick: int) -> None:
    s = get_scenario(task)
    oracle = oracle_actions(s)[:-1]
    started, record = start_episode(s, "w")
    history: list[Any] = [started]
    for a in oracle[:prefix]:
        out = apply_step(s, record, history, a)
        history += out.events
        record = out.record
    moves = _wrong_moves(s)
    move = moves[pick % len(moves)]
    if record.done:
        return
    out = apply_step(s, record, history, move)
    assert out.reward <= 0, (task, prefix, move.payload(), float(out.reward))


def test_observation_before_the_end_is_the_same_for_every_answer() -> None:
    """Two cases of one family with different answers show the same metadata."""
    a, b = generate("damaged_item", 0), generate("damaged_item", 1)
    first = observe(a, start_episode(a, "a")[1])
    second = observe(b, start_episode(b, "b")[1])
    for field in ("difficulty", "objective", "remaining_steps", "reward_mode"):
        assert getattr(first, field) == getattr(second, field)
