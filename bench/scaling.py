"""The store-size and stream-length measurement: step latency with many episodes
stored, and at the start versus the end of a full-budget stream."""

from __future__ import annotations

import json
import time

from .common import pct
from .workloads import oracle_script


def fill_store(url: str, start: int, episodes: int, batch: int = 5000) -> None:
    """Bulk-load ``episodes`` small two-event streams (numbered from ``start``) straight
    into the tables: a filler for the store-size measurement, never read."""
    from sqlalchemy import insert

    from caseops.eventstore import EventStore, schema

    store = EventStore(url)
    now = "2026-01-01T00:00:00.000000Z"
    payload = json.dumps({"filler": "x" * 160})
    try:
        for lo in range(start, start + episodes, batch):
            ev_rows, st_rows = [], []
            for i in range(lo, min(start + episodes, lo + batch)):
                sid = f"filler-{i:07d}"
                for v in (1, 2):
                    ev_rows.append(
                        {
                            "stream_id": sid,
                            "version": v,
                            "event_id": f"{sid}-{v}",
                            "type": "Filler",
                            "schema_version": 1,
                            "payload": payload,
                            "recorded_at": now,
                            "prev_hash": "0" * 64,
                            "hash": "0" * 64,
                        }
                    )
                st_rows.append(
                    {
                        "stream_id": sid,
                        "version": 2,
                        "created_at": now,
                        "updated_at": now,
                        "meta": "{}",
                        "last_hash": "0" * 64,
                    }
                )
            with store.engine.begin() as conn:
                conn.execute(insert(schema.events), ev_rows)
                conn.execute(insert(schema.streams), st_rows)
    finally:
        store.dispose()


def scaling(url: str, sizes: tuple[int, ...], steps: int) -> dict[str, float]:
    """Step latency p50 at each store size (episodes already stored), and p50 of the
    first three versus the last three steps of a full-budget episode (stream length)."""
    from caseops.api.service import EpisodeService
    from caseops.domain.actions import CaseAction
    from caseops.eventstore import EventStore

    out: dict[str, float] = {}
    script = [CaseAction.model_validate(a) for a in oracle_script()]
    stored = 0
    for size in sizes:
        fill_store(url, stored, size - stored)
        stored = size
        svc = EpisodeService(EventStore(url))
        lat: list[float] = []
        while len(lat) < steps:
            _, obs = svc.start(task_id="api_incident_hard")
            for a in script:
                s = time.perf_counter()
                svc.step(obs.episode_id, a)
                lat.append(time.perf_counter() - s)
        out[f"step_p50_ms_at_{size}_episodes"] = pct(lat, 0.5) * 1e3
        svc.store.dispose()
    # stream length: notes until the step budget ends the episode
    svc = EpisodeService(EventStore(url))
    early: list[float] = []
    late: list[float] = []
    note = CaseAction.model_validate({"action_type": "add_internal_note", "note": "checking"})
    for _ in range(max(1, steps // 16)):
        _, obs = svc.start(task_id="api_incident_hard")
        lat = []
        done = False
        while not done:
            s = time.perf_counter()
            _, o = svc.step(obs.episode_id, note)
            lat.append(time.perf_counter() - s)
            done = o.done
        early += lat[:3]
        late += lat[-3:]
    svc.store.dispose()
    out["step_p50_ms_first_3_steps"] = pct(early, 0.5) * 1e3
    out["step_p50_ms_last_3_steps"] = pct(late, 0.5) * 1e3
    out["stream_length_at_end"] = float(len(lat))
    return out
