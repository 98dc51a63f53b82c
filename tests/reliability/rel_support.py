"""Helpers for the reliability tests: live server processes, PostgreSQL database
management, oracle action lists on the wire, and log checks.

Everything here talks only to 127.0.0.1, and every wait is bounded in time.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, settings
from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.engine import make_url

from caseops.cases.catalog import get_scenario
from caseops.domain.events import EVENT_TYPES, StepEvent
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
    "damaged_mug_replacement",
    "duplicate_charge_refund",
    "account_takeover_fraud",
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
    """Drop every table of the database at ``url`` (ours alone: ``caseops_reliability``
    or a ``caseops_reliability_*`` of a single test module)."""
    name = make_url(url).database or ""
    assert name == RELIABILITY_DB or name.startswith(RELIABILITY_DB + "_"), (
        "only our own databases are emptied"
    )
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
# A TCP proxy the test owns, between a server and PostgreSQL (outages without touching
# the machine's cluster)
# ------------------------------------------------------------------------------------
class _Link:
    """One forwarded connection: the server's socket and ours to PostgreSQL."""

    def __init__(self, client: socket.socket, upstream: socket.socket) -> None:
        self.client = client
        self.upstream = upstream
        self.closed = False
        self.busy = False  # a request was forwarded and no reply has come back yet
        self.lose_commit_reply = False  # armed: forward the next COMMIT, drop its reply
        self.commit_sent = False
        self.tail = b""  # the last bytes sent upstream (a COMMIT split across reads)


class PgProxy:
    """A threaded TCP forwarder on ``127.0.0.1:<port>`` to PostgreSQL at ``target``.

    ``cut`` is the outage: the listening socket is closed (new connections are refused)
    and every open forwarded connection is killed (RST both ways), as when PostgreSQL
    stops under pooled connections. ``resume`` listens again on the same port. ``drop``
    kills the open connections but keeps listening (connections dying mid-transaction).
    ``lose_commit_reply`` arms the connections that are waiting for a reply now: the
    next ``COMMIT`` each sends is forwarded, and the connection is killed instead of
    passing on the answer (a commit whose outcome the server never learns).

    Only 127.0.0.1 is used; every thread is a daemon and every wait is bounded.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._lock = threading.Lock()
        self._links: set[_Link] = set()
        self._listener: socket.socket | None = None
        self._stop = threading.Event()
        self._acceptor: threading.Thread | None = None
        self.accepted = 0
        self.killed = 0  # open connections killed by drop/cut
        self.killed_busy = 0  # ... of which a request was waiting for its reply
        self.commit_replies_lost = 0

    @classmethod
    def to(cls, url: str) -> PgProxy:
        """A proxy to the PostgreSQL server of ``url`` (not started)."""
        u = make_url(url)
        return cls(u.host or "127.0.0.1", int(u.port or 5432))

    def url(self, url: str, **query: str) -> str:
        """``url`` pointed at this proxy (plain TCP: ``sslmode=disable``), with ``query``
        added to its parameters (libpq's, such as ``application_name``)."""
        u = make_url(url).set(host="127.0.0.1", port=self.port)
        u = u.update_query_dict({"sslmode": "disable", **query})
        return u.render_as_string(hide_password=False)

    # -- listening ----------------------------------------------------------------------
    @property
    def listening(self) -> bool:
        return self._listener is not None

    def start(self) -> PgProxy:
        """Listen (on a free port the first time, on the same port afterwards)."""
        assert self._listener is None, "already listening"
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        deadline = time.monotonic() + 10
        while True:
            try:
                sock.bind(("127.0.0.1", self.port))
                break
            except OSError:
                if self.port == 0 or time.monotonic() > deadline:
                    sock.close()
                    raise
                time.sleep(0.05)
        sock.listen(128)
        self.port = int(sock.getsockname()[1])
        self._listener = sock
        self._stop = threading.Event()
        self._acceptor = threading.Thread(
            target=self._accept_loop, args=(sock, self._stop), name="pgproxy-accept", daemon=True
        )
        self._acceptor.start()
        return self

    def resume(self) -> PgProxy:
        """The database is back: listen again on the same port."""
        return self.start()

    def _stop_listening(self) -> None:
        sock, self._listener = self._listener, None
        if sock is None:
            return
        self._stop.set()
        if self._acceptor is not None:
            self._acceptor.join(timeout=5)
        sock.close()

    def cut(self) -> int:
        """The outage: stop listening, then kill every open connection. Returns how many
        were killed."""
        self._stop_listening()
        return self.drop()

    def close(self) -> None:
        self.cut()

    def __enter__(self) -> PgProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- connections ------------------------------------------------------------------
    def open_links(self) -> int:
        """How many forwarded connections are open."""
        with self._lock:
            return sum(1 for link in self._links if not link.closed)

    def busy_links(self) -> int:
        """How many open connections wait for a reply to a request now."""
        with self._lock:
            return sum(1 for link in self._links if not link.closed and link.busy)

    def drop(self) -> int:
        """Kill every open forwarded connection (listening goes on). Returns the count."""
        with self._lock:
            links = [link for link in self._links if not link.closed]
        n = 0
        for link in links:
            busy = link.busy
            if self._kill(link):
                n += 1
                self.killed_busy += int(busy)
        self.killed += n
        return n

    def lose_commit_reply(self) -> int:
        """Arm every connection that is waiting for a reply now (see the class doc).
        Returns how many were armed."""
        with self._lock:
            links = [link for link in self._links if not link.closed and link.busy]
            for link in links:
                link.lose_commit_reply = True
        return len(links)

    def _accept_loop(self, sock: socket.socket, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                ready, _, _ = select.select([sock], [], [], 0.05)
                if not ready or stop.is_set():
                    continue
                client, _ = sock.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _hard_close(client)
                continue
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            link = _Link(client, upstream)
            with self._lock:
                self._links = {x for x in self._links if not x.closed}
                self._links.add(link)
                self.accepted += 1
            for up in (True, False):
                threading.Thread(
                    target=self._pump, args=(link, up), name="pgproxy-pump", daemon=True
                ).start()

    def _pump(self, link: _Link, up: bool) -> None:
        src, dst = (link.client, link.upstream) if up else (link.upstream, link.client)
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if up:
                    if link.lose_commit_reply and b"COMMIT\x00" in link.tail + data:
                        link.commit_sent = True
                    link.tail = data[-16:]
                    link.busy = True
                else:
                    if link.commit_sent:
                        self.commit_replies_lost += 1
                        break  # PostgreSQL answered the COMMIT: the server never hears it
                    link.busy = False
                dst.sendall(data)
        except OSError:
            pass
        finally:
            self._kill(link)

    def _kill(self, link: _Link) -> bool:
        with self._lock:
            if link.closed:
                return False
            link.closed = True
        for s in (link.client, link.upstream):
            _hard_close(s)
        return True


def _hard_close(s: socket.socket) -> None:
    """Close with RST (no lingering), waking any thread blocked on the socket."""
    with contextlib.suppress(OSError):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        s.shutdown(socket.SHUT_RDWR)
    s.close()


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


def fuzz_settings(examples: int, **extra: Any) -> settings:
    """Hypothesis settings for the fuzz tests: bounded, reproducible (derandomised), and
    writing no example database."""
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        **extra,
    )
