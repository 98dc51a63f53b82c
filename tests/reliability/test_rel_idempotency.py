"""Requirement 2: idempotent retries.

``POST /step`` with a ``request_id`` already applied returns the identical response and
the stream version does not move: right away, for older requests, after the end, and
after the server process was SIGKILLed and started again on the same database. Also at
the service level: a retry that races with another client's step must still answer with
what was stored, and must not poison the process's episode cache.
"""

from __future__ import annotations

from typing import Any

import httpx
from rel_support import (
    ServerPool,
    check_stream,
    oracle_wire,
    reset_http,
    restart,
    step_body,
    step_records,
)

from caseops.api.service import EpisodeService
from caseops.cases.catalog import get_scenario
from caseops.domain.actions import CaseAction
from caseops.eventstore import EventStore
from caseops.statemachine.agents import oracle_actions

TASK = "duplicate_charge_refund"


def _version(c: httpx.Client, base: str, eid: str) -> int:
    r = c.get(f"{base}/episodes/{eid}")
    assert r.status_code == 200, r.text
    return int(r.json()["version"])


def test_retried_request_id_returns_identical_response_across_restart(
    sqlite_db: str, servers: ServerPool
) -> None:
    srv = servers.one(sqlite_db)
    actions = oracle_wire(TASK)
    answers: dict[str, dict[str, Any]] = {}
    with httpx.Client(timeout=30) as c:
        eid = reset_http(c, srv.base_url, task_id=TASK)["observation"]["episode_id"]
        half = len(actions) // 2
        for k, action in enumerate(actions[:half]):
            rid = f"req-{k}"
            first = c.post(f"{srv.base_url}/step", json=step_body(eid, action, rid))
            assert first.status_code == 200, first.text
            answers[rid] = first.json()
            v = _version(c, srv.base_url, eid)
            again = c.post(f"{srv.base_url}/step", json=step_body(eid, action, rid))
            assert again.status_code == 200, again.text
            assert again.json() == answers[rid], f"retry of {rid} differs"
            assert _version(c, srv.base_url, eid) == v, "a retry moved the stream"
        # an older request retried after later steps still answers as it did
        v = _version(c, srv.base_url, eid)
        old = c.post(f"{srv.base_url}/step", json=step_body(eid, actions[0], "req-0"))
        assert old.status_code == 200 and old.json() == answers["req-0"]
        assert _version(c, srv.base_url, eid) == v

    srv.kill()
    restart(srv)
    base = srv.base_url
    with httpx.Client(timeout=30) as c:
        v = _version(c, base, eid)
        for k in range(half):
            rid = f"req-{k}"
            r = c.post(f"{base}/step", json=step_body(eid, actions[k], rid))
            assert r.status_code == 200, r.text
            assert r.json() == answers[rid], f"retry of {rid} after restart differs"
        assert _version(c, base, eid) == v, "retries after the restart moved the stream"
        # the episode continues to the end; the final step's retry repeats the grade too
        for k in range(half, len(actions)):
            rid = f"req-{k}"
            r = c.post(f"{base}/step", json=step_body(eid, actions[k], rid))
            assert r.status_code == 200, r.text
            answers[rid] = r.json()
        last = f"req-{len(actions) - 1}"
        assert answers[last]["done"] is True
        assert answers[last]["observation"]["grade_report"] is not None
        v = _version(c, base, eid)
        r = c.post(f"{base}/step", json=step_body(eid, actions[-1], last))
        assert r.status_code == 200 and r.json() == answers[last]
        assert _version(c, base, eid) == v
        rep = c.get(f"{base}/episodes/{eid}/replay")
        assert rep.status_code == 200 and rep.json()["matches"] is True, rep.text

    store = EventStore(sqlite_db, create=False)
    try:
        records = check_stream(store, eid)
        assert len(step_records(records)) == len(actions)
    finally:
        store.dispose()


class _Race:
    """Process A reads the episode at version v and is about to append request R;
    meanwhile process B steps S, then serves a client's retry of R (stored after S). A's
    own append of R is then answered by the store as an already-stored retry."""

    NOTE_S = "Checked the order and the payment captures."
    NOTE_R = "Second capture CAP-7790 is a gateway retry on the same order."

    def __init__(self, tmp_path: Any) -> None:
        self.url = f"sqlite:///{tmp_path / 'race.db'}"
        self.store_a = EventStore(self.url)
        self.store_b = EventStore(self.url)
        self.svc_a = EpisodeService(self.store_a)
        self.svc_b = EpisodeService(self.store_b)
        loaded, _ = self.svc_a.start(task_id=TASK)
        self.eid = eid = loaded.record.episode_id
        self.svc_a.step(eid, CaseAction(action_type="review_ticket"), request_id="r1")
        seen: dict[str, Any] = {}
        real_append = self.store_a.append

        def racing_append(*args: Any, **kwargs: Any) -> Any:
            if "b" not in seen:
                _, seen["s"] = self.svc_b.step(eid, self.note(self.NOTE_S), request_id="S")
                _, seen["b"] = self.svc_b.step(eid, self.note(self.NOTE_R), request_id="R")
            return real_append(*args, **kwargs)

        self.store_a.append = racing_append  # type: ignore[method-assign]
        try:
            _, self.obs_a = self.svc_a.step(eid, self.note(self.NOTE_R), request_id="R")
        finally:
            self.store_a.append = real_append  # type: ignore[method-assign]
        self.obs_b = seen["b"]

    @staticmethod
    def note(text: str) -> CaseAction:
        return CaseAction(action_type="add_internal_note", note=text)

    def fresh(self) -> EpisodeService:
        return EpisodeService(EventStore(self.url, create=False), cache_size=0)

    def close(self) -> None:
        self.store_a.dispose()
        self.store_b.dispose()


def test_retry_racing_another_step_answers_what_was_stored(tmp_path: Any) -> None:
    """The racing retry must answer with what was stored for R (what B answered)."""
    race = _Race(tmp_path)
    try:
        stored_r = [
            r
            for r in step_records(race.store_a.read(race.eid))
            if r.payload["action"].get("note") == race.NOTE_R
        ]
        assert len(stored_r) == 1, "R was stored twice"
        assert race.obs_a.step == int(stored_r[0].payload["step"]), (
            f"the retry answered as step {race.obs_a.step} with notes "
            f"{race.obs_a.case.internal_notes}, but R is stored as step "
            f"{stored_r[0].payload['step']} after S"
        )
        assert race.obs_a.model_dump() == race.obs_b.model_dump()
    finally:
        race.close()


def test_retry_racing_another_step_leaves_the_cache_equal_to_the_log(tmp_path: Any) -> None:
    """After the race, process A's cached episode must equal the log, so its next steps
    are computed on the true history: repeating S's note is a repeat (as replay says)."""
    race = _Race(tmp_path)
    try:
        fresh = race.fresh()
        cached = race.svc_a.load(race.eid).record
        stored = fresh.load(race.eid).record
        # A steps on: the same note as S, which the log says was already written
        _, obs = race.svc_a.step(race.eid, race.note(race.NOTE_S), request_id="again")
        last = step_records(race.store_a.read(race.eid))[-1]
        for action in oracle_actions(get_scenario(TASK)):
            _, obs = race.svc_a.step(race.eid, action)
            if obs.done:
                break
        report = fresh.replay(race.eid)
        assert cached == stored, (
            "process A's cached episode differs from the log: cached notes "
            f"{cached.internal_notes}, stored notes {stored.internal_notes}"
        )
        assert last.payload["repeated"] is True, "a repeated note was not charged as one"
        assert report.matches, report.mismatches
    finally:
        race.close()
