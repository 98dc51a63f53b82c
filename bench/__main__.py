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
import asyncio
import importlib.util
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] if s else 0.0


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(samples), 3),
        "min": round(min(samples), 3),
        "max": round(max(samples), 3),
    }


def repeat(n: int, fn: Callable[[], dict[str, float]]) -> dict[str, dict[str, float]]:
    runs = [fn() for _ in range(n)]
    return {k: summary([r[k] for r in runs]) for k in runs[0]}


Summary = dict[str, dict[str, float]]


def interleaved(n: int, *fns: Callable[[], dict[str, float]]) -> list[Summary]:
    """``repeat`` for a figure and its floors, their repetitions interleaved (f1, f2,
    ..., f1, f2, ...), so that a drift of the machine's speed during the run (this CI
    machine's figures swing by a third from minute to minute) lands on every side of a
    ratio; one summary per function, in order."""
    runs: list[list[dict[str, float]]] = [[] for _ in fns]
    for _ in range(n):
        for out, fn in zip(runs, fns, strict=True):
            out.append(fn())
    return [{k: summary([r[k] for r in rs]) for k in rs[0]} for rs in runs]


def ratio(num: Summary, den: Summary, num_key: str, den_key: str) -> float:
    """The ratio of two figures' medians, to 3 places."""
    return round(num[num_key]["median"] / den[den_key]["median"], 3)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- workloads ------------------------------------------------------------------------
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


class Server:
    """A server subprocess (``bench.serve``) on a free port.

    ``wait=False`` returns as soon as the process is started; :meth:`wait_ready` then
    waits for its ``/health`` (so that several servers import side by side).
    """

    def __init__(self, which: str, db: str | None = None, wait: bool = True) -> None:
        self.which = which
        self.port = free_port()
        env = {**os.environ, "PYTHONPATH": str(ROOT.parent)}
        if db:
            env["CASEOPS_DATABASE_URL"] = db
        env.pop("ENABLE_WEB_INTERFACE", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.serve", which, "--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout_s: float = 90) -> None:
        """Wait until ``/health`` answers 200; stops the server and raises
        ``RuntimeError`` when it has not after ``timeout_s`` seconds or has exited."""
        import httpx

        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.which} server did not start")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def cpu_s(self) -> float:
        """CPU seconds (user + system) the server process has used so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def measured(self, loop: Callable[[], dict[str, float]]) -> dict[str, float]:
        """``loop()``'s figures plus the server's CPU milliseconds per step during it
        (where a served step's time goes, without a sampler)."""
        before = self.cpu_s()
        out = loop()
        out["server_cpu_ms_per_step"] = 1000 * (self.cpu_s() - before) / max(1, out["steps"])
        return out

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def http_loop(base: str, echo: bool, max_steps: int, max_s: float) -> dict[str, float]:
    import httpx

    script = oracle_script()
    lat: list[float] = []
    with httpx.Client(base_url=base, timeout=30) as c:
        t0 = time.perf_counter()
        while len(lat) < max_steps and time.perf_counter() - t0 < max_s:
            r = c.post("/reset", json={} if echo else {"task_id": "api_incident_hard"})
            eid = None if echo else r.json()["observation"]["episode_id"]
            for a in script:
                body = {"action": {"message": "hi"}} if echo else {"action": a, "episode_id": eid}
                s = time.perf_counter()
                r = c.post("/step", json=body)
                lat.append(time.perf_counter() - s)
                assert r.status_code == 200, r.text
    return {
        "steps": len(lat),
        "steps_per_s": len(lat) / sum(lat),
        "p50_ms": pct(lat, 0.5) * 1e3,
        "p99_ms": pct(lat, 0.99) * 1e3,
    }


async def _ws_session(base: str, echo: bool, steps: int, lat: list[float], deadline: float) -> int:
    import websockets

    script = oracle_script()
    done = 0
    url = base.replace("http", "ws") + "/ws"
    async with websockets.connect(url, max_size=2**22) as ws:
        while done < steps and time.perf_counter() < deadline:
            await ws.send(
                json.dumps(
                    {"type": "reset", "data": {} if echo else {"task_id": "api_incident_hard"}}
                )
            )
            await ws.recv()
            for a in script:
                msg = {"type": "step", "data": {"message": "hi"} if echo else a}
                s = time.perf_counter()
                await ws.send(json.dumps(msg))
                reply = json.loads(await ws.recv())
                lat.append(time.perf_counter() - s)
                if reply.get("type") != "observation":
                    raise RuntimeError(str(reply)[:200])
                done += 1
    return done


def ws_loop(base: str, echo: bool, sessions: int, steps: int, max_s: float) -> dict[str, float]:
    lat: list[float] = []

    async def run() -> float:
        deadline = time.perf_counter() + max_s
        t0 = time.perf_counter()
        await asyncio.gather(
            *(_ws_session(base, echo, steps, lat, deadline) for _ in range(sessions))
        )
        return time.perf_counter() - t0

    wall = asyncio.run(run())
    return {
        "steps": len(lat),
        "steps_per_s": len(lat) / wall,
        "p50_ms": pct(lat, 0.5) * 1e3,
        "p99_ms": pct(lat, 0.99) * 1e3,
    }


def ws_memory(server: Server, counts: tuple[int, ...]) -> dict[str, float]:
    import websockets

    out: dict[str, float] = {}

    async def hold(n: int) -> float:
        before = server.rss_kib()
        conns = []
        for _ in range(n):
            ws = await websockets.connect(server.base.replace("http", "ws") + "/ws")
            await ws.send(
                json.dumps({"type": "reset", "data": {"task_id": "damaged_mug_replacement"}})
            )
            await ws.recv()
            conns.append(ws)
        await asyncio.sleep(0.5)
        after = server.rss_kib()
        for ws in conns:
            await ws.close()
        await asyncio.sleep(0.5)
        return (after - before) / n

    for n in counts:
        out[f"rss_kib_per_session_at_{n}"] = asyncio.run(hold(n))
    return out


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


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database that ``url`` names when it does not exist yet
    (through the server's ``postgres`` database), so ``--postgres`` works on a fresh
    machine."""
    from sqlalchemy import create_engine, make_url, text

    target = make_url(url)
    name = target.database
    if not name:
        return
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            found = c.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first()
            if found is None:
                quoted = '"' + name.replace('"', '""') + '"'
                c.execute(text(f"CREATE DATABASE {quoted}"))
                log(f"created database {name}")
    finally:
        admin.dispose()


# -- main -------------------------------------------------------------------------------
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
