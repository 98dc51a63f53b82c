"""Requirement 1: concurrent steps on one episode, over HTTP against a live server.

16 clients step the same episode at once, in rounds that start on a barrier. Every answer
is 200 or a 409 with a clear error body; every 200 is in the log exactly once, at the step
number its response gave; a 409 appended nothing; the stream is one contiguous order and
its hash chain verifies. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
from rel_support import (
    ServerPool,
    check_stream,
    reset_http,
    step_body,
    step_records,
)

from caseops.eventstore import EventStore

THREADS = 16
ROUNDS = 3
TASK = "api_incident_hard"  # the largest step budget of the seed tasks (16)
CONFLICT_ERRORS = {"ConcurrencyError", "EpisodeAlreadyEnded"}


def test_concurrent_steps_on_one_episode(backend_url: str, servers: ServerPool) -> None:
    srv = servers.one(backend_url)
    base = srv.base_url
    with httpx.Client(timeout=30) as c:
        eid = reset_http(c, base, task_id=TASK)["observation"]["episode_id"]

    results: list[tuple[str, int, dict[str, Any]]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS, timeout=60)
    errors: list[BaseException] = []

    def worker(t: int) -> None:
        try:
            with httpx.Client(timeout=60) as client:
                for rnd in range(ROUNDS):
                    note = f"concurrency probe thread {t} round {rnd}"
                    action = {"action_type": "add_internal_note", "note": note}
                    barrier.wait()
                    r = client.post(f"{base}/step", json=step_body(eid, action))
                    with lock:
                        results.append((note, r.status_code, r.json()))
        except BaseException as e:
            errors.append(e)
            barrier.abort()

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(t,), daemon=True) for t in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert not any(th.is_alive() for th in threads), "a client hung"
    assert not errors, errors
    elapsed = time.monotonic() - started
    assert len(results) == THREADS * ROUNDS

    statuses = [s for _, s, _ in results]
    assert set(statuses) <= {200, 409}, sorted(set(statuses))
    ok = {note: body for note, s, body in results if s == 200}
    refused = {note: body for note, s, body in results if s == 409}
    for body in refused.values():
        assert body.get("error") in CONFLICT_ERRORS, body
        assert isinstance(body.get("detail"), str) and body["detail"], body
    assert ok, "no step succeeded"

    store = EventStore(backend_url, create=False)
    try:
        records = check_stream(store, eid)
        stored = step_records(records)
        by_note: dict[str, list[int]] = {}
        for r in stored:
            by_note.setdefault(r.payload["action"].get("note", ""), []).append(
                int(r.payload["step"])
            )
        # every acknowledged step exactly once, at the step number it was answered with
        rewards = {r.payload["action"].get("note", ""): r.payload["reward"] for r in stored}
        for note, body in ok.items():
            assert by_note.get(note) == [body["observation"]["step"]], (note, by_note.get(note))
            assert abs(float(rewards[note]) - float(body["reward"])) < 1e-9, note
        # a refused step appended nothing
        for note in refused:
            assert note not in by_note, note
        assert len(stored) == len(ok)
    finally:
        store.dispose()
    # the episode still ends normally and replays to what was recorded
    with httpx.Client(timeout=30) as c:
        if records[-1].type != "EpisodeEnded":
            r = c.post(f"{base}/step", json=step_body(eid, {"action_type": "submit"}))
            assert r.status_code == 200 and r.json()["done"] is True, r.text
        rep = c.get(f"{base}/episodes/{eid}/replay")
        assert rep.status_code == 200 and rep.json()["matches"] is True, rep.text
    store = EventStore(backend_url, create=False)
    try:
        check_stream(store, eid)
    finally:
        store.dispose()
    print(
        f"\n[concurrency {backend_url.split(':')[0]}] {len(results)} requests in {elapsed:.2f}s: "
        f"{len(ok)} stepped, {sum(1 for b in refused.values() if b['error'] == 'ConcurrencyError')}"
        f" ConcurrencyError, "
        f"{sum(1 for b in refused.values() if b['error'] == 'EpisodeAlreadyEnded')} ended"
    )
