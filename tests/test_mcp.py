"""MCP tools: one per action type, typed (vocabulary enums, ``requested_fields`` an array),
over openenv's ``POST /mcp`` JSON-RPC within a session and the WebSocket's ``"mcp"``
messages, and over the MCP protocol itself, where a real client from the ``mcp`` SDK
connects to a live server, lists the tools and plays an episode to the end."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import LiveServer, action_json, oracle_actions, running_servers, sqlite_url
from fastapi.testclient import TestClient

from caseops.api.app import create_caseops_app
from caseops.api.settings import Settings
from caseops.api.tools import TOOL_NAMES
from caseops.cases.catalog import get_scenario
from caseops.domain.vocab import ACTION_TYPES, QUEUES, REQUESTABLE_FIELDS

TASK = "api_incident_hard"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_caseops_app(settings=Settings(database_url=sqlite_url(tmp_path, "m.db")))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
    app.state.service.close()


def rpc(c: TestClient, method: str, params: dict[str, Any], k: int = 1) -> dict[str, Any]:
    r = c.post("/mcp", json={"jsonrpc": "2.0", "id": k, "method": method, "params": params})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body.get("error") is None, body
    return dict(body["result"])


def calls_for(task_id: str) -> list[tuple[str, dict[str, Any]]]:
    """The reference agent's actions as tool calls."""
    out = []
    for a in oracle_actions(get_scenario(task_id)):
        args = action_json(a)
        out.append((args.pop("action_type"), args))
    return out


def check_tools(tools: list[dict[str, Any]]) -> None:
    by_name = {t["name"]: t for t in tools}
    assert set(by_name) == {"start_case", *TOOL_NAMES}
    assert set(TOOL_NAMES) == set(ACTION_TYPES)  # one tool per action type
    for t in tools:
        assert len(t["description"]) > 40, t["name"]
    schema = by_name["classify"]["inputSchema"]
    assert schema["properties"]["queue"]["enum"] == list(QUEUES)
    assert set(schema["required"]) == {"queue", "priority", "issue_type"}
    fields = by_name["request_info"]["inputSchema"]["properties"]["requested_fields"]
    assert fields["type"] == "array" and fields["items"]["enum"] == list(REQUESTABLE_FIELDS)
    start = by_name["start_case"]["inputSchema"]["properties"]
    assert start["reward_mode"]["anyOf"][0]["enum"] == ["dense", "terminal"]


def test_http_mcp_plays_an_episode_within_a_session(client: TestClient) -> None:
    session = rpc(client, "openenv/session/create", {})["session_id"]
    check_tools(rpc(client, "tools/list", {"session_id": session})["tools"])
    first = rpc(
        client,
        "tools/call",
        {"session_id": session, "name": "start_case", "arguments": {"task_id": TASK}},
    )
    assert first["observation"]["task_id"] == TASK and first["done"] is False
    assert "gold" not in json.dumps(first)
    rewards = []
    for name, args in calls_for(TASK):
        res = rpc(client, "tools/call", {"session_id": session, "name": name, "arguments": args})
        assert set(res) == {"observation", "reward", "done"}
        rewards.append(res["reward"])
    assert res["done"] is True and res["observation"]["current_score"] >= 0.99
    eid = res["observation"]["episode_id"]
    replay = client.get(f"/episodes/{eid}/replay").json()
    assert replay["matches"] is True and len(replay["recorded_rewards"]) == len(rewards)
    # a value outside the vocabulary is refused, naming the field
    bad = client.post(
        "/mcp",
        json={
            "jsonrpc": "2.0",
            "id": 9,
            "method": "tools/call",
            "params": {"session_id": session, "name": "escalate", "arguments": {"queue": "x"}},
        },
    ).json()
    assert bad["error"] is not None and "queue" in bad["error"]["message"]
    rpc(client, "openenv/session/close", {"session_id": session})


def test_websocket_mcp_messages_share_the_session_episode(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:

        def mcp(k: int, method: str, params: dict[str, Any]) -> dict[str, Any]:
            ws.send_text(
                json.dumps(
                    {
                        "type": "mcp",
                        "data": {"jsonrpc": "2.0", "id": k, "method": method, "params": params},
                    }
                )
            )
            reply = json.loads(ws.receive_text())
            assert reply["type"] == "mcp" and reply["data"].get("error") is None, reply
            return dict(reply["data"]["result"])

        check_tools(mcp(1, "tools/list", {})["tools"])
        # a reset over the session's own protocol, then tools on the same episode
        ws.send_text(
            json.dumps({"type": "reset", "data": {"task_id": TASK, "reward_mode": "terminal"}})
        )
        eid = json.loads(ws.receive_text())["data"]["observation"]["episode_id"]
        for k, (name, args) in enumerate(calls_for(TASK), start=2):
            res = mcp(k, "tools/call", {"name": name, "arguments": args})
            assert res["observation"]["episode_id"] == eid
            if not res["done"]:
                assert res["reward"] == 0.0  # terminal mode: nothing until the end
        assert res["done"] is True and res["reward"] >= 0.99


async def _play_with_mcp_sdk(url: str) -> dict[str, Any]:
    from mcp import ClientSession
    from mcp.client.streamable_http import streamablehttp_client

    async with (
        streamablehttp_client(url) as (read, write, _),
        ClientSession(read, write) as session,
    ):
        init = await session.initialize()
        listed = await session.list_tools()
        tools = [
            {"name": t.name, "description": t.description, "inputSchema": t.inputSchema}
            for t in listed.tools
        ]
        started = await session.call_tool(
            "start_case", {"split": "seed", "index": 5, "reward_mode": "terminal"}
        )
        results = [started.structuredContent]
        for name, args in calls_for(TASK):
            res = await session.call_tool(name, args)
            assert not res.isError, res.content
            results.append(res.structuredContent)
        refused = await session.call_tool("classify", {"queue": "nowhere"})
        return {
            "server": init.serverInfo.name,
            "tools": tools,
            "results": results,
            "refused": refused,
        }


def test_a_real_mcp_client_lists_and_plays_an_episode(tmp_path: Path) -> None:
    with running_servers(sqlite_url(tmp_path, "live.db"), tmp_path) as servers:
        srv: LiveServer = servers[0]
        out = asyncio.run(_play_with_mcp_sdk(f"{srv.base_url}/mcp"))
        # openenv's own JSON-RPC at the same path still answers plain JSON
        import httpx

        plain = httpx.post(
            f"{srv.base_url}/mcp",
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}},
            timeout=30,
        ).json()
    assert out["server"] == "caseops"
    check_tools(out["tools"])
    assert {t["name"] for t in plain["result"]["tools"]} == {t["name"] for t in out["tools"]}
    first, last = out["results"][0], out["results"][-1]
    assert first["observation"]["task_id"] == TASK  # the seed split's sixth task
    assert first["observation"]["reward_mode"] == "terminal"
    assert all(r["reward"] == 0.0 for r in out["results"][1:-1])
    assert last["done"] is True and last["reward"] >= 0.99
    assert last["observation"]["grade_report"]["score"] == last["reward"]
    assert out["refused"].isError  # validated against the schema before the call
    print(
        f"\nMCP SDK client: {len(out['tools'])} tools; {len(out['results']) - 1} calls; "
        f"final reward {last['reward']:.3f}"
    )
