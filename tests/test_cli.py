"""The ``caseops`` command line: tasks, episodes, replay (exit codes 0/1/2), audit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import clean_env, oracle_actions, sqlite_url
from sqlalchemy import text
from typer.testing import CliRunner

from caseops.api.cli import app
from caseops.api.service import EpisodeService
from caseops.canonical import canonical_json
from caseops.cases.catalog import SEED_SCENARIOS, get_scenario
from caseops.domain.actions import CaseAction
from caseops.eventstore import EventStore

TASK = "damaged_mug_replacement"
EP = "cli-ep-1"


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("CASEOPS_DATABASE_URL", raising=False)
    return CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    """An SQLite store holding one finished oracle episode (EP) with one rejection, and
    one running episode."""
    url = sqlite_url(tmp_path, "cli.db")
    store = EventStore(url)
    svc = EpisodeService(store)
    svc.start(task_id=TASK, episode_id=EP)
    svc.step(EP, CaseAction(action_type="resolve", resolution_code="send_replacement"))
    for a in oracle_actions(get_scenario(TASK)):
        svc.step(EP, a)
    svc.start(task_id="api_incident_hard", episode_id="cli-ep-running")
    svc.step("cli-ep-running", CaseAction(action_type="review_ticket"))
    store.dispose()
    return url


def invoke(runner: CliRunner, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env=clean_env(COLUMNS="200"))


def test_tasks_lists_the_six_ids(runner: CliRunner) -> None:
    r = invoke(runner, "tasks")
    assert r.exit_code == 0, r.output
    for tid in SEED_SCENARIOS:
        assert tid in r.output
    assert "6 tasks" in r.output


def test_tasks_unknown_split_exits_2(runner: CliRunner) -> None:
    r = invoke(runner, "tasks", "--split", "nope")
    assert r.exit_code == 2


def test_replay_one_episode(runner: CliRunner, db: str) -> None:
    r = invoke(runner, "replay", EP, "--db", db)
    assert r.exit_code == 0, r.output
    assert "matches" in r.output
    store = EventStore(db)
    try:
        rep = EpisodeService(store).replay(EP)
    finally:
        store.dispose()
    assert f"score {rep.grade.score:.3f}" in r.output
    assert rep.grade.score >= 0.9


def test_replay_json(runner: CliRunner, db: str) -> None:
    r = invoke(runner, "replay", EP, "--db", db, "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["episode_id"] == EP and data["matches"] is True
    assert data["recorded_score"] == data["replayed_score"]


def test_replay_all_skips_running_episodes_and_ends_with_a_summary(
    runner: CliRunner, db: str
) -> None:
    r = invoke(runner, "replay", "--all", "--db", db)
    assert r.exit_code == 0, r.output
    assert EP in r.output and "cli-ep-running" not in r.output
    last = r.output.strip().splitlines()[-1]
    assert "1 episode(s) replayed" in last and "1 match the log, 0 differ" in last
    assert "1 still running (skipped)" in last


def test_replay_of_a_running_episode_is_refused_as_over_http(runner: CliRunner, db: str) -> None:
    """The CLI gives the answer GET /episodes/{id}/replay gives (409 there): a refusal,
    exit 2, one line, no report."""
    r = invoke(runner, "replay", "cli-ep-running", "--db", db)
    assert r.exit_code == 2, r.output
    assert r.output.strip().count("\n") == 0
    assert "still running" in r.output and "matches the log" not in r.output


def test_replay_without_target_exits_2(runner: CliRunner, db: str) -> None:
    assert invoke(runner, "replay", "--db", db).exit_code == 2


def test_replay_unknown_episode_exits_2(runner: CliRunner, db: str) -> None:
    r = invoke(runner, "replay", "no-such-episode", "--db", db)
    assert r.exit_code == 2


def _tamper_reward(db: str) -> None:
    """Change one stored step's reward in place (raw SQL; nothing recomputed)."""
    store = EventStore(db)
    try:
        with store.engine.begin() as c:
            row = c.execute(
                text(
                    "SELECT position, payload FROM caseops_events "
                    "WHERE stream_id = :s AND type = 'TicketReviewed'"
                ),
                {"s": EP},
            ).first()
            assert row is not None
            payload = json.loads(row.payload)
            assert payload["reward"] != "0.500000000000"
            payload["reward"] = "0.500000000000"
            c.execute(
                text("UPDATE caseops_events SET payload = :p WHERE position = :pos"),
                {"p": canonical_json(payload), "pos": row.position},
            )
    finally:
        store.dispose()


def test_tampered_reward_fails_replay_and_audit(runner: CliRunner, db: str) -> None:
    assert invoke(runner, "audit", "--verify", "--db", db).exit_code == 0
    _tamper_reward(db)
    r = invoke(runner, "replay", EP, "--db", db)
    assert r.exit_code == 1, r.output
    assert "DIFFERS" in r.output
    r = invoke(runner, "replay", "--all", "--db", db)
    assert r.exit_code == 1, r.output
    r = invoke(runner, "audit", "--verify", "--db", db)
    assert r.exit_code == 1, r.output
    assert EP in r.output
    # the running episode is refused, as over HTTP
    assert invoke(runner, "replay", "cli-ep-running", "--db", db).exit_code == 2


def test_audit_lists_rejections(runner: CliRunner, db: str) -> None:
    r = invoke(runner, "audit", "--db", db)
    assert r.exit_code == 0, r.output
    assert "1 rejected transitions" in r.output
    assert EP in r.output and "resolve" in r.output and "new" in r.output


def test_audit_verify_passes_on_an_intact_store(runner: CliRunner, db: str) -> None:
    r = invoke(runner, "audit", "--verify", "--db", db)
    assert r.exit_code == 0, r.output
    assert "2 streams verified" in r.output


def test_episodes_lists_the_episodes(runner: CliRunner, db: str) -> None:
    r = invoke(runner, "episodes", "--db", db)
    assert r.exit_code == 0, r.output
    assert EP in r.output and "cli-ep-running" in r.output
    assert "2 episodes" in r.output


def test_edited_scenario_snapshot_fails_replay(runner: CliRunner, db: str) -> None:
    """Rewriting the gold pinned in EpisodeStarted (to re-grade an episode more kindly)
    must be caught by replay (the snapshot no longer matches its recorded hash)."""
    store = EventStore(db)
    try:
        with store.engine.begin() as c:
            row = c.execute(
                text(
                    "SELECT position, payload FROM caseops_events "
                    "WHERE stream_id = :s AND type = 'EpisodeStarted'"
                ),
                {"s": EP},
            ).first()
            payload = json.loads(row.payload)
            payload["scenario"]["gold"]["required_evidence"] = ["ticket"]
            c.execute(
                text("UPDATE caseops_events SET payload = :p WHERE position = :pos"),
                {"p": canonical_json(payload), "pos": row.position},
            )
    finally:
        store.dispose()
    r = invoke(runner, "replay", EP, "--db", db, "--json")
    assert r.exit_code == 1, r.output
    data = json.loads(r.output)
    assert data["scenario_hash_ok"] is False and data["matches"] is False
    assert invoke(runner, "audit", "--verify", "--db", db).exit_code == 1
