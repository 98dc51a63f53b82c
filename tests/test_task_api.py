"""openenv's Task API on CaseOps: splits, counts, listings, one task, ranges (no gold), and
``reset(split=, index=)`` over HTTP, the WebSocket and in-process, with ``reward_mode``
passed through."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import sqlite_url
from fastapi.testclient import TestClient

from caseops.api.app import create_caseops_app
from caseops.api.environment import TASK_PREVIEW, TASK_RANGE_MAX, CaseOpsEnvironment
from caseops.api.settings import Settings
from caseops.cases.catalog import SEED_SCENARIOS, get_scenario, task_refs
from caseops.domain.errors import UnknownTask

SPEC_KEYS = {
    "index",
    "task_id",
    "family",
    "split",
    "difficulty",
    "title",
    "objective",
    "step_budget",
}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_caseops_app(settings=Settings(database_url=sqlite_url(tmp_path, "t.db")))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
    app.state.service.close()


def post(c: TestClient, route: str, **body: Any) -> Any:
    r = c.post(f"/caseops/{route}", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def gold_words(task_id: str) -> set[str]:
    """Gold values no public listing may carry: the artifacts and policies the case needs."""
    return {e for e in get_scenario(task_id).gold.required_evidence if ":" in e}


def test_splits_and_counts(client: TestClient) -> None:
    splits = client.get("/caseops/splits").json()
    assert [s["name"] for s in splits] == ["seed", "train", "validation", "test"]
    for s in splits:
        expected = len(task_refs(s["name"]))
        assert s["num_tasks"] == expected
        assert post(client, "num_tasks", split=s["name"]) == {"num_tasks": expected}
    assert {s["type"] for s in splits} <= {"train", "validation", "test"}
    assert client.get("/list_environments").json() == ["caseops"]


@pytest.mark.parametrize("split", ["seed", "train", "validation", "test"])
def test_listing_is_bounded_ordered_and_gold_free(client: TestClient, split: str) -> None:
    listed = post(client, "tasks", split=split)
    assert listed["env_name"] == "caseops"
    tasks = listed["tasks"]
    refs = task_refs(split)
    assert len(tasks) == min(len(refs), TASK_PREVIEW)
    assert [t["task_id"] for t in tasks] == list(refs[: len(tasks)])
    assert [t["index"] for t in tasks] == list(range(len(tasks)))
    for t in tasks[:20]:
        assert set(t) == SPEC_KEYS
        blob = json.dumps(t)
        assert "gold" not in blob and "required_evidence" not in blob
        leaked = [w for w in gold_words(t["task_id"]) if w in blob]
        assert not leaked, (t["task_id"], leaked)
    # one task is the listing's entry at that index
    last = len(tasks) - 1
    assert post(client, "task", split=split, index=last)["task"] == tasks[last]


def test_task_range_pages_through_a_generated_split(client: TestClient) -> None:
    n = len(task_refs("validation"))
    page = post(client, "task_range", split="validation", start=150, stop=160)["tasks"]
    assert [t["index"] for t in page] == list(range(150, 160))
    assert [t["task_id"] for t in page] == list(task_refs("validation")[150:160])
    tail = post(client, "task_range", split="validation", start=-2)["tasks"]
    assert [t["index"] for t in tail] == [n - 2, n - 1]
    big = post(client, "task_range", split="train")["tasks"]
    assert len(big) == TASK_RANGE_MAX
    assert post(client, "task_range", split="seed", start=4, stop=2)["tasks"] == []


@pytest.mark.parametrize(
    ("route", "body", "status"),
    [
        ("task", {"split": "seed", "index": 6}, 400),
        ("task", {"split": "seed", "index": -1}, 422),
        ("task", {"split": "seed", "index": True}, 422),
        ("task", {"split": "seed", "index": 1.5}, 422),
        ("task", {"split": "nope", "index": 0}, 404),
        ("tasks", {"split": "nope"}, 404),
        ("num_tasks", {"split": "x" * 33}, 422),
        ("tasks", {"split": "seed", "extra": 1}, 422),
    ],
)
def test_task_api_refusals(client: TestClient, route: str, body: Any, status: int) -> None:
    r = client.post(f"/caseops/{route}", json=body)
    assert r.status_code == status, r.text


def test_other_environment_names_are_404_and_case_is_ignored(client: TestClient) -> None:
    assert client.get("/echo/splits").status_code == 404
    assert client.post("/echo/num_tasks", json={"split": "seed"}).status_code == 404
    assert client.post("/CaseOps/num_tasks", json={"split": "seed"}).json() == {"num_tasks": 6}


def test_http_reset_plays_the_index_th_task(client: TestClient) -> None:
    for split, index in (("seed", 3), ("validation", 123), ("train", 0)):
        expected = post(client, "task", split=split, index=index)["task"]["task_id"]
        r = client.post("/reset", json={"split": split, "index": index})
        assert r.status_code == 200, r.text
        assert r.json()["observation"]["task_id"] == expected
    r = client.post("/reset", json={"split": "seed", "index": 6})
    assert r.status_code == 404 and "0..5" in r.json()["detail"]
    r = client.post("/reset", json={"split": "test", "index": 5, "reward_mode": "terminal"})
    obs = r.json()["observation"]
    assert obs["task_id"] == task_refs("test")[5] and obs["reward_mode"] == "terminal"
    assert obs["current_score"] is None


def test_websocket_reset_index_is_honoured(client: TestClient) -> None:
    expected = task_refs("validation")[3]
    with client.websocket_connect("/ws") as ws:
        seen = []
        for _ in range(3):
            ws.send_text(
                json.dumps(
                    {
                        "type": "reset",
                        "data": {"split": "validation", "index": 3, "reward_mode": "terminal"},
                    }
                )
            )
            reply = json.loads(ws.receive_text())
            assert reply["type"] == "observation", reply
            seen.append(reply["data"]["observation"])
        assert [o["task_id"] for o in seen] == [expected] * 3
        assert {o["reward_mode"] for o in seen} == {"terminal"}
        assert len({o["episode_id"] for o in seen}) == 3
        ws.send_text(json.dumps({"type": "reset", "data": {"split": "seed", "index": 99}}))
        assert json.loads(ws.receive_text())["type"] == "error"


def test_in_process_task_provider(client: TestClient) -> None:
    env = CaseOpsEnvironment(service=client.app.state.service)
    assert env.num_tasks("seed") == len(SEED_SCENARIOS)
    with pytest.raises(IndexError):
        env.get_task("seed", 6)
    with pytest.raises(IndexError):
        env.get_task("seed", -1)
    with pytest.raises(UnknownTask):
        env.list_tasks("nope")
    obs = env.reset(split="seed", index=2)
    assert obs.task_id == list(SEED_SCENARIOS)[2]
