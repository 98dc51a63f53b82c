"""Where a served step runs (``caseops.api.execution``): on the event loop on SQLite,
on a worker thread on PostgreSQL or when ``CASEOPS_STEP_EXECUTOR=thread``; the same
answers either way, over HTTP and WebSocket."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import LiveServer, action_json, oracle_actions, sqlite_url
from fastapi.testclient import TestClient

from caseops.api.app import create_caseops_app
from caseops.api.execution import StepRunner
from caseops.api.service import EpisodeService
from caseops.api.settings import Settings
from caseops.cases.catalog import get_scenario
from caseops.domain.errors import EpisodeNotFound

TASK = "damaged_mug_replacement"


@pytest.mark.parametrize(
    ("mode", "dialect", "inline"),
    [
        ("auto", "sqlite", True),
        ("auto", "postgresql", False),
        ("inline", "postgresql", True),
        ("thread", "sqlite", False),
    ],
)
def test_runner_mode_follows_setting_and_store(mode: Any, dialect: str, inline: bool) -> None:
    assert StepRunner.for_dialect(mode, dialect).inline is inline


@pytest.mark.parametrize("inline", [True, False])
def test_runner_runs_where_it_says_and_passes_results_and_errors(inline: bool) -> None:
    runner = StepRunner(inline=inline)

    def where(x: int, *, y: int) -> tuple[int, int]:
        return threading.get_ident(), x + y

    def fails() -> None:
        raise EpisodeNotFound("no episode 'x'")

    async def main() -> tuple[int, int, int]:
        ident, total = await runner(where, 2, y=3)
        with pytest.raises(EpisodeNotFound):
            await runner(fails)
        return threading.get_ident(), ident, total

    loop_thread, ran_on, total = asyncio.run(main())
    assert total == 5
    assert (ran_on == loop_thread) is inline


def _spy(service: EpisodeService, seen: list[str]) -> None:
    """Record, for each start and step, whether it ran on an event loop's thread."""

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        def inner(*args: Any, **kwargs: Any) -> Any:
            try:
                asyncio.get_running_loop()
                seen.append("loop")
            except RuntimeError:
                seen.append("thread")
            return fn(*args, **kwargs)

        return inner

    service.start = wrap(service.start)  # type: ignore[method-assign]
    service.step = wrap(service.step)  # type: ignore[method-assign]
    service.state = wrap(service.state)  # type: ignore[method-assign]


@pytest.fixture(params=["inline", "thread"])
def mode_client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Any]]:
    settings = Settings(database_url=sqlite_url(tmp_path, "exec.db"), step_executor=request.param)
    app = create_caseops_app(settings=settings)
    seen: list[str] = []
    _spy(app.state.service, seen)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield request.param, (c, seen)
    app.state.service.close()


def test_http_episode_runs_in_the_configured_place(mode_client: tuple[str, Any]) -> None:
    mode, (c, seen) = mode_client
    expected = "loop" if mode == "inline" else "thread"
    s = get_scenario(TASK)
    r = c.post("/reset", json={"task_id": TASK})
    assert r.status_code == 200, r.text
    eid = r.json()["observation"]["episode_id"]
    for a in oracle_actions(s):
        r = c.post("/step", json={"action": action_json(a), "episode_id": eid})
        assert r.status_code == 200, r.text
    assert r.json()["done"] is True and r.json()["observation"]["current_score"] >= 0.99
    st = c.get("/state", params={"episode_id": eid})
    assert st.status_code == 200 and st.json()["done"] is True
    # a domain error raised where the step ran still becomes its status, and appends nothing
    after = c.post("/step", json={"action": {"action_type": "review_ticket"}, "episode_id": eid})
    assert after.status_code == 409, after.text
    assert (
        c.post(
            "/step", json={"action": {"action_type": "review_ticket"}, "episode_id": "nope"}
        ).status_code
        == 404
    )
    assert seen and set(seen) == {expected}


def test_websocket_episode_runs_in_the_configured_place(mode_client: tuple[str, Any]) -> None:
    mode, (c, seen) = mode_client
    expected = "loop" if mode == "inline" else "thread"
    s = get_scenario(TASK)
    with c.websocket_connect("/ws") as ws:
        ws.send_json({"type": "reset", "data": {"task_id": TASK}})
        first = ws.receive_json()
        assert first["type"] == "observation", first
        reply: dict[str, Any] = {}
        for a in oracle_actions(s):
            ws.send_json({"type": "step", "data": action_json(a)})
            reply = ws.receive_json()
            assert reply["type"] == "observation", reply
        assert reply["data"]["done"] is True
        ws.send_json({"type": "step", "data": {"action_type": "review_ticket"}})
        refused = ws.receive_json()
        assert refused["type"] == "error" and "ended" in str(refused["data"]).lower()
    assert len(seen) == 1 + len(oracle_actions(s)) + 1
    assert set(seen) == {expected}


@pytest.mark.parametrize(("setting", "compressed"), [(None, False), ("true", True)])
def test_served_websocket_compression_follows_the_setting(
    tmp_path: Path, setting: str | None, compressed: bool
) -> None:
    """``caseops.server.app`` declines per-message deflate unless
    ``CASEOPS_WS_PER_MESSAGE_DEFLATE`` asks for it; the episode plays either way."""
    from websockets.sync.client import connect

    extra = {} if setting is None else {"CASEOPS_WS_PER_MESSAGE_DEFLATE": setting}
    srv = LiveServer(sqlite_url(tmp_path, "ws.db"), tmp_path, **extra)
    try:
        srv.wait_healthy()
        url = srv.base_url.replace("http://", "ws://") + "/ws"
        with connect(url, compression="deflate") as ws:  # the client offers it
            names = [type(x).__name__ for x in ws.protocol.extensions]
            assert ("PerMessageDeflate" in names) is compressed, names
            ws.send('{"type": "reset", "data": {"task_id": "damaged_mug_replacement"}}')
            assert '"observation"' in str(ws.recv())
            ws.send('{"type": "step", "data": {"action_type": "review_ticket"}}')
            assert '"last_tool_result"' in str(ws.recv())
    finally:
        srv.stop()
