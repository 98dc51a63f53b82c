"""Requirement 4: scale-out. Three server processes on one PostgreSQL database; 64
concurrent episodes whose every step goes to a server picked at random (seeded). All
reach the end; global positions follow commit order (a reader tailing ``read_all`` during
the run never sees a position appear behind one it has already passed, and misses no
event); every replay matches. Prints the events per second.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from typing import Any

import httpx
from rel_support import (
    SEED_TASKS,
    Server,
    ServerPool,
    all_events,
    check_stream,
    oracle_wire,
    step_body,
    step_records,
)

from caseops.eventstore import EventStore

EPISODES = 64
SERVERS = 3
SEED = 20240917
RUN_TIMEOUT_S = 120


def _drive(
    index: int,
    servers: list[Server],
    out: dict[int, dict[str, Any]],
    deadline: float,
) -> None:
    rng = random.Random(SEED * 1000 + index)
    task = SEED_TASKS[index % len(SEED_TASKS)]
    actions = oracle_wire(task)
    info: dict[str, Any] = {"task": task, "served_by": [], "error": None, "done": False}
    out[index] = info
    try:
        with httpx.Client(timeout=30) as c:
            srv = rng.choice(servers)
            r = c.post(f"{srv.base_url}/reset", json={"task_id": task})
            if r.status_code != 200:
                info["error"] = f"reset: {r.status_code} {r.text[:200]}"
                return
            eid = info["episode_id"] = r.json()["observation"]["episode_id"]
            for k, action in enumerate(actions):
                for attempt in range(5):  # 503s (lock timeout) are retried, bounded
                    if time.monotonic() > deadline:
                        info["error"] = "deadline"
                        return
                    srv = rng.choice(servers)
                    info["served_by"].append(srv.port)
                    r = c.post(f"{srv.base_url}/step", json=step_body(eid, action, f"s{k}"))
                    if r.status_code != 503:
                        break
                    time.sleep(0.2 * (attempt + 1))
                if r.status_code != 200:
                    info["error"] = f"step {k}: {r.status_code} {r.text[:200]}"
                    return
                body = r.json()
                if body["observation"]["step"] != k + 1:
                    info["error"] = f"step {k} answered as {body['observation']['step']}"
                    return
            info["done"] = bool(body["done"])
    except Exception as e:
        info["error"] = repr(e)


def test_three_servers_one_postgres_64_episodes(rel_pg_url: str, servers: ServerPool) -> None:
    pool = servers.start(rel_pg_url, SERVERS)
    store = EventStore(rel_pg_url, create=False)
    results: dict[int, dict[str, Any]] = {}
    tailed: list[tuple[int, str]] = []
    tail_errors: list[str] = []
    running = threading.Event()
    running.set()

    def tail() -> None:
        after = 0
        while True:
            finishing = not running.is_set()
            try:
                batch = store.read_all(after_position=after, limit=1000)
            except Exception as e:
                tail_errors.append(repr(e))
                return
            for r in batch:
                tailed.append((r.position, r.event_id))
            if batch:
                after = batch[-1].position
            elif finishing:
                return
            else:
                time.sleep(0.01)

    tailer = threading.Thread(target=tail, daemon=True)
    tailer.start()
    deadline = time.monotonic() + RUN_TIMEOUT_S
    started = time.monotonic()
    threads = [
        threading.Thread(target=_drive, args=(i, pool, results, deadline), daemon=True)
        for i in range(EPISODES)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=RUN_TIMEOUT_S + 30)
    elapsed = time.monotonic() - started
    running.clear()
    tailer.join(timeout=60)
    try:
        assert not any(t.is_alive() for t in threads), "a client hung"
        errors = {i: r["error"] for i, r in results.items() if r["error"]}
        assert not errors, errors
        assert len(results) == EPISODES and all(r["done"] for r in results.values())
        assert not tail_errors, tail_errors
        # every server served steps
        used = {p for r in results.values() for p in r["served_by"]}
        assert used == {s.port for s in pool}, used

        events = all_events(store)
        positions = [e.position for e in events]
        assert all(a < b for a, b in itertools.pairwise(positions))
        # the tailing reader saw every event, in strictly increasing positions: no event
        # was ever committed behind a position the reader had already passed
        tail_positions = [p for p, _ in tailed]
        assert all(a < b for a, b in itertools.pairwise(tail_positions))
        assert {e for _, e in tailed} == {e.event_id for e in events}
        # commit timestamps follow positions (appends are serialised by the table lock)
        stamps = [e.recorded_at for e in events]
        assert stamps == sorted(stamps)

        with httpx.Client(timeout=30) as c:
            for i, r in results.items():
                eid = r["episode_id"]
                records = check_stream(store, eid)
                assert records[-1].type == "EpisodeEnded"
                assert len(step_records(records)) == len(oracle_wire(r["task"]))
                srv = pool[i % SERVERS]
                rep = c.get(f"{srv.base_url}/episodes/{eid}/replay")
                assert rep.status_code == 200, rep.text
                assert rep.json()["matches"] is True, rep.json()["mismatches"]
        print(
            f"\n[scale-out] {len(events)} events from {EPISODES} episodes on {SERVERS} servers "
            f"in {elapsed:.2f}s: {len(events) / elapsed:.0f} events/s"
        )
    finally:
        store.dispose()
