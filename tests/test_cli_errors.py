"""Expected failures of ``caseops`` commands: one line naming the cause and the fix, exit 2,
no traceback (``--debug`` shows it); PostgreSQL URLs in their standard forms; whole ids;
a quiet WebSocket close; no Gradio and no MCP stack at start-up."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import clean_env, sqlite_url
from typer.testing import CliRunner

from caseops.api.cli import app
from caseops.api.cli_support import explain
from caseops.api.service import EpisodeService
from caseops.eventstore import BadDatabaseURL, EventStore, OperationalError, normalize_url

ROOT = Path(__file__).resolve().parent.parent


def caseops(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real command line in a fresh process (what a user runs)."""
    env = clean_env(PYTHONPATH=str(ROOT.parent))
    return subprocess.run(
        [sys.executable, "-m", "caseops.api.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def refused_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def assert_one_line(run: subprocess.CompletedProcess[str], *words: str) -> str:
    assert run.returncode == 2, (run.stdout, run.stderr)
    assert "Traceback" not in run.stderr + run.stdout
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    line = lines[0]
    assert line.startswith("error: ") and "(fix: " in line, line
    for w in words:
        assert w in line, (w, line)
    return line


@pytest.mark.parametrize(
    ("url", "cause", "fix"),
    [
        ("sqlite:////nonexistent-dir/sub/x.db", "unable to open database file", "folder"),
        ("not a url", "unusable database URL", "sqlite:///"),
        ("mysql://u@localhost/db", "SQLite", "postgresql://"),
        ("postgresql://u@127.0.0.1:{port}/db", "Connection refused", "start PostgreSQL"),
        ("postgres://u@127.0.0.1:{port}/db", "Connection refused", "start PostgreSQL"),
    ],
)
def test_an_unusable_store_is_one_line_and_exit_2(url: str, cause: str, fix: str) -> None:
    run = caseops("episodes", "--db", url.format(port=refused_port()))
    assert_one_line(run, cause, fix)


def test_debug_shows_the_traceback() -> None:
    run = caseops("--debug", "episodes", "--db", "not a url")
    assert run.returncode != 0
    assert "Traceback" in run.stderr and "BadDatabaseURL" in run.stderr


def test_unknown_episode_is_one_line(tmp_path: Path) -> None:
    run = caseops("replay", "no-such-episode", "--db", sqlite_url(tmp_path))
    assert_one_line(run, "no episode 'no-such-episode'", "caseops episodes")


def test_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        run = caseops("serve", "--port", str(port), "--db", sqlite_url(tmp_path))
    assert_one_line(run, f"port {port} on 127.0.0.1 is in use", "--port")


def test_a_missing_postgres_database_names_the_fix() -> None:
    """The driver's words for a database that does not exist become the fix "create it"."""
    e = OperationalError(
        'database unavailable: connection failed: connection to server at "127.0.0.1", '
        'port 5432 failed: FATAL:  database "nope" does not exist'
    )
    line = explain(e)
    assert line is not None and "\n" not in line
    assert 'database "nope" does not exist' in line and "createdb" in line


def test_explain_leaves_bugs_alone() -> None:
    assert explain(ValueError("a bug")) is None


def test_postgres_urls_use_the_installed_psycopg_3_driver() -> None:
    assert normalize_url("postgresql://u:p@h:5432/db") == "postgresql+psycopg://u:p@h:5432/db"
    assert normalize_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("sqlite:///x.db") == "sqlite:///x.db"
    # psycopg2 is not installed: the plain form reaches the server (and is refused there),
    # instead of failing on "No module named 'psycopg2'"
    with pytest.raises(OperationalError):
        EventStore(f"postgresql://u@127.0.0.1:{refused_port()}/db")
    with pytest.raises(BadDatabaseURL):
        EventStore("postgresql+nodriver://u@h/db")


@pytest.fixture
def long_ids_db(tmp_path: Path) -> tuple[str, str]:
    url = sqlite_url(tmp_path, "ids.db")
    store = EventStore(url)
    eid = "a-long-episode-id-that-an-80-column-table-would-cut-0123456789"
    EpisodeService(store).start(task_id="damaged_mug_replacement", episode_id=eid)
    store.dispose()
    return url, eid


def test_tables_keep_ids_whole_at_80_columns(long_ids_db: tuple[str, str]) -> None:
    url, eid = long_ids_db
    r = CliRunner().invoke(app, ["episodes", "--db", url], env=clean_env(COLUMNS="80"))
    assert r.exit_code == 0, r.output
    assert eid in r.output
    r = CliRunner().invoke(app, ["episodes", "--db", url, "--ids"], env=clean_env())
    assert r.output == eid + "\n"
    r = CliRunner().invoke(app, ["episodes", "--db", url, "--json"], env=clean_env())
    (row,) = json.loads(r.output)
    assert row["episode_id"] == eid and row["score"] == 0.0 and row["done"] is False


def test_tasks_ids_and_json() -> None:
    r = CliRunner().invoke(app, ["tasks", "--split", "train", "--limit", "3", "--ids"])
    ids = r.output.split()
    assert len(ids) == 3 and all("/" in i for i in ids)
    r = CliRunner().invoke(app, ["tasks", "--split", "train", "--limit", "3", "--json"])
    assert [t["task_id"] for t in json.loads(r.output)] == ids


def test_serving_never_imports_gradio(tmp_path: Path) -> None:
    """Importing the app loads neither Gradio (openenv's own playground, replaced by
    CaseOps') nor fastmcp (openenv's MCP base class; CaseOps' own MCP server loads it when
    the app is built); building and serving it, the playground included, loads no Gradio,
    and /web is CaseOps' page."""
    script = """
import os, sys
os.environ["ENABLE_WEB_INTERFACE"] = "true"
import caseops.api.app
print("imported", "gradio" in sys.modules, "fastmcp" in sys.modules)
from fastapi.testclient import TestClient
from caseops.api.app import create_caseops_app
with TestClient(create_caseops_app()) as c:
    page = c.get("/web")
    print("web", page.status_code, "CaseOps playground" in page.text)
print("gradio", "gradio" in sys.modules)
"""
    env = clean_env(CASEOPS_DATABASE_URL=sqlite_url(tmp_path, "g.db"), PYTHONPATH=str(ROOT.parent))
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    lines = dict(line.split(" ", 1) for line in out.stdout.splitlines() if " " in line)
    assert lines == {"imported": "False False", "web": "200 True", "gradio": "False"}


def test_a_normal_websocket_close_logs_no_traceback(live_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    websockets = pytest.importorskip("websockets")
    srv = live_server(sqlite_url(tmp_path, "ws.db"))

    async def session() -> str:
        url = srv.base_url.replace("http://", "ws://") + "/ws"
        async with websockets.connect(url) as ws:
            msg = {"type": "reset", "data": {"task_id": "damaged_mug_replacement"}}
            await ws.send(json.dumps(msg))
            return str(json.loads(await ws.recv())["type"])

    for _ in range(3):
        assert asyncio.run(session()) == "observation"
    # the server has seen the closes once a later request is answered
    import httpx

    assert httpx.get(f"{srv.base_url}/health", timeout=10).status_code == 200
    log = srv.log_text()
    assert "Traceback" not in log and "Exception in ASGI application" not in log, log


def test_debug_does_not_outlive_its_invocation() -> None:
    r = CliRunner().invoke(app, ["--debug", "replay", "x", "--db", "not a url"])
    assert isinstance(r.exception, BadDatabaseURL)
    r = CliRunner().invoke(app, ["replay", "x", "--db", "not a url"])
    assert (r.exit_code == 2 and r.exception is None) or isinstance(r.exception, SystemExit)


def test_the_mcp_protocol_app_is_built_after_start_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app is served before the MCP protocol app exists; an MCP request waits for it;
    one that cannot be served (the build failed) is a 503, and the rest keeps working."""
    from fastapi.testclient import TestClient

    from caseops.api import mcp_deferred
    from caseops.api.app import create_caseops_app
    from caseops.api.settings import Settings

    settings = Settings(database_url=sqlite_url(tmp_path, "m.db"))

    def broken(self: object) -> None:
        raise RuntimeError("no MCP here")

    monkeypatch.setattr(mcp_deferred.DeferredMcpApp, "_build", broken)
    mcp_protocol = {"accept": "application/json, text/event-stream"}
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}
    with TestClient(create_caseops_app(settings)) as c:
        assert c.post("/mcp", json=init, headers=mcp_protocol).status_code == 503
        assert c.post("/reset", json={"task_id": "damaged_mug_replacement"}).status_code == 200
