"""CaseOps benchmark: ``python -m bench [--postgres URL] [--quick]``.

Prints one JSON document on stdout (and a table on stderr). Every figure is the median of
``--reps`` repetitions (default 3) with min and max. Every loop is bounded by a step count
and a time limit; servers are started and stopped here and listen on 127.0.0.1 only.

Figures: in-process persisted steps/s and p50/p99 step latency (SQLite file, in-memory
SQLite, PostgreSQL when given) beside a bare SQLAlchemy Core insert-and-commit on the same
database, with its statement built per call and built once (``bench/floor.py``); HTTP
``/step`` and WebSocket sequential steps/s, and 64 concurrent WebSocket sessions, beside
the same loops on an echo environment served by the same openenv-core ``create_app`` and
uvicorn settings, and on that echo making one storage-floor write per step (the ceiling
for an environment that stores each step with one SQLAlchemy Core write;
``bench/echo_server.py``), each with the
server process's CPU milliseconds per step; re-grade events/s over 1,000 stored episodes
beside the same bulk read with every payload decoded and nothing graded, the
same episodes replayed (every action re-decided), and the time of ``caseops replay`` and
``caseops regrade`` in a fresh process; RSS growth per open WebSocket session at 1 and 256 sessions;
reset latency for a seed case and a generated case; step latency at 10 and 100,000 stored
episodes (10,000 with ``--quick``) and at the start versus the end of a full-budget stream.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .common import Summary, ensure_database, interleaved, log, ratio, repeat
from .scaling import scaling
from .served import Server, http_loop, ws_loop, ws_memory
from .workloads import (
    cli_seconds,
    fill_replay_store,
    floor_insert,
    inprocess,
    read_decode_rate,
    regrade_rate,
    reset_latency,
    verify_rate,
)


def main() -> int:
    p = argparse.ArgumentParser(description="CaseOps benchmark")
    p.add_argument("--postgres", default=os.environ.get("CASEOPS_BENCH_POSTGRES_URL"))
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--quick", action="store_true", help="smaller loops (a smoke run)")
    a = p.parse_args()
    k = 0.25 if a.quick else 1.0
    reps = 1 if a.quick else a.reps
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="caseops-bench-"))
    file_url = f"sqlite:///{tmp / 'bench.db'}"
    result: dict[str, Any] = {"date": time.strftime("%Y-%m-%d"), "reps": reps}

    log(f"[{time.perf_counter() - started:5.1f} s] in-process persisted steps ...")
    steps, secs = int(1500 * k), 6 * k
    dbs = {"sqlite_file": (file_url, 20000), "sqlite_memory": ("sqlite://", 20000)}
    if a.postgres:
        ensure_database(a.postgres)
        dbs["postgresql"] = (a.postgres, 5000)
    inproc: dict[str, Summary] = {}
    floor: dict[str, Summary] = {}
    prepared: dict[str, Summary] = {}
    driver: dict[str, Summary] = {}
    for db, (url, rows) in dbs.items():
        inproc[db], floor[db], prepared[db], driver[db] = interleaved(
            reps,
            lambda url=url: inprocess(url, steps, secs),
            lambda url=url, rows=rows: floor_insert(url, int(rows * k), 3 * k),
            lambda url=url, rows=rows: floor_insert(url, int(rows * k), 3 * k, "prepared"),
            lambda url=url, rows=rows: floor_insert(url, int(rows * k), 2 * k, "driver"),
        )
    result["in_process"] = inproc
    result["storage_floor"] = floor
    result["storage_floor_prepared"] = prepared
    result["storage_floor_driver"] = driver
    result["in_process_vs_floor"] = {
        db: ratio(inproc[db], floor[db], "steps_per_s", "commits_per_s") for db in inproc
    }
    result["in_process_vs_floor_prepared"] = {
        db: ratio(inproc[db], prepared[db], "steps_per_s", "commits_per_s") for db in inproc
    }
    result["in_process_vs_floor_driver"] = {
        db: ratio(inproc[db], driver[db], "steps_per_s", "commits_per_s") for db in inproc
    }

    log(f"[{time.perf_counter() - started:5.1f} s] servers: HTTP and WebSocket ...")
    # the three start side by side (their imports are most of a start)
    started_servers: list[Server] = []
    try:
        for which, db in (
            ("caseops", f"sqlite:///{tmp / 'server.db'}"),
            ("echo", None),
            ("echo-persisted", f"sqlite:///{tmp / 'echo-persisted.db'}"),
        ):
            started_servers.append(Server(which, db, wait=False))
        srv, echo, pecho = started_servers
        for server in started_servers:
            server.wait_ready()
        n, s = int(600 * k), 5 * k
        m = int(40 * k) + 10
        loops: dict[str, Callable[[str, bool], dict[str, float]]] = {
            "http_sequential": lambda base, e: http_loop(base, e, n, s),
            "ws_sequential": lambda base, e: ws_loop(base, e, 1, n, s),
            "ws_64_concurrent": lambda base, e: ws_loop(base, e, 64, m, s),
        }
        served: dict[str, dict[str, Summary]] = {}
        for name, loop in loops.items():
            mine, floor_, persisted = interleaved(
                reps,
                lambda loop=loop: srv.measured(lambda: loop(srv.base, False)),
                lambda loop=loop: echo.measured(lambda: loop(echo.base, True)),
                lambda loop=loop: pecho.measured(lambda: loop(pecho.base, True)),
            )
            served[name] = {"caseops": mine, "echo": floor_, "echo_persisted": persisted}
        result["served"] = served
        # where CaseOps ran the served steps (CASEOPS_STEP_EXECUTOR reaches the server)
        result["served_step_executor"] = os.environ.get("CASEOPS_STEP_EXECUTOR", "auto")
        # what uvicorn's "auto" picked for all three servers (the same environment)
        result["served_uvicorn"] = {
            "loop": "uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
            "http": "httptools" if importlib.util.find_spec("httptools") else "h11",
        }
        for num, den in (
            ("caseops", "echo"),
            ("echo_persisted", "echo"),
            ("caseops", "echo_persisted"),
        ):
            # echo_persisted over echo is the ceiling for an environment that stores each
            # step with one SQLAlchemy Core write: the echo plus one storage-floor write per
            # step (bench/echo_server.py)
            result[f"served_ratio_{num}_over_{den}"] = {
                name: ratio(v[num], v[den], "steps_per_s", "steps_per_s")
                for name, v in served.items()
            }
        log(f"[{time.perf_counter() - started:5.1f} s] memory per WebSocket session ...")
        result["ws_memory"] = ws_memory(srv, (1, 256) if not a.quick else (1, 32))
    finally:
        for server in started_servers:
            server.stop()

    log(f"[{time.perf_counter() - started:5.1f} s] re-grade and replay ...")
    rurl = f"sqlite:///{tmp / 'replay.db'}"
    ids = fill_replay_store(rurl, int(1000 * k))
    regrade, read_decode = interleaved(
        reps, lambda: regrade_rate(rurl, ids), lambda: read_decode_rate(rurl, ids)
    )
    result["replay"] = {
        "episodes": len(ids),
        "regrade": regrade,
        "read_and_decode": read_decode,
        "regrade_vs_read_and_decode": ratio(regrade, read_decode, "events_per_s", "events_per_s"),
        "verify_replay": repeat(reps, lambda: verify_rate(rurl, ids)),
        "cli_replay_one": repeat(reps, lambda: cli_seconds(rurl, "replay", ids[0])),
        "cli_regrade_all": repeat(reps, lambda: cli_seconds(rurl, "regrade")),
    }
    log(f"[{time.perf_counter() - started:5.1f} s] store size and stream length ...")
    big = 10_000 if a.quick else 100_000
    result["scaling"] = {
        "sqlite_file": repeat(
            reps,
            lambda: scaling(f"sqlite:///{tmp / f'scale-{uuid.uuid4().hex}.db'}", (10, big), 400),
        )
    }
    log(f"[{time.perf_counter() - started:5.1f} s] reset latency ...")
    result["reset"] = reset_latency(f"sqlite:///{tmp / 'reset.db'}", int(200 * k))
    result["elapsed_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, indent=2))
    for key, val in result.items():
        log(f"{key}: {json.dumps(val)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
