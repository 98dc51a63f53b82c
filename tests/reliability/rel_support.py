"""Helpers for the reliability tests: live server processes, PostgreSQL database
management, oracle action lists on the wire, and log checks.

Everything here talks only to 127.0.0.1, and every wait is bounded in time.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.engine import make_url

from caseops.domain.events import EVENT_TYPES, StepEvent
from caseops.domain.scenarios import get_scenario
from caseops.eventstore import EventStore, RecordedEvent
from caseops.statemachine.agents import oracle_actions

PG_ENV = "CASEOPS_TEST_POSTGRES_URL"
PG_SKIP_REASON = f"{PG_ENV} not set: PostgreSQL reliability tests are skipped"
RELIABILITY_DB = "caseops_reliability"
OUTAGE_ENV = "CASEOPS_TEST_PG_OUTAGE"

#: Event types written by an agent step (one per step), as opposed to system events.
STEP_TYPES = frozenset(name for name, cls in EVENT_TYPES.items() if issubclass(cls, StepEvent))

#: Variables that must not leak into server subprocesses.
_SCRUBBED = ("HF_TOKEN", "OPENAI_API_KEY", "API_KEY", "ENV_BASE_URL", "PORT", "HOST")

SEED_TASKS = (
    "damaged-mug-replacement",
    "duplicate-charge-refund",
    "account-takeover-fraud",
    "billing_refund_easy",
    "account_takeover_medium",
    "api_incident_hard",
)


# ------------------------------------------------------------------------------------
# PostgreSQL
# ------------------------------------------------------------------------------------
def pg_base_url() -> str | None:
    """The URL given in ``CASEOPS_TEST_POSTGRES_URL`` (``None`` when unset)."""
    url = os.environ.get(PG_ENV, "").strip()
    return url or None


def reliability_pg_url(base: str) -> str:
    """``base`` with its database name replaced by ``caseops_reliability``."""
    return make_url(base).set(database=RELIABILITY_DB).render_as_string(hide_password=False)


def ensure_database(url: str) -> None:
    """Create the database of ``url`` when it does not exist yet (``psql -U postgres``,
    falling back to an AUTOCOMMIT ``CREATE DATABASE`` through SQLAlchemy when psql is
    missing)."""
    u = make_url(url)
    name = u.database
    assert name and name.replace("_", "").isalnum(), name
    host = u.host or "127.0.0.1"
    port = str(u.port or 5432)
    env = {**os.environ}
    if u.password:
        env["PGPASSWORD"] = u.password
    psql = shutil.which("psql")
    if psql:
        base = [psql, "-h", host, "-p", port, "-U", "postgres", "-d", "postgres", "-tAc"]
        found = subprocess.run(
            [*base, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        if found.returncode == 0:
            if found.stdout.strip() != "1":
                made = subprocess.run(
                    [*base, f"CREATE DATABASE {name}"],
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=30,
                )
                if made.returncode != 0 and "already exists" not in made.stderr:
                    raise RuntimeError(f"could not create {name}: {made.stderr}")
            return
    # No psql (or psql could not log in as postgres): try the URL's own credentials.
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            exists = c.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first()
            if exists is None:
                c.exec_driver_sql(f"CREATE DATABASE {name}")
    finally:
        admin.dispose()


def empty_database(url: str) -> None:
    """Drop every table of the database at ``url`` (ours alone: caseops_reliability)."""
    assert make_url(url).database == RELIABILITY_DB, "only our own database is emptied"
    engine = create_engine(url)
    try:
        md = MetaData()
        md.reflect(engine)
        md.drop_all(engine)
    finally:
        engine.dispose()


def pg_is_up(url: str, timeout_s: float = 2.0) -> bool:
    """Whether PostgreSQL at ``url`` accepts connections now."""
    u = make_url(url)
    try:
        with socket.create_connection((u.host or "127.0.0.1", u.port or 5432), timeout_s):
            pass
    except OSError:
        return False
    engine = create_engine(url, connect_args={"connect_timeout": 2})
    try:
        with engine.connect() as c:
            c.exec_driver_sql("SELECT 1")
        return True
    except Exception:
        return False
    finally:
        engine.dispose()


def pg_cluster(action: str) -> None:
    """``pg_ctlcluster --skip-systemctl-redirect <version> main <action>`` for the
    machine's cluster (``action``: ``stop`` or ``start``). Only the opt-in outage test
    calls this."""
    assert action in ("stop", "start"), action
    for version in sorted(os.listdir("/etc/postgresql")):
        if not os.path.isdir(f"/etc/postgresql/{version}/main"):
            continue
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
            check=True,
            timeout=120,
            capture_output=True,
        )


# ------------------------------------------------------------------------------------
# Server processes
# ------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(db_url: str, **extra: str) -> dict[str, str]:
    """The environment for a server: ours without credentials or CaseOps settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in _SCRUBBED and not k.startswith("CASEOPS_") and k != "ENABLE_WEB_INTERFACE"
    }
    env["CASEOPS_DATABASE_URL"] = db_url
    env.update(extra)
    return env


class Server:
    """One ``python -m caseops.server.app`` process on 127.0.0.1 (a fresh port per start).

    ``start`` launches without waiting; ``wait_healthy`` polls ``/health`` (bounded);
    ``kill`` sends SIGKILL; ``stop`` terminates (SIGKILL after 10 s). Only the process
    this object started is ever signalled, by its pid.
    """

    def __init__(self, db_url: str, workdir: Path, **env: str) -> None:
        self.db_url = db_url
        self.workdir = workdir
        self.env = server_env(db_url, **env)
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.starts = 0
        self.log_path = workdir / "server.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self.port = free_port()
        self.starts += 1
        self.log_path = self.workdir / f"server-{self.port}-{self.starts}.log"
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "caseops.server.app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                env=self.env,
                cwd=self.workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def wait_healthy(self, timeout_s: float = 120.0) -> Server:
        assert self.proc is not None
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base_url}/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server not healthy after {timeout_s}s:\n{self.log_tail()}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the server process (no shutdown handlers run)."""
        if self.alive():
            assert self.proc is not None
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=15)

    def stop(self) -> None:
        if self.alive():
            assert self.proc is not None
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


class ServerPool:
    """Starts servers (several at once boot in parallel) and stops them all at teardown."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.servers: list[Server] = []

    def start(self, db_url: str, count: int = 1, **env: str) -> list[Server]:
        new = []
        for _ in range(count):
            d = self.workdir / f"srv{len(self.servers)}"
            d.mkdir(parents=True, exist_ok=True)
            srv = Server(db_url, d, **env)
            self.servers.append(srv)
            new.append(srv.start())
        for srv in new:
            boot(srv)
        return new

    def one(self, db_url: str, **env: str) -> Server:
        return self.start(db_url, 1, **env)[0]

    def close(self) -> None:
        for srv in self.servers:
            srv.stop()


def boot(srv: Server, timeout_s: float = 120.0) -> Server:
    """Wait for a started server; one retry on a new port (a port taken between the
    probe and the bind)."""
    try:
        return srv.wait_healthy(timeout_s)
    except RuntimeError:
        srv.stop()
        return srv.start().wait_healthy(timeout_s)


def restart(srv: Server) -> Server:
    """Start a stopped or killed server again on the same database (a new port)."""
    return boot(srv.start())


# ------------------------------------------------------------------------------------
# Episodes on the wire
# ------------------------------------------------------------------------------------
def oracle_wire(task_id: str) -> list[dict[str, Any]]:
    """The full-score action list of ``task_id`` as wire dicts."""
    return [a.payload() for a in oracle_actions(get_scenario(task_id))]


def reset_http(client: httpx.Client, base: str, **body: Any) -> dict[str, Any]:
    r = client.post(f"{base}/reset", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def step_body(eid: str, action: dict[str, Any], request_id: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"action": action, "episode_id": eid}
    if request_id is not None:
        body["request_id"] = request_id
    return body


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


# ------------------------------------------------------------------------------------
# Log checks
# ------------------------------------------------------------------------------------
def step_records(records: Sequence[RecordedEvent]) -> list[RecordedEvent]:
    """The agent-step events of a stream, in version order."""
    return [r for r in records if r.type in STEP_TYPES]


def check_stream(store: EventStore, eid: str) -> list[RecordedEvent]:
    """Assert the stream is whole: versions 1..n, step numbers 1..k in version order,
    global positions increasing with the version, and ``verify`` clean. Returns the
    records."""
    records = store.read(eid)
    assert [r.version for r in records] == list(range(1, len(records) + 1)), eid
    assert records[0].type == "EpisodeStarted", eid
    steps = [int(r.payload["step"]) for r in step_records(records)]
    assert steps == list(range(1, len(steps) + 1)), (eid, steps)
    positions = [r.position for r in records]
    assert positions == sorted(positions) and len(set(positions)) == len(positions), eid
    assert store.verify(eid) == [], store.verify(eid)
    return records


def all_events(store: EventStore, page: int = 5000) -> list[RecordedEvent]:
    """Every event in global order (paged through ``read_all``)."""
    out: list[RecordedEvent] = []
    after = 0
    for _ in range(10_000):
        batch = store.read_all(after_position=after, limit=page)
        if not batch:
            return out
        out.extend(batch)
        after = batch[-1].position
    raise AssertionError("read_all did not finish")


def wait_until(pred: Any, timeout_s: float, interval_s: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(interval_s)
    return bool(pred())


def flatten_text(values: Iterable[Any]) -> str:
    return "\n".join(canonical(v) for v in values)
