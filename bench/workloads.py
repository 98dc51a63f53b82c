"""In-process workloads: the oracle's steps through the episode service, the storage
floor, re-grade, replay and the CLI on a filled store, reset latency."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

from .common import ROOT, pct


def oracle_script(task_id: str = "api_incident_hard") -> list[dict[str, Any]]:
    from caseops.cases.catalog import get_scenario
    from caseops.statemachine.agents import oracle_actions

    return [a.payload() for a in oracle_actions(get_scenario(task_id))]


def inprocess(url: str, max_steps: int, max_s: float) -> dict[str, float]:
    from caseops.api.service import EpisodeService
    from caseops.domain.actions import CaseAction
    from caseops.eventstore import EventStore

    svc = EpisodeService(EventStore(url))
    script = [CaseAction.model_validate(a) for a in oracle_script()]
    lat: list[float] = []
    t0 = time.perf_counter()
    while len(lat) < max_steps and time.perf_counter() - t0 < max_s:
        _, obs = svc.start(task_id="api_incident_hard")
        for a in script:
            s = time.perf_counter()
            svc.step(obs.episode_id, a)
            lat.append(time.perf_counter() - s)
    wall = time.perf_counter() - t0
    svc.store.dispose()
    return {
        "steps_per_s": len(lat) / sum(lat),
        "episode_loop_steps_per_s": len(lat) / wall,
        "p50_ms": pct(lat, 0.5) * 1e3,
        "p99_ms": pct(lat, 0.99) * 1e3,
    }


def floor_insert(url: str, max_rows: int, max_s: float, form: str = "per-call") -> dict[str, float]:
    """The storage floor on ``url``: bare single-row insert-and-commits per second, in
    one of :mod:`bench.floor`'s forms: ``per-call`` (:meth:`~bench.floor.FloorTable.write`),
    ``prepared`` (the statement built once) or ``driver`` (no SQLAlchemy on the path)."""
    from .floor import FloorTable

    floor = FloorTable(url)
    try:
        write = floor.writer(form)
    except ValueError:
        floor.drop()
        raise
    n = 0
    lat: list[float] = []
    t0 = time.perf_counter()
    try:
        while n < max_rows and time.perf_counter() - t0 < max_s:
            s = time.perf_counter()
            write()
            lat.append(time.perf_counter() - s)
            n += 1
    finally:
        floor.drop()
    return {"commits_per_s": n / sum(lat), "p50_ms": pct(lat, 0.5) * 1e3}


def fill_replay_store(url: str, episodes: int) -> list[str]:
    """``episodes`` finished oracle episodes of the mug case (10 events each)."""
    from caseops.api.service import EpisodeService
    from caseops.domain.actions import CaseAction
    from caseops.eventstore import EventStore

    svc = EpisodeService(EventStore(url), cache_size=0)
    script = [CaseAction.model_validate(a) for a in oracle_script("damaged_mug_replacement")]
    ids = []
    for _ in range(episodes):
        _, obs = svc.start(task_id="damaged_mug_replacement")
        for a in script:
            svc.step(obs.episode_id, a)
        ids.append(obs.episode_id)
    svc.store.dispose()
    return ids


def regrade_rate(url: str, ids: list[str]) -> dict[str, float]:
    """Re-grade the stored episodes in bulk (a fresh store and service each time)."""
    from caseops.api.service import EpisodeService
    from caseops.eventstore import EventStore

    svc = EpisodeService(EventStore(url), cache_size=0)
    t0 = time.perf_counter()
    results = list(svc.regrade(ids))
    wall = time.perf_counter() - t0
    svc.store.dispose()
    assert len(results) == len(ids) and all(r.matches for r in results)
    events = sum(r.events for r in results)
    return {"events_per_s": events / wall, "episodes_per_s": len(ids) / wall, "events": events}


def read_decode_rate(url: str, ids: list[str]) -> dict[str, float]:
    """The re-grade's floor: the same bulk read (a fresh store each time) with every
    payload decoded by orjson, and nothing graded. Re-grade events/s over this is the
    share of a re-grade that is not reading and decoding the log, a ratio that the
    machine's speed moves far less than the absolute rate."""
    import orjson

    from caseops.eventstore import EventStore

    store = EventStore(url)
    t0 = time.perf_counter()
    events = 0
    for _, rows in store.read_payloads(ids):
        for _, _, payload in rows:
            orjson.loads(payload)
        events += len(rows)
    wall = time.perf_counter() - t0
    store.dispose()
    return {"events_per_s": events / wall, "events": events}


def verify_rate(url: str, ids: list[str]) -> dict[str, float]:
    """Replay (re-decide every action and compare every event) one episode at a time."""
    from caseops.api.service import EpisodeService
    from caseops.eventstore import EventStore

    svc = EpisodeService(EventStore(url), cache_size=0)
    t0 = time.perf_counter()
    events = 0
    for eid in ids:
        rep = svc.replay(eid)
        assert rep.matches
        events += rep.steps + 2  # EpisodeStarted, one event per step, EpisodeEnded
    wall = time.perf_counter() - t0
    svc.store.dispose()
    return {"events_per_s": events / wall, "episodes_per_s": len(ids) / wall}


def cli_seconds(url: str, *args: str) -> dict[str, float]:
    """Wall time of one ``caseops`` command in a fresh process."""
    t0 = time.perf_counter()
    code = subprocess.call(
        [sys.executable, "-m", "caseops.api.cli", *args, "--db", url],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT.parent)},
    )
    assert code == 0
    return {"seconds": time.perf_counter() - t0}


def reset_latency(url: str, n: int) -> dict[str, float]:
    from caseops.api.service import EpisodeService
    from caseops.eventstore import EventStore

    svc = EpisodeService(EventStore(url))
    out: dict[str, float] = {}
    for label, kwargs in (
        ("seed", {"task_id": "api_incident_hard"}),
        ("generated", {"split": "train"}),
    ):
        lat = []
        for i in range(n):
            if label == "generated":
                kwargs = {"split": "train", "seed": i}
            s = time.perf_counter()
            svc.start(**kwargs)
            lat.append(time.perf_counter() - s)
        out[f"{label}_p50_ms"] = pct(lat, 0.5) * 1e3
        out[f"{label}_p99_ms"] = pct(lat, 0.99) * 1e3
    return out
