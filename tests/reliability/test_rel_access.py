"""Requirement 7: access.

With ``CASEOPS_ADMIN_TOKEN`` set (in a live server's environment), the routes
``/episodes``, ``/episodes/{id}...`` and ``/audit/rejections`` need
``Authorization: Bearer <token>`` (401 otherwise) while the agent's own routes need only
the episode id. No agent-facing answer holds
any gold before the end: every reply-marker and note-marker phrase and every forbidden
claim of the scenario that its public text does not already contain is absent from every
``/reset``, ``/step``, ``/state``, ``/tasks``, ``/schema``, ``/metadata`` and
``/episodes/{id}[/events]`` answer until the episode has ended. Editing or deleting a
stored event with raw SQL is caught by ``caseops audit --verify`` (exit 1).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from rel_support import SEED_TASKS, Server, ServerPool, oracle_wire, step_body
from sqlalchemy import text
from typer.testing import CliRunner

from caseops.api.cli import app as cli_app
from caseops.cases.catalog import get_scenario
from caseops.domain.grader import phrase_in
from caseops.domain.vocab import (
    ACTION_TYPES,
    CASE_STATUSES,
    ISSUE_TYPES,
    PRIORITIES,
    QUEUES,
    REQUESTABLE_FIELDS,
    RESOLUTION_CODES,
)
from caseops.eventstore import EventStore

TOKEN = "rel-4dm1n-t0ken"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A live server with CASEOPS_ADMIN_TOKEN in its environment."""
    d = tmp_path_factory.mktemp("access")
    pool = ServerPool(d)
    try:
        yield pool.one(f"sqlite:///{d / 'access.db'}", CASEOPS_ADMIN_TOKEN=TOKEN)
    finally:
        pool.close()


def test_admin_token_guards_cross_episode_routes_only(guarded: Server) -> None:
    base = guarded.base_url
    with httpx.Client(timeout=30) as c:
        eid = c.post(f"{base}/reset", json={"task_id": SEED_TASKS[0]}).json()["observation"][
            "episode_id"
        ]
        refused = [
            {},
            {"authorization": ""},
            {"authorization": TOKEN},
            {"authorization": f"Basic {TOKEN}"},
            {"authorization": "Bearer wrong"},
            {"authorization": f"Bearer {TOKEN}x"},
            {"authorization": f"Bearer {TOKEN[:-1]}"},
            {"authorization": "Bearer"},
            {"x-admin-token": TOKEN},
        ]
        for path in ("/episodes", "/audit/rejections"):
            for headers in refused:
                r = c.get(f"{base}{path}", headers=headers)
                assert r.status_code == 401, (path, headers, r.status_code)
                assert r.json()["error"] == "Unauthorized"
                assert TOKEN not in r.text
            for scheme in ("Bearer", "bearer"):
                r = c.get(f"{base}{path}", headers={"authorization": f"{scheme} {TOKEN}"})
                assert r.status_code == 200, (path, r.text)
        # a sealed server: an episode's log needs the token too (it holds the answers);
        # the agent's own routes need only the episode id
        actions = oracle_wire(SEED_TASKS[0])
        admin = {"authorization": f"Bearer {TOKEN}"}
        for path in (f"/episodes/{eid}", f"/episodes/{eid}/events", f"/episodes/{eid}/replay"):
            assert c.get(f"{base}{path}").status_code == 401, path
        assert c.get(f"{base}/episodes/{eid}", headers=admin).status_code == 200
        assert c.get(f"{base}/episodes/{eid}/events", headers=admin).status_code == 200
        assert c.get(f"{base}/state", params={"episode_id": eid}).status_code == 200
        assert c.get(f"{base}/episodes/{eid}/replay", headers=admin).status_code == 409
        for k, action in enumerate(actions):
            r = c.post(f"{base}/step", json=step_body(eid, action, f"a{k}"))
            assert r.status_code == 200, r.text
        assert c.get(f"{base}/episodes/{eid}/replay").status_code == 401
        rep = c.get(f"{base}/episodes/{eid}/replay", headers=admin)
        assert rep.status_code == 200 and rep.json()["matches"] is True


# ------------------------------------------------------------------------------------
# No gold before the end
# ------------------------------------------------------------------------------------
VOCAB = (
    *CASE_STATUSES,
    *ACTION_TYPES,
    *QUEUES,
    *PRIORITIES,
    *ISSUE_TYPES,
    *RESOLUTION_CODES,
    *REQUESTABLE_FIELDS,
)


def gold_only_phrases(task_id: str) -> list[str]:
    """Marker phrases and forbidden claims that nothing public holds: not the case's own
    text (ticket, artifacts, policies, customer answers, title, objective) and not the
    vocabularies (which list every queue and resolution code on purpose)."""
    s = get_scenario(task_id)
    public = json.dumps(s.model_dump(mode="json", exclude={"gold"}), ensure_ascii=False)
    public += " " + " ".join(v.replace("_", " ") + " " + v for v in VOCAB)
    g = s.gold
    phrases = {
        p
        for m in (*g.reply_points, *g.note_points, *g.forbidden_claims)
        for p in (m.name, m.concept or "", *m.phrases, *m.facts)
        if p
    }
    return sorted(p for p in phrases if not phrase_in(p, public))


def _neutral(action: dict[str, Any]) -> dict[str, Any]:
    """The oracle's action with its own free text (which quotes the markers) replaced."""
    out = dict(action)
    if "note" in out:
        out["note"] = "Checked the records listed above."
    if "message" in out:
        out["message"] = "Hello, thank you for writing in. We are on it."
    return out


@pytest.mark.parametrize("task_id", SEED_TASKS)
def test_no_gold_reaches_the_agent_before_the_end(guarded: Server, task_id: str) -> None:
    secret = gold_only_phrases(task_id)
    assert len(secret) >= 3, (task_id, secret)  # names, concepts and facts of the gold
    base = guarded.base_url
    seen: list[tuple[str, str]] = []

    def grab(what: str, r: httpx.Response) -> dict[str, Any]:
        assert r.status_code == 200, (what, r.status_code, r.text[:300])
        seen.append((what, r.text))
        return (
            dict(r.json())
            if r.headers.get("content-type", "").startswith("application/json")
            else {}
        )

    actions = [_neutral(a) for a in oracle_wire(task_id)]
    with httpx.Client(timeout=30) as c:
        for path in ("/schema", "/metadata", "/health"):
            grab(path, c.get(f"{base}{path}"))
        # the task listings show other tasks' public text: checked field by field instead
        for query in ({}, {"split": "train", "limit": 50}):
            page = c.get(f"{base}/tasks", params=query)
            assert page.status_code == 200
            for item in page.json()["items"]:
                s = get_scenario(item["task_id"])
                assert item == {
                    "task_id": s.task_id,
                    "family": s.family,
                    "split": s.split,
                    "difficulty": s.difficulty,
                    "title": s.title,
                    "objective": s.objective,
                    "step_budget": s.step_budget,
                }
        obs = grab("/reset", c.post(f"{base}/reset", json={"task_id": task_id}))
        eid = obs["observation"]["episode_id"]
        for k, action in enumerate(actions[:-1]):  # everything but the ending step
            body = grab(f"/step {k}", c.post(f"{base}/step", json=step_body(eid, action)))
            assert body["done"] is False, (task_id, k, "ended early")
            assert body["observation"]["grade_report"] is None
            grab("/state", c.get(f"{base}/state", params={"episode_id": eid}))
            for path in (f"/episodes/{eid}/events", f"/episodes/{eid}", f"/episodes/{eid}/replay"):
                refused = c.get(f"{base}{path}")
                assert refused.status_code == 401, (path, refused.status_code)
                seen.append((path, refused.text))

        leaks = [(what, p) for what, body in seen for p in secret if phrase_in(p, body)]
        assert not leaks, leaks[:10]

        # after the end the agent gets its score (a sealed server shows no components)
        last = c.post(f"{base}/step", json=step_body(eid, actions[-1])).json()
        assert last["done"] is True and last["observation"]["grade_report"]["components"] == []
        assert not [p for p in secret if phrase_in(p, json.dumps(last["observation"]))]
        assert c.get(f"{base}/episodes/{eid}/events").status_code == 401
        # control: the administrator's unredacted log does show the gold to this check
        after = c.get(f"{base}/episodes/{eid}/events", headers={"authorization": f"Bearer {TOKEN}"})
        assert after.json()["redacted"] is False
        assert any(phrase_in(p, after.text) for p in secret), "the leak check sees nothing"


# ------------------------------------------------------------------------------------
# Tampering with the log is caught by the audit
# ------------------------------------------------------------------------------------
def _played_store(url: str) -> list[str]:
    """Two finished episodes in the store at ``url``; their ids."""
    from caseops.api.service import EpisodeService
    from caseops.statemachine.agents import oracle_actions

    store = EventStore(url)
    try:
        svc = EpisodeService(store)
        ids = []
        for task in SEED_TASKS[:2]:
            loaded, _ = svc.start(task_id=task)
            for a in oracle_actions(get_scenario(task)):
                svc.step(loaded.record.episode_id, a)
            ids.append(loaded.record.episode_id)
        return ids
    finally:
        store.dispose()


def _sql(url: str, statement: str, **params: Any) -> int:
    store = EventStore(url, create=False)
    try:
        with store.engine.begin() as conn:
            return int(conn.execute(text(statement), params).rowcount)
    finally:
        store.dispose()


EDIT = (
    "UPDATE caseops_events SET payload = replace(payload, :old, :new) "
    "WHERE stream_id = :sid AND version = :version"
)
TAMPERS: dict[str, tuple[str, dict[str, Any]]] = {
    "edit a step number": (EDIT, {"old": '"step":2', "new": '"step":9', "version": 3}),
    "edit a reward": (EDIT, {"old": '"reward":"', "new": '"reward":"1', "version": 4}),
    "edit an action": (
        EDIT,
        {"old": '"action_type":"review_ticket"', "new": '"action_type":"submit"', "version": 2},
    ),
    "edit recorded_at": (
        "UPDATE caseops_events SET recorded_at = '2000-01-01T00:00:00.000000Z' "
        "WHERE stream_id = :sid AND version = 2",
        {},
    ),
    "delete a middle event": (
        "DELETE FROM caseops_events WHERE stream_id = :sid AND version = 3",
        {},
    ),
    "delete the last event": (
        "DELETE FROM caseops_events WHERE stream_id = :sid AND version = "
        "(SELECT max(version) FROM caseops_events WHERE stream_id = :sid)",
        {},
    ),
    "delete the first event": (
        "DELETE FROM caseops_events WHERE stream_id = :sid AND version = 1",
        {},
    ),
}


@pytest.mark.parametrize("tamper", list(TAMPERS))
def test_audit_verify_catches_raw_sql_tampering(backend_url: str, tamper: str) -> None:
    ids = _played_store(backend_url)
    runner = CliRunner()
    clean = runner.invoke(cli_app, ["audit", "--verify", "--db", backend_url])
    assert clean.exit_code == 0, clean.output
    statement, params = TAMPERS[tamper]
    changed = _sql(backend_url, statement, sid=ids[1], **params)
    assert changed == 1, tamper
    result = runner.invoke(cli_app, ["audit", "--verify", "--db", backend_url])
    assert result.exit_code == 1, (tamper, result.output)
    assert ids[1] in result.output
