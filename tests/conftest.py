"""Shared fixtures for the CaseOps test suite.

Backends: every store-backed fixture is parametrised over SQLite (a file in ``tmp_path``)
and PostgreSQL (``CASEOPS_TEST_POSTGRES_URL``; skipped with a visible reason when unset).
The PostgreSQL tables are dropped and recreated before each test that uses them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest
from hypothesis import settings
from sqlalchemy import create_engine, text

from caseops.api.service import EpisodeService
from caseops.domain.actions import CaseAction
from caseops.domain.scenario import Scenario
from caseops.eventstore import EventStore, schema
from caseops.statemachine.agents import say
from caseops.statemachine.decide import match_policy

# Property tests draw fresh examples on a developer's machine (finding new failures) and a
# fixed set in CI (`HYPOTHESIS_PROFILE=ci`, set by .ci/run), so that a CI run's verdict is
# reproducible; a failure prints the blob that replays it (Hypothesis documentation,
# "Settings: derandomize").
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

PG_ENV = "CASEOPS_TEST_POSTGRES_URL"
PG_SKIP_REASON = f"{PG_ENV} not set: PostgreSQL backend tests are skipped"

#: Environment variables that must not leak into subprocesses under test.
_SCRUBBED_ENV = (
    "HF_TOKEN",
    "OPENAI_API_KEY",
    "MODEL_NAME",
    "API_BASE_URL",
    "CASEOPS_MODEL_TIMEOUT",
    "CASEOPS_MODEL_RETRIES",
    "CASEOPS_MAX_MODEL_CALLS",
    "CASEOPS_HISTORY_CHARS",
    "ENV_BASE_URL",
    "LOCAL_IMAGE_NAME",
    "CASEOPS_SPLIT",
    "CASEOPS_LIMIT",
    "CASEOPS_DATABASE_URL",
    "ENABLE_WEB_INTERFACE",
    "PORT",
    "HOST",
    "CASEOPS_ADMIN_TOKEN",
    "CASEOPS_STEP_EXECUTOR",
    "CASEOPS_WS_PER_MESSAGE_DEFLATE",
)


# ------------------------------------------------------------------------------------
# Backends
# ------------------------------------------------------------------------------------
def pg_url_or_skip() -> str:
    """The PostgreSQL test URL, or skip the test with a visible reason."""
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        pytest.skip(PG_SKIP_REASON)
    return url


def reset_pg(url: str) -> None:
    """Drop every CaseOps table (and the migration stamp) so the next store starts from an
    empty database."""
    engine = create_engine(url)
    try:
        schema.metadata.drop_all(engine)
        with engine.begin() as c:
            c.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        engine.dispose()


def sqlite_url(directory: Path, name: str = "store.db") -> str:
    return f"sqlite:///{directory / name}"


@pytest.fixture
def pg_url() -> str:
    """A freshly emptied PostgreSQL database URL (skips when unset)."""
    url = pg_url_or_skip()
    reset_pg(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store URL on each backend: an SQLite file in ``tmp_path``, or PostgreSQL."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    url = pg_url_or_skip()
    reset_pg(url)
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[EventStore]:
    s = EventStore(store_url)
    try:
        yield s
    finally:
        s.dispose()


@pytest.fixture
def service(store: EventStore) -> EpisodeService:
    return EpisodeService(store)


# ------------------------------------------------------------------------------------
# Live server subprocesses
# ------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """The current environment without credentials or CaseOps settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
    env.update(extra)
    return env


class LiveServer:
    """One ``python -m caseops.server.app`` subprocess on a free port."""

    def __init__(self, db_url: str, workdir: Path, **extra_env: str) -> None:
        self.db_url = db_url
        self.workdir = workdir
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"server-{self.port}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
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
            env=clean_env(CASEOPS_DATABASE_URL=db_url, **extra_env),
            cwd=workdir,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def log_text(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def wait_healthy(self, timeout_s: float = 90.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log_text()}")
            try:
                r = httpx.get(f"{self.base_url}/health", timeout=2)
                if r.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server did not become healthy:\n{self.log_text()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()


@contextmanager
def running_servers(db_url: str, workdir: Path, count: int = 1) -> Iterator[list[LiveServer]]:
    """Start ``count`` servers on one database at once (they boot in parallel), wait for
    each one's ``/health``, and kill them all on exit."""
    servers: list[LiveServer] = []
    try:
        servers = [LiveServer(db_url, workdir) for _ in range(count)]
        for k, srv in enumerate(servers):
            try:
                srv.wait_healthy()
            except RuntimeError:
                # a free port can be taken between probe and bind: one retry on a new one
                srv.stop()
                servers[k] = LiveServer(db_url, workdir)
                servers[k].wait_healthy()
        yield servers
    finally:
        for srv in servers:
            srv.stop()


class ServerFactory:
    """``live_server(db_url)`` -> one server; ``live_server.many(db_url, n)`` -> n servers
    on the same database. Every server started is killed at teardown."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self._stack = ExitStack()

    def many(self, db_url: str, count: int) -> list[LiveServer]:
        return self._stack.enter_context(running_servers(db_url, self.workdir, count))

    def __call__(self, db_url: str) -> LiveServer:
        return self.many(db_url, 1)[0]

    def close(self) -> None:
        self._stack.close()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[ServerFactory]:
    factory = ServerFactory(tmp_path)
    try:
        yield factory
    finally:
        factory.close()


# ------------------------------------------------------------------------------------
# The oracle: the full-score action list, built from the gold
# ------------------------------------------------------------------------------------
def oracle_actions(scenario: Scenario) -> list[CaseAction]:
    """The full-score path of ``scenario``, read from its gold.

    review the ticket; inspect each required artifact; search each required policy topic;
    classify (and escalate when the gold ends escalated); request the gold fields; note and
    reply with the first phrase of every marker; resolve or submit with the gold code.
    """
    g = scenario.gold
    acts = [CaseAction(action_type="review_ticket")]
    for item in g.required_evidence:
        if item.startswith("artifact:"):
            acts.append(CaseAction(action_type="inspect_artifact", artifact_id=item[9:]))
    for item in g.required_evidence:
        if item.startswith("policy:"):
            topic = item[7:]
            query = topic.replace("_", " ")
            assert match_policy(scenario, query) == topic, (scenario.task_id, topic)
            acts.append(CaseAction(action_type="search_policy", query=query))
    acts.append(
        CaseAction(
            action_type="classify", queue=g.queue, priority=g.priority, issue_type=g.issue_type
        )
    )
    if g.escalates:
        acts.append(CaseAction(action_type="escalate", queue=g.queue))
    if g.requested_fields:
        acts.append(
            CaseAction(action_type="request_info", requested_fields=list(g.requested_fields))
        )
    if g.note_points:
        note = "Findings: " + " ".join(say(p) for p in g.note_points)
        acts.append(CaseAction(action_type="add_internal_note", note=note))
    if g.reply_points:
        reply = "Hello. " + " ".join(say(p) for p in g.reply_points)
        acts.append(CaseAction(action_type="draft_reply", message=reply))
    if g.final_status == "resolved":
        acts.append(CaseAction(action_type="resolve", resolution_code=g.resolution_code))
    else:
        acts.append(CaseAction(action_type="submit", resolution_code=g.resolution_code))
    return acts


def action_json(action: CaseAction) -> dict[str, object]:
    """The action as a wire dict (no unset fields, no metadata)."""
    return action.model_dump(mode="json", exclude_none=True, exclude={"metadata"})


@pytest.fixture
def oracle() -> Callable[[Scenario], list[CaseAction]]:
    return oracle_actions
