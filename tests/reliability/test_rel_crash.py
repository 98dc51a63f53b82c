"""Requirement 3: crash safety.

32 episodes are driven at once by client threads over HTTP against a live server on an
SQLite file. Mid-run the server is SIGKILLed. Every step the clients saw acknowledged
(200) must be in the log at its step number with its action; every stream must verify.
The server is started again on the same file, and every episode continues by its episode
id (re-sending its in-flight step with the same ``request_id``) to the end; every
``GET /episodes/{id}/replay`` matches.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from rel_support import (
    SEED_TASKS,
    Server,
    ServerPool,
    canonical,
    check_stream,
    oracle_wire,
    restart,
    step_body,
    step_records,
    wait_until,
)

from caseops.eventstore import EventStore

EPISODES = 32
KILL_AT_FRACTION = 0.4  # SIGKILL once this share of all steps has been acknowledged
PHASE_TIMEOUT_S = 90


@dataclass
class Driver:
    """One client: its episode, its action list, and what the server acknowledged."""

    index: int
    task_id: str
    actions: list[dict[str, Any]]
    episode_id: str = ""
    next_k: int = 0  # index of the next action to send (the in-flight one after a crash)
    acked: dict[int, dict[str, Any]] = field(default_factory=dict)  # step no. -> response
    error: str | None = None

    def rid(self, k: int) -> str:
        return f"crash-{self.index}-{k}"

    def run(self, server: Server, stop: threading.Event, deadline: float) -> None:
        """Send steps until the episode ends, the server goes away, or ``stop``."""
        try:
            with httpx.Client(timeout=20) as c:
                while self.next_k < len(self.actions) and not stop.is_set():
                    if time.monotonic() > deadline:
                        self.error = "deadline"
                        return
                    k = self.next_k
                    try:
                        r = c.post(
                            f"{server.base_url}/step",
                            json=step_body(self.episode_id, self.actions[k], self.rid(k)),
                        )
                    except httpx.TransportError:
                        return  # the server died: k stays in flight
                    if r.status_code != 200:
                        self.error = f"step {k}: {r.status_code} {r.text[:300]}"
                        return
                    body = r.json()
                    step_no = body["observation"]["step"]
                    if step_no != k + 1:
                        self.error = f"step {k} answered as step {step_no}"
                        return
                    self.acked[step_no] = body
                    self.next_k = k + 1
        except Exception as e:
            self.error = repr(e)


def _run_all(
    drivers: list[Driver], server: Server, stop: threading.Event
) -> list[threading.Thread]:
    deadline = time.monotonic() + PHASE_TIMEOUT_S
    threads = [
        threading.Thread(target=d.run, args=(server, stop, deadline), daemon=True) for d in drivers
    ]
    for t in threads:
        t.start()
    return threads


def _join(threads: list[threading.Thread]) -> None:
    for t in threads:
        t.join(timeout=PHASE_TIMEOUT_S + 30)
    assert not any(t.is_alive() for t in threads), "a client thread hung"


def test_sigkill_mid_run_loses_no_acknowledged_step(sqlite_db: str, servers: ServerPool) -> None:
    srv = servers.one(sqlite_db)
    drivers = [
        Driver(i, SEED_TASKS[i % len(SEED_TASKS)], oracle_wire(SEED_TASKS[i % len(SEED_TASKS)]))
        for i in range(EPISODES)
    ]
    with httpx.Client(timeout=30) as c:
        for d in drivers:
            r = c.post(f"{srv.base_url}/reset", json={"task_id": d.task_id})
            assert r.status_code == 200, r.text
            d.episode_id = r.json()["observation"]["episode_id"]
    total_steps = sum(len(d.actions) for d in drivers)

    # phase 1: run, and SIGKILL the server part-way
    stop = threading.Event()
    threads = _run_all(drivers, srv, stop)
    target = int(total_steps * KILL_AT_FRACTION)
    reached = wait_until(lambda: sum(len(d.acked) for d in drivers) >= target, 60, 0.005)
    srv.kill()
    stop.set()
    _join(threads)
    assert reached, "the run was too slow to reach the kill point"
    assert not [d.error for d in drivers if d.error], [d.error for d in drivers if d.error]
    acknowledged = sum(len(d.acked) for d in drivers)
    assert acknowledged < total_steps, "every episode finished before the kill"

    # every acknowledged step is in the log, at its step number, with its action
    store = EventStore(sqlite_db, create=False)
    try:
        stored_total = 0
        for d in drivers:
            records = check_stream(store, d.episode_id)
            steps = {int(r.payload["step"]): r for r in step_records(records)}
            stored_total += len(steps)
            for step_no, body in d.acked.items():
                assert step_no in steps, (d.episode_id, step_no, "acknowledged but lost")
                rec = steps[step_no]
                assert canonical(rec.payload["action"]) == canonical(d.actions[step_no - 1])
                # the reward the client was given is the one recorded
                assert abs(float(rec.payload["reward"]) - float(body["reward"])) < 1e-9
            # nothing beyond the one step that may have been in flight
            assert len(steps) - len(d.acked) in (0, 1), (d.episode_id, len(steps), len(d.acked))
    finally:
        store.dispose()
    print(f"\n[crash] acknowledged {acknowledged}, stored {stored_total} (of {total_steps} steps)")

    # phase 2: restart on the same file; every episode continues by its id to the end
    restart(srv)
    stop2 = threading.Event()
    threads = _run_all(drivers, srv, stop2)
    _join(threads)
    assert not [d.error for d in drivers if d.error], [d.error for d in drivers if d.error]
    assert all(d.next_k == len(d.actions) for d in drivers)

    store = EventStore(sqlite_db, create=False)
    try:
        with httpx.Client(timeout=30) as c:
            for d in drivers:
                records = check_stream(store, d.episode_id)
                assert records[-1].type == "EpisodeEnded", d.episode_id
                assert len(step_records(records)) == len(d.actions)
                rep = c.get(f"{srv.base_url}/episodes/{d.episode_id}/replay")
                assert rep.status_code == 200, rep.text
                assert rep.json()["matches"] is True, rep.json()["mismatches"]
                assert rep.json()["grade"]["score"] > 0.9, (d.task_id, rep.json()["grade"]["score"])
    finally:
        store.dispose()
