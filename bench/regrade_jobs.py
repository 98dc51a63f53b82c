"""Re-grade in one process against worker processes: ``python -m bench.regrade_jobs``.

Not part of ``python -m bench`` (whose re-grade figure is over 1,000 episodes, where one
process is as fast as a pool): filling a store of 10,000 episodes alone takes about a
minute here. Fills a temporary SQLite file with ``--episodes`` oracle episodes (or
reuses ``--db URL`` when it already holds them; ``--keep`` leaves the file), then
re-grades them all ``--reps`` times with each ``--jobs`` value, the repetitions
interleaved, through :meth:`caseops.api.service.EpisodeService.regrade`. Prints one JSON
document: per ``jobs`` value, events/s (median, min, max) and the ratio of each median
to the one-process median. Every result must match its recorded score.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from .common import interleaved, log
from .workloads import fill_replay_store


def regrade_once(url: str, ids: list[str], jobs: int) -> dict[str, float]:
    """Re-grade ``ids`` once with ``jobs`` workers (a fresh store each time)."""
    from caseops.api.service import EpisodeService
    from caseops.eventstore import EventStore

    svc = EpisodeService(EventStore(url, create=False), cache_size=0)
    try:
        t0 = time.perf_counter()
        results = list(svc.regrade(ids, jobs=jobs))
        wall = time.perf_counter() - t0
    finally:
        svc.store.dispose()
    if len(results) != len(ids) or not all(r.matches for r in results):
        raise RuntimeError(f"jobs={jobs}: a re-grade does not match its recorded score")
    if [r.episode_id for r in results] != ids:
        raise RuntimeError(f"jobs={jobs}: results out of order")
    events = sum(r.events for r in results)
    return {"events_per_s": events / wall, "seconds": wall, "events": events}


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, fill or open the store, measure; 0 on success."""
    p = argparse.ArgumentParser(prog="python -m bench.regrade_jobs", description=__doc__)
    p.add_argument("--episodes", type=int, default=10_000, help="stored episodes (10,000)")
    p.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="worker counts (1 2)")
    p.add_argument("--reps", type=int, default=3, help="repetitions of each (3)")
    p.add_argument("--db", default=None, help="an SQLite or PostgreSQL URL to fill or reuse")
    p.add_argument("--keep", action="store_true", help="keep the temporary SQLite file")
    a = p.parse_args(argv)
    if a.episodes < 1 or a.reps < 1 or min(a.jobs) < 1:
        p.error("--episodes, --reps and every --jobs value must be at least 1")

    from caseops.eventstore import EventStore

    tmp = None if a.db else tempfile.mkdtemp(prefix="caseops-regrade-jobs-")
    url = a.db or f"sqlite:///{Path(tmp or '.') / 'regrade.db'}"
    try:
        store = EventStore(url)
        ids = store.stream_ids()
        store.dispose()
        if len(ids) < a.episodes:
            log(f"filling {url} with {a.episodes - len(ids)} episodes")
            t0 = time.perf_counter()
            ids += fill_replay_store(url, a.episodes - len(ids))
            log(f"filled in {time.perf_counter() - t0:.0f} s")
        ids = ids[: a.episodes]
        jobs = list(dict.fromkeys([1, *a.jobs]))  # one process first: the ratios' base
        figures = interleaved(a.reps, *(lambda j=j: regrade_once(url, ids, j) for j in jobs))
        base = figures[0]["events_per_s"]["median"]
        doc: dict[str, object] = {
            "episodes": len(ids),
            "events": int(figures[0]["events"]["median"]),
            "reps": a.reps,
            "jobs": {
                str(j): {
                    "events_per_s": f["events_per_s"],
                    "seconds": f["seconds"],
                    "vs_one_process": round(f["events_per_s"]["median"] / base, 3),
                }
                for j, f in zip(jobs, figures, strict=True)
            },
        }
        print(json.dumps(doc, indent=2))
        for j, f in zip(jobs, figures, strict=True):
            log(
                f"jobs={j}: {f['events_per_s']['median']:,.0f} events/s "
                f"({f['events_per_s']['min']:,.0f}-{f['events_per_s']['max']:,.0f})"
            )
    finally:
        if tmp and a.keep:
            log(f"kept {url}")
        elif tmp:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
