"""The HTTP/WebSocket surface (docs/architecture.md, "OpenEnv surface"): OpenEnv routes
backed by the log, the CaseOps routes, hostile input, the OpenEnv client, several server
processes, and
``openenv validate``."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import (
    LiveServer,
    action_json,
    oracle_actions,
    pg_url_or_skip,
    reset_pg,
    running_servers,
    sqlite_url,
)
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hst

from caseops.api.app import create_caseops_app
from caseops.api.settings import Settings
from caseops.cases.catalog import SEED_SCENARIOS, get_scenario
from caseops.domain.judge.phrases import phrase_in
from caseops.domain.vocab import ACTION_TYPES, CASE_STATUSES, QUEUES, RESOLUTION_CODES
from caseops.eventstore import EventStore

REPO = Path(__file__).resolve().parents[1]
TASK = "damaged_mug_replacement"


def make_client(url: str) -> TestClient:
    app = create_caseops_app(settings=Settings(database_url=url))
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with make_client(sqlite_url(tmp_path, "http.db")) as c:
        yield c
    c.app.state.service.close()


@pytest.fixture
def any_client(store_url: str) -> Iterator[TestClient]:
    """A client on each backend (SQLite file, PostgreSQL when set)."""
    with make_client(store_url) as c:
        yield c
    c.app.state.service.close()


def reset(c: TestClient, **body: Any) -> dict[str, Any]:
    r = c.post("/reset", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def step(c: TestClient, action: dict[str, Any], episode_id: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {"action": action}
    if episode_id is not None:
        body["episode_id"] = episode_id
    return c.post("/step", json=body)


def version(c: TestClient, eid: str) -> int:
    r = c.get(f"/episodes/{eid}")
    assert r.status_code == 200, r.text
    return int(r.json()["version"])


def keys_anywhere(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            found.add(str(k))
            found |= keys_anywhere(v)
    elif isinstance(value, list):
        for v in value:
            found |= keys_anywhere(v)
    return found


def play_to_end(c: TestClient, task_id: str = TASK) -> str:
    eid = reset(c, task_id=task_id)["observation"]["episode_id"]
    for a in oracle_actions(get_scenario(task_id)):
        r = step(c, action_json(a), eid)
        assert r.status_code == 200, r.text
    assert r.json()["done"] is True
    return eid


# ------------------------------------------------------------------------------------
# reset / step / state
# ------------------------------------------------------------------------------------
def test_reset_step_state_flow(any_client: TestClient) -> None:
    c = any_client
    data = reset(c, task_id=TASK)
    obs = data["observation"]
    eid = obs["episode_id"]
    assert eid and obs["task_id"] == TASK
    assert data["done"] is False
    assert obs["case"]["status"] == "new"
    assert set(obs["legal_actions"]) >= {"review_ticket", "classify", "submit"}
    assert obs["grade_report"] is None
    assert obs["remaining_steps"] == get_scenario(TASK).step_budget

    r = step(c, {"action_type": "review_ticket"}, eid)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["done"] is False
    assert isinstance(body["reward"], float | int) and body["reward"] > 0
    assert body["observation"]["episode_id"] == eid
    assert "ticket" in body["observation"]["collected_evidence"]
    assert body["observation"]["last_tool_result"]

    st = c.get("/state", params={"episode_id": eid})
    assert st.status_code == 200
    s = st.json()
    assert s["episode_id"] == eid and s["step_count"] == 1 and s["status"] == "new"
    assert s["done"] is False and s["version"] == 2 and s["task_id"] == TASK
    assert "gold" not in keys_anywhere(s)


def test_reset_with_seed_is_reproducible(client: TestClient) -> None:
    a = reset(client, seed=7)["observation"]["task_id"]
    b = reset(client, seed=7)["observation"]["task_id"]
    assert a == b and a in SEED_SCENARIOS
    picked = {reset(client, seed=k)["observation"]["task_id"] for k in range(30)}
    assert len(picked) > 1


def test_reset_with_custom_episode_id_and_duplicate(client: TestClient) -> None:
    obs = reset(client, task_id=TASK, episode_id="my-episode-1")["observation"]
    assert obs["episode_id"] == "my-episode-1"
    r = client.post("/reset", json={"task_id": TASK, "episode_id": "my-episode-1"})
    assert r.status_code == 409
    assert version(client, "my-episode-1") == 1


def test_step_and_state_without_episode_id_are_422_naming_it(client: TestClient) -> None:
    """Plain HTTP keeps no session: ``/step`` and ``/state`` name their episode, also
    right after a ``/reset`` (no process-wide "latest episode" shared by every client)."""
    eid = reset(client, task_id=TASK)["observation"]["episode_id"]
    r = step(client, {"action_type": "review_ticket"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "episode_id"]
    r = client.get("/state")
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "episode_id"]
    assert version(client, eid) == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/step"),
        ("get", "/state?episode_id=nope"),
        ("get", "/episodes/nope"),
        ("get", "/episodes/nope/events"),
        ("get", "/episodes/nope/replay"),
    ],
)
def test_unknown_episode_is_404(client: TestClient, method: str, path: str) -> None:
    if method == "post":
        r = client.post(
            path, json={"action": {"action_type": "review_ticket"}, "episode_id": "nope"}
        )
    else:
        r = client.get(path)
    assert r.status_code == 404, r.text
    assert client.get("/episodes").json()["total"] == 0


def test_unknown_task_and_split_are_404(client: TestClient) -> None:
    assert client.post("/reset", json={"task_id": "nope"}).status_code == 404
    assert client.post("/reset", json={"split": "nope"}).status_code == 404
    assert client.get("/episodes").json()["total"] == 0


def test_step_after_done_is_409_and_appends_nothing(any_client: TestClient) -> None:
    c = any_client
    eid = play_to_end(c)
    before = version(c, eid)
    events_before = c.get(f"/episodes/{eid}/events").json()["events"]
    for a in ({"action_type": "review_ticket"}, {"action_type": "submit"}):
        r = step(c, a, eid)
        assert r.status_code == 409, r.text
    assert version(c, eid) == before
    assert c.get(f"/episodes/{eid}/events").json()["events"] == events_before
    st = c.get("/state", params={"episode_id": eid}).json()
    assert st["done"] is True and st["end_reason"] == "resolved"


def test_final_observation_carries_the_grade_report(client: TestClient) -> None:
    eid = reset(client, task_id=TASK)["observation"]["episode_id"]
    for a in oracle_actions(get_scenario(TASK)):
        body = step(client, action_json(a), eid).json()
        if not body["done"]:
            assert body["observation"]["grade_report"] is None
    report = body["observation"]["grade_report"]
    assert report and report["score"] >= 0.99
    assert {c["name"] for c in report["components"]} >= {"final_status", "queue", "evidence"}


def test_step_with_request_id_is_idempotent(store_url: str) -> None:
    url = store_url
    with make_client(url) as c:
        eid = reset(c, task_id=TASK)["observation"]["episode_id"]
        body = {"action": {"action_type": "review_ticket"}, "episode_id": eid, "request_id": "r1"}
        first = c.post("/step", json=body)
        assert first.status_code == 200
        v1 = version(c, eid)
        again = c.post("/step", json=body)
        assert again.status_code == 200
        assert again.json() == first.json()
        assert version(c, eid) == v1, "a retried request must append nothing"
        # a new request id is a new step
        r2 = c.post("/step", json={**body, "request_id": "r2"})
        assert r2.status_code == 200 and r2.json()["observation"]["step"] == 2
        v2 = version(c, eid)
        # the old request, retried late, still answers what it answered then
        late = c.post("/step", json=body)
        assert late.json() == first.json()
        assert version(c, eid) == v2
        # finish the episode with a request id; its retry is the same answer, not 409
        acts = oracle_actions(get_scenario(TASK))
        for k, a in enumerate(acts):
            last = c.post(
                "/step", json={"action": action_json(a), "episode_id": eid, "request_id": f"o{k}"}
            )
        assert last.json()["done"] is True
        v_end = version(c, eid)
        retry_last = c.post(
            "/step",
            json={
                "action": action_json(acts[-1]),
                "episode_id": eid,
                "request_id": f"o{len(acts) - 1}",
            },
        )
        assert retry_last.status_code == 200 and retry_last.json() == last.json()
        assert version(c, eid) == v_end
    # and after a restart (a fresh app and service on the same database)
    with make_client(url) as c2:
        assert c2.post("/step", json=body).json() == first.json()
        assert version(c2, eid) == v_end
        replay_ok = c2.get(f"/episodes/{eid}/replay").json()
        assert replay_ok["matches"] is True
        # the same request id on another episode is another request
        other = reset(c2, task_id=TASK)["observation"]["episode_id"]
        r = c2.post("/step", json={**body, "episode_id": other})
        assert r.status_code == 200 and r.json()["observation"]["episode_id"] == other
        assert version(c2, other) == 2
        c2.app.state.service.close()
    c.app.state.service.close()


def test_admin_token_guards_cross_episode_routes(tmp_path: Path) -> None:
    app = create_caseops_app(
        settings=Settings(database_url=sqlite_url(tmp_path, "admin.db"), admin_token="s3cret")
    )
    with TestClient(app, raise_server_exceptions=False) as c:
        eid = reset(c, task_id=TASK)["observation"]["episode_id"]
        assert (
            step(c, {"action_type": "resolve", "resolution_code": "issue_refund"}, eid).status_code
            == 200
        )
        for path in ("/episodes", "/audit/rejections"):
            assert c.get(path).status_code == 401
            assert c.get(path, headers={"authorization": "Bearer wrong"}).status_code == 401
            assert c.get(path, headers={"authorization": "s3cret"}).status_code == 401
            ok = c.get(path, headers={"authorization": "Bearer s3cret"})
            assert ok.status_code == 200, ok.text
        # the agent's own routes stay open
        assert c.get("/tasks").status_code == 200
        assert c.get("/state", params={"episode_id": eid}).status_code == 200
    app.state.service.close()


# ------------------------------------------------------------------------------------
# CaseOps routes
# ------------------------------------------------------------------------------------
def _gold_only_strings(task_id: str) -> set[str]:
    """Strings that only the gold holds (not in the case's public text)."""
    s = get_scenario(task_id)
    public = " ".join(
        [
            s.title,
            s.objective,
            s.ticket.model_dump_json(),
            s.customer.model_dump_json(),
            *s.artifacts,
            *s.policies,
            *(a.title + " " + a.content for a in s.artifacts.values()),
            *(p.title + " " + p.content + " " + " ".join(p.keywords) for p in s.policies.values()),
        ]
    ).lower()
    g = s.gold
    # evidence ids and vocabulary words are public formats: only phrases count here
    strings = {
        p
        for m in (*g.reply_points, *g.note_points, *g.forbidden_claims)
        for p in (m.name, m.concept or "", *m.phrases, *m.facts)
        if p
    }
    vocab = {*CASE_STATUSES, *ACTION_TYPES, *QUEUES, *RESOLUTION_CODES}
    return {x for x in strings if len(x) >= 6 and x.lower() not in public and x not in vocab}


def test_tasks_list_six_tasks_without_gold(client: TestClient) -> None:
    r = client.get("/tasks")
    assert r.status_code == 200
    data = r.json()
    assert data["total"] == 6
    assert [t["task_id"] for t in data["items"]] == list(SEED_SCENARIOS)
    assert "gold" not in keys_anywhere(data)
    text = json.dumps(data).lower()
    for item in data["items"]:
        blob = json.dumps(item).lower()
        s = get_scenario(item["task_id"])
        for word in (s.gold.queue, s.gold.resolution_code or "", *s.gold.requested_fields):
            if word and "_" in word:
                assert word not in blob, (item["task_id"], word)
        leaked = [x for x in _gold_only_strings(s.task_id) if phrase_in(x, blob)]
        assert not leaked, (s.task_id, leaked)
    assert "required_evidence" not in text and "markers" not in text
    assert client.get("/tasks", params={"split": "seed"}).json()["total"] == 6
    assert (
        client.get("/tasks", params={"limit": 2, "offset": 1}).json()["items"][0]["task_id"]
        == list(SEED_SCENARIOS)[1]
    )


@pytest.mark.parametrize("path", ["/schema", "/metadata", "/statemachine", "/openapi.json"])
def test_public_documents_hold_no_gold(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    data = r.json()
    assert "gold" not in {k.lower() for k in keys_anywhere(data)}
    text = json.dumps(data).lower()
    for tid in SEED_SCENARIOS:
        leaked = [x for x in _gold_only_strings(tid) if phrase_in(x, text)]
        assert not leaked, (tid, leaked)


@pytest.mark.parametrize("task_id", list(SEED_SCENARIOS))
def test_observations_and_state_hold_no_gold_while_running(
    client: TestClient, task_id: str
) -> None:
    data = reset(client, task_id=task_id)
    eid = data["observation"]["episode_id"]
    bodies = [data]
    for a in oracle_actions(get_scenario(task_id))[:-1]:
        bodies.append(step(client, action_json(a), eid).json())
    bodies.append(client.get("/state", params={"episode_id": eid}).json())
    bodies.append(client.get(f"/episodes/{eid}/events").json())
    bodies.append(client.get(f"/episodes/{eid}").json())
    gold_only = _gold_only_strings(task_id)
    for b in bodies:
        assert "gold" not in keys_anywhere(b)
        assert b.get("observation", {}).get("grade_report") is None
        text = json.dumps(b).lower()
        # the agent's own reply/note legitimately contain marker phrases: only check
        # the strings the agent never typed
        typed = " ".join(
            (a.message or "") + " " + (a.note or "") for a in oracle_actions(get_scenario(task_id))
        ).lower()
        leaked = [x for x in gold_only if phrase_in(x, text) and not phrase_in(x, typed)]
        assert not leaked, leaked


def test_episodes_listing(client: TestClient) -> None:
    eid = play_to_end(client)
    running = reset(client, task_id="api_incident_hard")["observation"]["episode_id"]
    data = client.get("/episodes").json()
    assert data["total"] == 2
    items = {i["episode_id"]: i for i in data["items"]}
    assert items[eid]["task_id"] == TASK and items[eid]["done"] is True
    assert items[eid]["status"] == "resolved" and items[eid]["steps"] > 0
    assert items[running]["done"] is False and items[running]["status"] == "new"
    assert client.get("/episodes", params={"limit": 1}).json()["items"].__len__() == 1


def test_events_hide_the_scenario_until_the_end(client: TestClient) -> None:
    s = get_scenario(TASK)
    eid = reset(client, task_id=TASK)["observation"]["episode_id"]
    acts = oracle_actions(s)
    for a in acts[:-1]:
        step(client, action_json(a), eid)
    data = client.get(f"/episodes/{eid}/events").json()
    assert data["redacted"] is True and data["done"] is False
    first = data["events"][0]
    assert first["type"] == "EpisodeStarted"
    assert not isinstance(first["payload"]["scenario"], dict)
    assert "gold" not in keys_anywhere(data)
    assert [e["version"] for e in data["events"]] == list(range(1, len(data["events"]) + 1))
    step(client, action_json(acts[-1]), eid)
    data = client.get(f"/episodes/{eid}/events").json()
    assert data["redacted"] is False and data["done"] is True
    scen = data["events"][0]["payload"]["scenario"]
    assert isinstance(scen, dict) and scen["gold"]["resolution_code"] == s.gold.resolution_code
    assert data["events"][-1]["type"] == "EpisodeEnded"


def test_replay_route(any_client: TestClient) -> None:
    c = any_client
    eid = reset(c, task_id=TASK)["observation"]["episode_id"]
    step(c, {"action_type": "review_ticket"}, eid)
    r = c.get(f"/episodes/{eid}/replay")
    assert r.status_code == 409
    for a in oracle_actions(get_scenario(TASK)):
        step(c, action_json(a), eid)
    r = c.get(f"/episodes/{eid}/replay")
    assert r.status_code == 200, r.text
    rep = r.json()
    assert rep["matches"] is True and rep["mismatches"] == []
    assert rep["done"] is True and rep["final_status"] == "resolved"
    assert rep["recorded_rewards"] == rep["replayed_rewards"]
    assert rep["grade"]["score"] >= 0.9


def test_audit_lists_rejections(client: TestClient) -> None:
    eid = reset(client, task_id=TASK)["observation"]["episode_id"]
    step(client, {"action_type": "review_ticket"}, eid)
    r = step(client, {"action_type": "resolve", "resolution_code": "send_replacement"}, eid)
    assert r.status_code == 200
    obs = r.json()["observation"]
    assert obs["last_action_error"] and "resolve" in obs["last_action_error"]
    assert obs["case"]["status"] == "new"
    data = client.get("/audit/rejections").json()
    assert len(data["items"]) == 1
    item = data["items"][0]
    assert item["episode_id"] == eid
    assert item["step"] == 2
    assert item["action"]["action_type"] == "resolve"
    assert item["from_state"] == "new"
    assert "resolve" in item["reason"]
    assert set(item["legal_actions"]) >= {"classify", "submit"}
    assert "resolve" not in item["legal_actions"]
    after = client.get("/audit/rejections", params={"after": item["position"]}).json()
    assert after["items"] == []


def test_statemachine_route(client: TestClient) -> None:
    data = client.get("/statemachine").json()
    assert set(data["states"]) == set(CASE_STATUSES)
    assert data["initial"] == "new" and data["terminal"] == ["resolved"]
    assert "stateDiagram" in data["mermaid"]
    for st in CASE_STATUSES:
        assert st in data["mermaid"]
    assert data["legal_actions"]["resolved"] == []
    assert "escalate" in data["legal_actions"]["triaged"]
    assert "escalate" not in data["legal_actions"]["escalated"]


def test_schema_health_metadata(client: TestClient) -> None:
    h = client.get("/health")
    assert h.status_code == 200 and h.json().get("status") == "healthy"
    m = client.get("/metadata").json()
    assert m["name"] == "caseops" and m["description"]
    s = client.get("/schema").json()
    assert {"action", "observation", "state"} <= set(s)
    assert "action_type" in json.dumps(s["action"])


# ------------------------------------------------------------------------------------
# Hostile input: 4xx, or a 200 whose step is recorded; never 5xx
# ------------------------------------------------------------------------------------
MB = "A" * (1024 * 1024)
SQLI = "'; DROP TABLE caseops_events; --"
WEIRD = "ünïcødé 🧯🔥 עברית \u0000 NUL \u202e RTL \ud7ff \U0010ffff"

# (name, body) for POST /step (the episode id is filled in); expectation: "4xx" or
# "step" (200 and exactly one step recorded) or "error" (200, recorded with an error)
STEP_CASES: list[tuple[str, Any, str]] = [
    ("action_is_string", {"action": "review_ticket"}, "4xx"),
    ("action_is_list", {"action": [{"action_type": "review_ticket"}]}, "4xx"),
    ("action_type_int", {"action": {"action_type": 5}}, "4xx"),
    ("action_type_null", {"action": {"action_type": None}}, "4xx"),
    ("action_missing", {}, "4xx"),
    ("episode_id_int", {"action": {"action_type": "review_ticket"}, "episode_id": 123}, "4xx"),
    ("episode_id_list", {"action": {"action_type": "review_ticket"}, "episode_id": ["a"]}, "4xx"),
    ("unknown_top_field", {"action": {"action_type": "review_ticket"}, "evil": 1}, "4xx"),
    ("unknown_action_field", {"action": {"action_type": "review_ticket", "evil": 1}}, "4xx"),
    ("unknown_action_type", {"action": {"action_type": "hack_the_planet"}}, "4xx"),
    (
        "unknown_queue",
        {
            "action": {
                "action_type": "classify",
                "queue": "nope",
                "priority": "low",
                "issue_type": "general_inquiry",
            }
        },
        "4xx",
    ),
    ("unknown_priority", {"action": {"action_type": "classify", "priority": "asap"}}, "4xx"),
    (
        "unknown_field_name",
        {"action": {"action_type": "request_info", "requested_fields": ["password"]}},
        "4xx",
    ),
    ("unknown_code", {"action": {"action_type": "resolve", "resolution_code": "win"}}, "4xx"),
    (
        "too_many_fields",
        {"action": {"action_type": "request_info", "requested_fields": ["order_id"] * 11}},
        "4xx",
    ),
    (
        "fields_not_list",
        {"action": {"action_type": "request_info", "requested_fields": "order_id"}},
        "4xx",
    ),
    ("message_1mb", {"action": {"action_type": "draft_reply", "message": MB}}, "4xx"),
    ("note_1mb", {"action": {"action_type": "add_internal_note", "note": MB}}, "4xx"),
    ("query_1mb", {"action": {"action_type": "search_policy", "query": MB}}, "4xx"),
    ("artifact_1mb", {"action": {"action_type": "inspect_artifact", "artifact_id": MB}}, "4xx"),
    ("message_5k", {"action": {"action_type": "draft_reply", "message": "m" * 5000}}, "4xx"),
    ("message_2k", {"action": {"action_type": "draft_reply", "message": "m" * 2000}}, "error"),
    ("query_300", {"action": {"action_type": "search_policy", "query": "q" * 300}}, "4xx"),
    (
        "artifact_100",
        {"action": {"action_type": "inspect_artifact", "artifact_id": "a" * 100}},
        "4xx",
    ),
    (
        "sqli_artifact",
        {"action": {"action_type": "inspect_artifact", "artifact_id": SQLI}},
        "error",
    ),
    ("sqli_query", {"action": {"action_type": "search_policy", "query": SQLI}}, "step"),
    ("sqli_message", {"action": {"action_type": "draft_reply", "message": SQLI}}, "step"),
    (
        "sqli_episode_id",
        {"action": {"action_type": "review_ticket"}, "episode_id": "x' OR '1'='1"},
        "4xx",
    ),
    ("weird_message", {"action": {"action_type": "draft_reply", "message": WEIRD}}, "step"),
    ("weird_note", {"action": {"action_type": "add_internal_note", "note": WEIRD}}, "step"),
    ("weird_query", {"action": {"action_type": "search_policy", "query": WEIRD}}, "step"),
    (
        "weird_artifact",
        {"action": {"action_type": "inspect_artifact", "artifact_id": WEIRD}},
        "error",
    ),
    ("weird_episode_id", {"action": {"action_type": "review_ticket"}, "episode_id": WEIRD}, "4xx"),
    (
        "nested_junk_message",
        {"action": {"action_type": "draft_reply", "message": {"a": [1, {"b": [2, [3]]}]}}},
        "4xx",
    ),
    ("nested_junk_action", {"action": [[[[[[{}]]]]]]}, "4xx"),
    (
        "huge_int_artifact",
        {"action": {"action_type": "inspect_artifact", "artifact_id": 10**100}},
        "4xx",
    ),
    ("huge_int_timeout", {"action": {"action_type": "review_ticket"}, "timeout_s": 10**400}, "4xx"),
    ("negative_timeout", {"action": {"action_type": "review_ticket"}, "timeout_s": -1}, "4xx"),
    ("bool_message", {"action": {"action_type": "draft_reply", "message": True}}, "4xx"),
    (
        "metadata_ignored",
        {"action": {"action_type": "review_ticket", "metadata": {"x": 1}}},
        "step",
    ),
    ("missing_needed_field", {"action": {"action_type": "inspect_artifact"}}, "error"),
    ("illegal_transition", {"action": {"action_type": "escalate", "queue": "billing"}}, "error"),
    ("empty_fields", {"action": {"action_type": "classify"}}, "error"),
]


def _assert_not_5xx(r: httpx.Response) -> None:
    assert r.status_code < 500, (r.status_code, r.text[:500])


@pytest.mark.parametrize(("name", "body", "expect"), STEP_CASES, ids=[c[0] for c in STEP_CASES])
def test_hostile_step_payloads(client: TestClient, name: str, body: Any, expect: str) -> None:
    eid = reset(client, task_id=TASK)["observation"]["episode_id"]
    before = version(client, eid)
    payload = dict(body)
    payload.setdefault("episode_id", eid)
    r = client.post(
        "/step", content=json.dumps(payload), headers={"content-type": "application/json"}
    )
    _assert_not_5xx(r)
    after = version(client, eid)
    if expect == "4xx":
        assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
        assert after == before, "a refused request must append nothing"
        assert MB[:1000] not in r.text, "the error must not echo a huge input back"
        return
    assert r.status_code == 200, r.text[:500]
    assert after > before
    obs = r.json()["observation"]
    events = client.get(f"/episodes/{eid}/events").json()["events"]
    last_step = next(e for e in reversed(events) if "action" in e["payload"])
    if expect == "error":
        assert obs["last_action_error"]
        assert last_step["type"] in ("TransitionRejected", "ActionInvalid")
    else:
        assert obs["last_action_error"] is None
        # free text is stored exactly as sent
        sent = payload["action"]
        for k in ("message", "note", "query"):
            if k in sent:
                assert last_step["payload"]["action"][k] == sent[k]
    assert client.get(f"/episodes/{eid}/events").status_code == 200


RAW_CASES: list[tuple[str, str, bytes | None, dict[str, str]]] = [
    ("step_not_json", "/step", b"this is not json", {"content-type": "application/json"}),
    ("step_empty", "/step", b"", {"content-type": "application/json"}),
    ("step_no_body", "/step", None, {}),
    (
        "step_truncated",
        "/step",
        b'{"action": {"action_type": ',
        {"content-type": "application/json"},
    ),
    (
        "step_text_plain",
        "/step",
        b'{"action": {"action_type": "review_ticket"}}',
        {"content-type": "text/plain"},
    ),
    (
        "step_2mb",
        "/step",
        json.dumps({"action": {"action_type": "draft_reply", "message": MB * 2}}).encode(),
        {"content-type": "application/json"},
    ),
    (
        "reset_2mb",
        "/reset",
        json.dumps({"task_id": MB * 2}).encode(),
        {"content-type": "application/json"},
    ),
    (
        "step_deep_nesting",
        "/step",
        b"[" * 100_000 + b"]" * 100_000,
        {"content-type": "application/json"},
    ),
    (
        "step_bad_utf8",
        "/step",
        b'{"action": {"action_type": "\xff\xfe"}}',
        {"content-type": "application/json"},
    ),
    ("step_json_null", "/step", b"null", {"content-type": "application/json"}),
    ("step_json_number", "/step", b"1e999999", {"content-type": "application/json"}),
    ("reset_not_json", "/reset", b"{{{{", {"content-type": "application/json"}),
    ("reset_array", "/reset", b"[]", {"content-type": "application/json"}),
    (
        "reset_int_5000_digits",
        "/reset",
        b'{"seed": ' + b"9" * 5000 + b"}",
        {"content-type": "application/json"},
    ),
    (
        "step_int_5000_digits",
        "/step",
        b'{"action": {"action_type": "review_ticket"}, "timeout_s": ' + b"9" * 5000 + b"}",
        {"content-type": "application/json"},
    ),
    (
        "bad_content_length",
        "/step",
        b"{}",
        {"content-type": "application/json", "content-length": "abc"},
    ),
]


@pytest.mark.parametrize(
    ("name", "path", "raw", "headers"), RAW_CASES, ids=[c[0] for c in RAW_CASES]
)
def test_hostile_raw_bodies(
    client: TestClient, name: str, path: str, raw: bytes | None, headers: dict[str, str]
) -> None:
    eid = reset(client, task_id=TASK)["observation"]["episode_id"]
    try:
        r = client.post(path, content=raw, headers=headers)
    except (httpx.HTTPError, ValueError, RuntimeError) as e:  # a client-side refusal
        pytest.skip(f"the test client cannot send this request: {e}")
    _assert_not_5xx(r)
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    assert version(client, eid) == 1
    assert client.get("/episodes").json()["total"] == 1


def test_oversized_body_is_413(client: TestClient) -> None:
    eid = reset(client, task_id=TASK)["observation"]["episode_id"]
    r = client.post(
        "/step",
        json={"action": {"action_type": "draft_reply", "message": MB * 2}, "episode_id": eid},
    )
    assert r.status_code == 413
    assert version(client, eid) == 1


RESET_CASES: list[tuple[str, Any]] = [
    ("negative_seed", {"seed": -1}),
    ("huge_seed", {"seed": 10**30}),
    ("huger_seed", {"seed": 10**4000}),
    ("float_seed", {"seed": 1.5}),
    ("string_seed", {"seed": "seven"}),
    ("unknown_field", {"evil": True}),
    ("task_id_int", {"task_id": 5}),
    ("task_id_sqli", {"task_id": SQLI}),
    ("task_id_1mb", {"task_id": "t" * 500_000}),
    ("unknown_task", {"task_id": "no-such-task"}),
    ("unknown_split", {"split": "nope"}),
    ("episode_id_path", {"episode_id": "../../etc/passwd"}),
    ("episode_id_empty", {"episode_id": ""}),
    ("episode_id_space", {"episode_id": " "}),
    ("episode_id_long", {"episode_id": "a" * 65}),
    ("episode_id_nul", {"episode_id": "a\u0000b"}),
    ("episode_id_emoji", {"episode_id": "🔥"}),
    ("episode_id_sqli", {"episode_id": SQLI}),
    ("body_is_list", [1, 2, 3]),
    ("body_is_string", "reset"),
    ("nested_junk", {"task_id": {"a": {"b": [1, 2, {"c": None}]}}}),
]


@pytest.mark.parametrize(("name", "body"), RESET_CASES, ids=[c[0] for c in RESET_CASES])
def test_hostile_reset_payloads(any_client: TestClient, name: str, body: Any) -> None:
    r = any_client.post(
        "/reset", content=json.dumps(body), headers={"content-type": "application/json"}
    )
    _assert_not_5xx(r)
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    assert any_client.get("/episodes").json()["total"] == 0


GET_CASES = [
    "/state?episode_id=" + "a" * 100,
    "/state?episode_id=%00",
    "/state?episode_id=a%00b",
    "/state?episode_id=%F0%9F%94%A5",
    "/state?episode_id=x%27%20OR%20%271%27%3D%271",
    "/episodes/a%00b",
    "/episodes/" + "e" * 5000,
    "/episodes/%F0%9F%94%A5/events",
    "/episodes/x%27%20OR%201=1--/replay",
    "/episodes?limit=0",
    "/episodes?limit=100000000000000000000",
    "/episodes?offset=-1",
    "/episodes?limit=abc",
    "/audit/rejections?after=-1",
    "/audit/rejections?after=99999999999999999999999",
    "/audit/rejections?limit=0",
    "/tasks?split=nope",
    "/tasks?limit=-5",
    "/tasks?split=" + "s" * 100,
]


@pytest.mark.parametrize("path", GET_CASES)
def test_hostile_queries(any_client: TestClient, path: str) -> None:
    r = any_client.get(path)
    _assert_not_5xx(r)
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])


@pytest.mark.parametrize(
    "text",
    [WEIRD, SQLI, "😀" * 300, "\u0000\u0001\u001f", "line\r\nbreak\ttab", "\\u0000 not a nul"],
)
def test_free_text_round_trips_on_every_backend(any_client: TestClient, text: str) -> None:
    c = any_client
    eid = reset(c, task_id=TASK)["observation"]["episode_id"]
    r = step(c, {"action_type": "add_internal_note", "note": text}, eid)
    assert r.status_code == 200, r.text
    assert r.json()["observation"]["case"]["internal_notes"] == [text]
    ev = c.get(f"/episodes/{eid}/events").json()["events"][-1]
    assert ev["payload"]["note"] == text
    st = c.get("/state", params={"episode_id": eid}).json()
    assert st["step_count"] == 1


@pytest.mark.parametrize(
    "episode_id",
    ["a\u0000b", "\u0000", "x" * 64, "🔥🔥", "'; DROP TABLE caseops_streams; --"],
    ids=["nul_inside", "nul", "64_chars", "emoji", "sqli"],
)
def test_step_with_hostile_episode_id_on_every_backend(
    any_client: TestClient, episode_id: str
) -> None:
    c = any_client
    eid = reset(c, task_id=TASK)["observation"]["episode_id"]
    r = c.post("/step", json={"action": {"action_type": "review_ticket"}, "episode_id": episode_id})
    _assert_not_5xx(r)
    assert r.status_code in (404, 422), r.text
    assert c.get("/state", params={"episode_id": episode_id}).status_code in (404, 422)
    assert c.get(f"/episodes/{eid}").json()["version"] == 1
    assert c.get("/episodes").json()["total"] == 1


# ------------------------------------------------------------------------------------
# Live servers: the OpenEnv WebSocket client, several processes, openenv validate
# ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sqlite_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[LiveServer]]:
    """Two live server processes sharing one SQLite file (booted once for the module)."""
    workdir = tmp_path_factory.mktemp("live")
    with running_servers(sqlite_url(workdir, "shared.db"), workdir, count=2) as servers:
        yield servers


def test_openenv_client_plays_an_episode_over_websocket(sqlite_servers: list[LiveServer]) -> None:
    from caseops.client import CaseOpsEnv
    from caseops.domain.actions import CaseAction

    srv = sqlite_servers[0]
    s = get_scenario("api_incident_hard")
    other = get_scenario(TASK)
    with (
        CaseOpsEnv(base_url=srv.base_url).sync() as env,
        CaseOpsEnv(base_url=srv.base_url).sync() as env2,
    ):
        res = env.reset(task_id=s.task_id)
        res2 = env2.reset(task_id=other.task_id)
        eid = res.observation.episode_id
        assert res.observation.task_id == s.task_id and not res.done
        assert res2.observation.episode_id != eid
        rewards = []
        for a in oracle_actions(s):
            res = env.step(a)
            rewards.append(res.reward)
            # a second session on the same server does not disturb the first
            env2.step(CaseAction(action_type="review_ticket"))
        assert res.done is True
        assert res.observation.current_score >= 0.99
        assert res.observation.grade_report is not None
        state = env.state()
        assert state.episode_id == eid and state.done and state.status == s.gold.final_status
        assert state.step_count == len(oracle_actions(s))
        state2 = env2.state()
        assert state2.episode_id == res2.observation.episode_id
        assert state2.step_count == len(oracle_actions(s)) and state2.status == "new"
        # after the end, a step is refused and the session stays usable
        version_end = httpx.get(f"{srv.base_url}/episodes/{eid}", timeout=30).json()["version"]
        with pytest.raises(RuntimeError, match="ended"):
            env.step(CaseAction(action_type="review_ticket"))
        assert httpx.get(f"{srv.base_url}/episodes/{eid}", timeout=30).json()["version"] == (
            version_end
        )
        fresh = env.reset(task_id=other.task_id)
        assert fresh.observation.episode_id != eid and not fresh.done
    rep = httpx.get(f"{srv.base_url}/episodes/{eid}/replay", timeout=30)
    assert rep.status_code == 200, rep.text
    data = rep.json()
    assert data["matches"] is True
    assert [round(float(x), 9) for x in data["recorded_rewards"]] == [
        round(float(r), 9) for r in rewards
    ]


WS_JUNK = [
    "not json",
    "",
    json.dumps({"type": "step", "data": {"action_type": "hack"}}),
    json.dumps({"type": "step", "data": {"action_type": "review_ticket", "evil": 1}}),
    json.dumps({"type": "step", "data": {"action_type": "draft_reply", "message": "x" * 5000}}),
    json.dumps({"type": "reset", "data": {"task_id": 5}}),
    json.dumps({"type": "reset", "data": {"task_id": "no-such-task"}}),
    json.dumps({"type": "reset", "data": {"episode_id": "../../etc"}}),
    json.dumps({"type": "no_such_type"}),
    json.dumps({"type": "step"}),
    json.dumps({"type": "step", "data": [1, 2]}),
]


def test_websocket_survives_junk_messages(sqlite_servers: list[LiveServer]) -> None:
    from websockets.sync.client import connect

    srv = sqlite_servers[0]
    url = srv.base_url.replace("http://", "ws://") + "/ws"
    with connect(url, max_size=None, open_timeout=30) as ws:
        for junk in WS_JUNK:
            ws.send(junk)
            reply = json.loads(ws.recv(timeout=30))
            assert reply["type"] == "error", (junk[:80], reply)
        # the session still works after all of that
        ws.send(json.dumps({"type": "reset", "data": {"task_id": TASK}}))
        obs = json.loads(ws.recv(timeout=30))
        assert obs["type"] == "observation"
        eid = obs["data"]["observation"]["episode_id"]
        ws.send(
            json.dumps({"type": "step", "data": {"action_type": "escalate", "queue": "billing"}})
        )
        stepped = json.loads(ws.recv(timeout=30))
        assert stepped["type"] == "observation"
        assert stepped["data"]["observation"]["last_action_error"]
        ws.send(json.dumps({"type": "state"}))
        state = json.loads(ws.recv(timeout=30))
        assert state["data"]["episode_id"] == eid and state["data"]["rejected_actions"] == 1
    assert httpx.get(f"{srv.base_url}/health", timeout=10).status_code == 200


def _two_process_episode(a: LiveServer, b: LiveServer, alternate: bool) -> None:
    """Reset on ``a``; step on ``b`` only, or alternately on ``b`` and ``a`` (so each
    process's cache must catch up with the other's appends)."""
    s = get_scenario("api_incident_hard")
    with httpx.Client(timeout=30) as h:
        r = h.post(f"{a.base_url}/reset", json={"task_id": s.task_id})
        assert r.status_code == 200, r.text
        first = r.json()["observation"]
        eid = first["episode_id"]
        seen = []
        for k, act in enumerate(oracle_actions(s)):
            srv = a if alternate and k % 2 == 1 else b
            r = h.post(f"{srv.base_url}/step", json={"action": action_json(act), "episode_id": eid})
            assert r.status_code == 200, (srv.base_url, r.text)
            seen.append(r.json())
        assert seen[-1]["done"] is True
        assert seen[-1]["observation"]["current_score"] >= 0.99
        for srv in (a, b):
            st = h.get(f"{srv.base_url}/state", params={"episode_id": eid}).json()
            assert st["done"] is True and st["step_count"] == len(seen)
            rep = h.get(f"{srv.base_url}/episodes/{eid}/replay")
            assert rep.status_code == 200, rep.text
            assert rep.json()["matches"] is True, rep.json()["mismatches"]
        again = h.post(
            f"{a.base_url}/step", json={"action": {"action_type": "submit"}, "episode_id": eid}
        )
        assert again.status_code == 409
        # every process shows the agent the same case
        for body in seen:
            assert body["observation"]["available_artifacts"] == first["available_artifacts"]
            assert body["observation"]["policy_topics"] == first["policy_topics"]
    store = EventStore(a.db_url)
    try:
        assert store.verify(eid) == []
        assert [r.version for r in store.read(eid)] == list(range(1, store.version(eid) + 1))
    finally:
        store.dispose()


@pytest.mark.parametrize("alternate", [False, True], ids=["second_only", "alternating"])
def test_episode_spans_two_server_processes_sqlite(
    sqlite_servers: list[LiveServer], alternate: bool
) -> None:
    _two_process_episode(*sqlite_servers, alternate=alternate)


def test_episode_spans_two_server_processes_postgresql(live_server) -> None:  # type: ignore[no-untyped-def]
    url = pg_url_or_skip()
    reset_pg(url)
    a, b = live_server.many(url, 2)
    _two_process_episode(a, b, alternate=False)
    _two_process_episode(a, b, alternate=True)


def test_openenv_validate_running_server(sqlite_servers: list[LiveServer]) -> None:
    srv = sqlite_servers[1]
    exe = Path(sys.executable).with_name("openenv")
    proc = subprocess.run(
        [str(exe), "validate", "--url", srv.base_url, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    assert report["passed"] is True, report
    ids = {c["id"] for c in report["criteria"] if c["passed"]}
    assert {"health_endpoint", "schema_endpoint", "mcp_endpoint"} <= ids, report


def _package_copy(dest: Path) -> Path:
    """The package as shipped (the files git tracks, with this checkout's edits): openenv
    validates a source tree without symbolic links, and a checkout's ``.tools``
    virtual environment has some."""
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, files):
        src = REPO / name.decode()
        if src.is_file() and not src.is_symlink():
            target = dest / name.decode()
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(src.read_bytes())
    return dest


def test_openenv_validate_local_manifest(tmp_path: Path) -> None:
    """``openenv validate`` on the package: the manifest's ``validation:`` block (the
    reference agent as oracle) passes the static level; the runtime level needs Docker
    and a runtime plan, so it is skipped (a WARN verdict, exit 0)."""
    pkg = _package_copy(tmp_path / "caseops")
    exe = Path(sys.executable).with_name("openenv")
    static = subprocess.run(
        [str(exe), "validate", str(pkg), "--level", "static", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert static.returncode == 0, static.stdout[-3000:] + static.stderr[-3000:]
    report = json.loads(static.stdout)
    assert report["verdict"] == "pass", report
    manifest = report["manifest"]
    assert manifest["capabilities"]["oracle"]["location"] == "statemachine/agents.py"
    assert (pkg / manifest["capabilities"]["oracle"]["location"]).is_file()
    full = subprocess.run(
        [str(exe), "validate", str(pkg)], capture_output=True, text=True, timeout=120
    )
    assert full.returncode == 0, full.stdout[-3000:] + full.stderr[-3000:]
    assert "PASS  static.manifest" in full.stdout
    assert "FAIL" not in full.stdout


# ------------------------------------------------------------------------------------
# Fuzzing: arbitrary JSON never makes the server fail
# ------------------------------------------------------------------------------------
_FIELDS = [
    "action_type",
    "artifact_id",
    "query",
    "message",
    "note",
    "queue",
    "priority",
    "issue_type",
    "requested_fields",
    "resolution_code",
    "metadata",
]
_json_leaf = hst.one_of(
    hst.none(),
    hst.booleans(),
    hst.integers(min_value=-(2**70), max_value=2**70),
    hst.floats(allow_nan=False, allow_infinity=False),
    hst.text(max_size=30),
    hst.sampled_from(
        [*ACTION_TYPES, *QUEUES, *RESOLUTION_CODES, "high", "billing_error", "order_id", "order"]
    ),
)
_json = hst.recursive(
    _json_leaf,
    lambda inner: hst.one_of(
        hst.lists(inner, max_size=3), hst.dictionaries(hst.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_actions = hst.one_of(
    _json,
    hst.dictionaries(hst.sampled_from(_FIELDS), _json, max_size=5),
    hst.fixed_dictionaries(
        {"action_type": hst.sampled_from(ACTION_TYPES)},
        optional={f: _json for f in _FIELDS[1:]},
    ),
)
_FUZZ: dict[str, Any] = {}


def _fuzz_client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    if "client" not in _FUZZ:
        d = tmp_path_factory.mktemp("fuzz")
        c = make_client(sqlite_url(d, "fuzz.db"))
        c.__enter__()
        _FUZZ["client"] = c
    return _FUZZ["client"]


@pytest.fixture(scope="module")
def fuzz_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    c = _fuzz_client(tmp_path_factory)
    yield c
    c.__exit__(None, None, None)
    c.app.state.service.close()
    _FUZZ.clear()


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(action=_actions, with_extra=hst.booleans())
def test_fuzzed_step_never_fails(fuzz_client: TestClient, action: Any, with_extra: bool) -> None:
    c = fuzz_client
    eid = _FUZZ.get("episode")
    st_ = c.get("/state", params={"episode_id": eid}) if eid else None
    if st_ is None or st_.status_code != 200 or st_.json()["done"]:
        eid = _FUZZ["episode"] = reset(c, task_id=TASK)["observation"]["episode_id"]
    before = version(c, eid)
    body: dict[str, Any] = {"action": action, "episode_id": eid}
    if with_extra:
        body["request_id"] = "fuzz"
    try:
        raw = json.dumps(body)
    except (TypeError, ValueError):
        return
    r = c.post("/step", content=raw, headers={"content-type": "application/json"})
    _assert_not_5xx(r)
    after = version(c, eid)
    if r.status_code == 200:
        assert after >= before
    else:
        assert after == before


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    body=hst.one_of(
        _json,
        hst.dictionaries(
            hst.sampled_from(["seed", "episode_id", "task_id", "split", "options"]),
            _json,
            max_size=4,
        ),
    )
)
def test_fuzzed_reset_never_fails(fuzz_client: TestClient, body: Any) -> None:
    r = fuzz_client.post(
        "/reset", content=json.dumps(body), headers={"content-type": "application/json"}
    )
    _assert_not_5xx(r)


def test_a_stale_cache_reloads_but_a_lost_race_is_409(store_url: str) -> None:
    """Two services on one store stand for two server processes. A step on a process
    whose cache is stale (the other process stepped since) is applied to the stored
    state, not refused; a step that raced a step of its own process and lost is 409."""
    from caseops.api.service import EpisodeService
    from caseops.domain.actions import CaseAction
    from caseops.eventstore import ConcurrencyError, EventStore

    a_store, b_store = EventStore(store_url), EventStore(store_url, create=False)
    a, b = EpisodeService(a_store), EpisodeService(b_store)
    try:
        _, obs = a.start(task_id=TASK)
        eid = obs.episode_id
        b.step(eid, CaseAction(action_type="review_ticket"))  # a's cache is now stale
        _, obs = a.step(eid, CaseAction(action_type="add_internal_note", note="checked"))
        assert obs.step == 2
        assert [e.step for e in a.load(eid).history[1:] if hasattr(e, "step")] == [1, 2]
        assert a.replay(eid).matches

        # a lost race inside one process: the step computes on the entry it read, and
        # meanwhile a step of the same process replaces that entry (the winner)
        before = a.load(eid)
        a.step(eid, CaseAction(action_type="add_internal_note", note="first"))
        winner = a.load(eid)
        version = a_store.version(eid)
        original = a._cached

        def stale_once(episode_id: str) -> Any:
            a._cached = original  # type: ignore[method-assign]
            return before

        a._cached = stale_once  # type: ignore[method-assign]
        with pytest.raises(ConcurrencyError):
            a.step(eid, CaseAction(action_type="add_internal_note", note="second"))
        assert a._cached(eid) is winner
        assert a_store.version(eid) == version, "a lost race appends nothing"
    finally:
        a_store.dispose()
        b_store.dispose()


def test_an_id_with_nul_is_404_on_every_backend(any_client: TestClient) -> None:
    for path in ("/episodes/a%00b", "/episodes/a%00b/events", "/state?episode_id=a%00b"):
        r = any_client.get(path)
        assert r.status_code == 404, (path, r.status_code, r.text)
    r = any_client.post("/step", json={"episode_id": "a\x00b", "action": {"action_type": "submit"}})
    assert r.status_code in (404, 422), r.text
