"""Re-grade: stored episodes graded in bulk from their payloads (domain.grading.regrade),
through the service and the ``caseops regrade`` command."""

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
from caseops.domain.grading.regrade import Regrader
from caseops.eventstore import EventStore


def _edit(store: EventStore, stream_id: str, event_type: str, change) -> None:  # type: ignore[no-untyped-def]
    """Rewrite one stored payload in place (raw SQL, nothing recomputed)."""
    with store.engine.begin() as c:
        row = c.execute(
            text(
                "SELECT position, payload FROM caseops_events "
                "WHERE stream_id = :s AND type = :t ORDER BY version"
            ),
            {"s": stream_id, "t": event_type},
        ).first()
        assert row is not None
        payload = json.loads(row.payload)
        change(payload)
        c.execute(
            text("UPDATE caseops_events SET payload = :p WHERE position = :pos"),
            {"p": canonical_json(payload), "pos": row.position},
        )


@pytest.fixture
def svc(service: EpisodeService) -> EpisodeService:
    """Every seed task played by its oracle, one task half played, one only started."""
    for tid in SEED_SCENARIOS:
        service.start(task_id=tid, episode_id=f"rg-{tid}")
        for a in oracle_actions(get_scenario(tid)):
            service.step(f"rg-{tid}", a)
    service.start(task_id="api_incident_hard", episode_id="rg-half")
    service.step("rg-half", CaseAction(action_type="review_ticket"))
    service.step(
        "rg-half", CaseAction(action_type="resolve", resolution_code="provide_information")
    )
    service.start(task_id="api_incident_hard", episode_id="rg-new")
    return service


def test_regrade_agrees_with_replay_on_every_episode(svc: EpisodeService) -> None:
    results = list(svc.regrade())
    assert len(results) == len(SEED_SCENARIOS) + 2
    for r in results:
        rep = svc.replay(r.episode_id)
        assert r.matches and r.problem is None, r
        assert r.score_exact == rep.grade.score_exact == rep.recorded_score
        assert r.score == rep.grade.score
        assert (r.steps, r.done, r.final_status) == (rep.steps, rep.done, rep.final_status)
        assert r.task_id == rep.task_id
        assert r.events == len(svc.store.read(r.episode_id))
    by_id = {r.episode_id: r for r in results}
    assert by_id["rg-new"].steps == 0 and not by_id["rg-new"].done
    assert by_id["rg-half"].steps == 2


def test_regrade_only_the_episodes_asked_in_that_order(svc: EpisodeService) -> None:
    asked = ["rg-new", "no-such-episode", "rg-half"]
    results = list(svc.regrade(asked))
    assert [r.episode_id for r in results] == asked
    assert results[1].problem == "no events" and not results[1].matches
    assert results[0].matches and results[2].matches


def test_an_edited_decision_is_caught(svc: EpisodeService) -> None:
    """Changing the queue a step recorded changes the grade, so the recorded score no
    longer agrees; the other episodes are untouched."""
    eid = "rg-damaged_mug_replacement"

    def reroute(p: dict) -> None:
        p["queue"] = "security" if p["queue"] != "security" else "billing"

    _edit(svc.store, eid, "CaseClassified", reroute)
    by_id = {r.episode_id: r for r in svc.regrade()}
    bad = by_id.pop(eid)
    assert not bad.matches and "recorded score" in (bad.problem or "")
    assert bad.score < 1.0
    assert all(r.matches for r in by_id.values())


def test_a_kinder_gold_in_the_snapshot_is_caught(svc: EpisodeService) -> None:
    """Two episodes of one scenario: editing the gold of one snapshot (keeping its
    claimed hash) is not hidden by the other's cached, intact snapshot."""
    svc.start(task_id="api_incident_hard", episode_id="rg-new-2")

    def kinder(p: dict) -> None:
        p["scenario"]["gold"]["required_evidence"] = ["ticket"]

    _edit(svc.store, "rg-new-2", "EpisodeStarted", kinder)
    results = {r.episode_id: r for r in svc.regrade(["rg-new", "rg-new-2", "rg-new"])}
    assert results["rg-new"].matches
    assert results["rg-new-2"].problem == "scenario snapshot does not match its recorded hash"


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        ([], "no events"),
        ([("e1", "TicketReviewed", "{}")], "the first event is TicketReviewed"),
        ([("e1", "EpisodeStarted", "{}")], "a payload does not fit its type"),
        ([("e1", "EpisodeStarted", "not json")], "a payload does not fit its type"),
    ],
)
def test_a_broken_log_is_a_result_not_an_exception(
    rows: list[tuple[str, str, str]], problem: str
) -> None:
    r = Regrader().regrade("ep", rows)
    assert not r.matches and (r.problem or "").startswith(problem)


@pytest.mark.parametrize(
    ("field", "value"), [("to_state", 5), ("to_state", None), ("step", "2"), ("step", None)]
)
def test_a_field_of_the_wrong_type_is_a_result_not_an_exception(
    svc: EpisodeService, field: str, value: object
) -> None:
    """A final status that is not text, a step that is not a number: reported for that
    episode (the grader compares them, the result cannot carry them), the other
    episodes still graded."""
    _edit(svc.store, "rg-half", "TransitionRejected", lambda p: p.update({field: value}))
    by_id = {r.episode_id: r for r in svc.regrade()}
    bad = by_id.pop("rg-half")
    assert not bad.matches and (bad.problem or "").startswith("a payload does not fit")
    assert all(r.matches for r in by_id.values())


def test_an_unknown_event_type_is_reported(svc: EpisodeService) -> None:
    rows = next(iter(svc.store.read_payloads(["rg-half"])))[1]
    rows = [*rows, ("x", "Mystery", "{}")]
    r = Regrader().regrade("rg-half", rows)
    assert not r.matches and r.problem == f"event {len(rows)}: unknown type Mystery"


# -- worker processes -----------------------------------------------------------------
def test_workers_give_one_process_results_in_order(
    svc: EpisodeService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks of two streams across two forked workers: the same results, in the order
    asked, an unknown and a repeated id included; through the service as well."""
    import threading

    from caseops.api import regrade_jobs

    assert threading.active_count() == 1  # forking is safe here (see can_fork)
    url = svc.store.url
    asked = [*svc.store.stream_ids(), "rg-none", "rg-half", "rg-new"]
    expected = list(svc.regrade(asked))
    assert list(regrade_jobs.regrade_in_workers(url, asked, jobs=2, chunk=2)) == expected
    monkeypatch.setattr(regrade_jobs, "CHUNK", 2)
    started: list[int] = []
    real = regrade_jobs._results
    monkeypatch.setattr(
        regrade_jobs, "_results", lambda u, c, w: (started.append(w), real(u, c, w))[1]
    )
    assert list(svc.regrade(asked, jobs=2)) == expected
    assert started == [2]  # the service did use two workers
    assert expected[-3].problem == "no events" and expected[-2] == expected[asked.index("rg-half")]


def test_an_edit_is_seen_by_the_workers(svc: EpisodeService) -> None:
    from caseops.api.regrade_jobs import regrade_in_workers

    eid = "rg-damaged_mug_replacement"

    def reroute(p: dict) -> None:  # type: ignore[type-arg]
        p["queue"] = "security" if p["queue"] != "security" else "billing"

    _edit(svc.store, eid, "CaseClassified", reroute)
    ids = svc.store.stream_ids()
    by_id = {r.episode_id: r for r in regrade_in_workers(svc.store.url, ids, jobs=2, chunk=1)}
    assert not by_id[eid].matches and "recorded score" in (by_id[eid].problem or "")
    assert sum(not r.matches for r in by_id.values()) == 1


def test_a_worker_that_cannot_read_raises_in_the_caller(tmp_path: Path) -> None:
    """A store without the schema: each worker's read fails; the store's own error comes
    back to the caller (pickled across the pipe), not a hang or a pool error."""
    import sqlite3

    from caseops.api.regrade_jobs import regrade_in_workers
    from caseops.eventstore import OperationalError

    url = sqlite_url(tmp_path, "other.db")
    with sqlite3.connect(tmp_path / "other.db") as c:  # another program's database
        c.execute("PRAGMA journal_mode=WAL")
        c.execute("CREATE TABLE notes (body TEXT)")
    with pytest.raises(OperationalError, match="caseops_events"):
        list(regrade_in_workers(url, ["a", "b", "c"], jobs=2, chunk=1))


def _die(stream_ids: object) -> None:
    """A worker that dies as the out-of-memory killer would leave it."""
    import os

    os._exit(9)


def test_a_worker_that_dies_fails_the_regrade_instead_of_hanging(
    svc: EpisodeService, monkeypatch: pytest.MonkeyPatch
) -> None:
    from concurrent.futures.process import BrokenProcessPool

    from caseops.api import regrade_jobs

    monkeypatch.setattr(regrade_jobs, "_regrade_chunk", _die)  # forked: the child has it
    with pytest.raises(BrokenProcessPool):
        list(regrade_jobs.regrade_in_workers(svc.store.url, ["rg-new", "rg-half"], 2, 1))


def test_no_fork_while_another_thread_runs_nor_for_a_store_in_memory(
    svc: EpisodeService,
) -> None:
    """A second thread (a server's, a notebook's) could hold a lock at the fork that
    the child would wait on for ever: the re-grade then runs in this process."""
    import threading

    from caseops.api.regrade_jobs import can_fork

    assert can_fork(svc.store.url)
    assert not can_fork("sqlite://") and not can_fork("sqlite:///:memory:")
    expected = list(svc.regrade())
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not can_fork(svc.store.url)
        assert list(svc.regrade(jobs=4)) == expected  # in this process, same answer
    finally:
        stop.set()
        other.join()


def test_an_in_memory_store_is_regraded_in_process() -> None:
    store = EventStore("sqlite://")
    try:
        svc = EpisodeService(store)
        svc.start(task_id="damaged_mug_replacement", episode_id="mem")
        (r,) = svc.regrade(jobs=4)  # workers could not see this process's memory
        assert r.episode_id == "mem" and r.matches
    finally:
        store.dispose()


def test_a_callers_own_gc_freeze_is_left_as_it_was(svc: EpisodeService) -> None:
    import gc

    from caseops.api.regrade_jobs import regrade_in_workers

    ids = svc.store.stream_ids()
    assert gc.get_freeze_count() == 0
    list(regrade_in_workers(svc.store.url, ids, jobs=2, chunk=2))
    assert gc.get_freeze_count() == 0  # frozen for the fork only
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        list(regrade_in_workers(svc.store.url, ids, jobs=2, chunk=2))
        assert gc.get_freeze_count() >= frozen > 0
    finally:
        gc.unfreeze()


def test_auto_jobs_starts_workers_only_where_they_pay() -> None:
    from caseops.api.regrade_jobs import EPISODES_PER_WORKER, MAX_AUTO_JOBS, auto_jobs

    assert auto_jobs(0, cpus=8) == auto_jobs(2 * EPISODES_PER_WORKER - 1, cpus=8) == 1
    assert auto_jobs(2 * EPISODES_PER_WORKER, cpus=8) == 2
    assert auto_jobs(100 * EPISODES_PER_WORKER, cpus=64) == MAX_AUTO_JOBS
    assert auto_jobs(100 * EPISODES_PER_WORKER, cpus=1) == 1
    assert auto_jobs(10) == 1  # the machine's CPU count, whatever it is


def test_bad_job_counts_are_refused_at_the_call(svc: EpisodeService) -> None:
    from caseops.api.regrade_jobs import regrade_in_workers

    with pytest.raises(ValueError, match="jobs must be 0"):
        svc.regrade(jobs=-1)  # not deferred to the first result
    with pytest.raises(ValueError, match="at least 1"):
        regrade_in_workers(svc.store.url, ["x"], jobs=0)


# -- the command ----------------------------------------------------------------------
@pytest.fixture
def db(tmp_path: Path) -> str:
    url = sqlite_url(tmp_path, "regrade.db")
    store = EventStore(url)
    svc = EpisodeService(store)
    for eid in ("cli-a", "cli-b"):
        svc.start(task_id="damaged_mug_replacement", episode_id=eid)
        for a in oracle_actions(get_scenario("damaged_mug_replacement")):
            svc.step(eid, a)
    store.dispose()
    return url


def _run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args), env=clean_env(COLUMNS="200"))


def test_cli_regrade_all_then_one_after_an_edit(db: str) -> None:
    r = _run("regrade", "--db", db)
    assert r.exit_code == 0, r.output
    assert "cli-a" in r.output and "cli-b" in r.output
    assert "2 episode(s) re-graded" in r.output and "0 differ" in r.output
    store = EventStore(db)
    try:
        _edit(store, "cli-b", "ReplyDrafted", lambda p: p.update(message="Sorry."))
    finally:
        store.dispose()
    r = _run("regrade", "--db", db, "--json")
    assert r.exit_code == 1, r.output
    lines = [json.loads(x) for x in r.stdout.splitlines() if x.startswith("{")]
    assert [x["matches"] for x in lines] == [True, False]
    r = _run("regrade", "cli-a", "--db", db)
    assert r.exit_code == 0 and "1 episode(s) re-graded" in r.output
    r = _run("regrade", "--db", db, "--json", "--jobs", "2")  # forked workers, same answer
    assert r.exit_code == 1, r.output
    assert [json.loads(x)["matches"] for x in r.stdout.splitlines() if x.startswith("{")] == [
        True,
        False,
    ]
    for bad in ("-1", "65"):
        r = _run("regrade", "--db", db, "--jobs", bad)
        assert r.exit_code == 2 and "jobs" in r.output
