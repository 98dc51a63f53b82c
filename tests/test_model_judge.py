"""The optional language-model judge against a local fake OpenAI-compatible server: its
verdict is an event after the step, replay reproduces the reward without the model, and
a failed, slow or malformed call falls back to the rule judge and says so (issue 18)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from caseops.api.model_judge import PROMPT_SHA256, ModelJudge, parse_answer
from caseops.api.service import EpisodeService
from caseops.cases.catalog import SEED_SCENARIOS
from caseops.domain.actions import CaseAction
from caseops.domain.events import JudgeVerdict
from caseops.domain.grader import grade
from caseops.domain.judge import RULE_JUDGE_ID
from caseops.eventstore import EventStore
from caseops.statemachine.agents import oracle_actions
from caseops.statemachine.regrade import Regrader
from caseops.statemachine.replay import replay

MUG = SEED_SCENARIOS["damaged_mug_replacement"]

#: what the fake model answers, by model name
ANSWERS: dict[str, object] = {}


def _fake_app() -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> JSONResponse:
        body = await request.json()
        model = body["model"]
        if model == "fail":
            return JSONResponse({"error": {"message": "boom"}}, status_code=500)
        if model == "slow":
            time.sleep(1.5)
        content = ANSWERS.get(model, "not json")
        if not isinstance(content, str):
            content = json.dumps(content)
        return JSONResponse(
            {
                "id": "x",
                "object": "chat.completion",
                "created": 0,
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": content},
                    }
                ],
            }
        )

    return app


@pytest.fixture(scope="module")
def fake_url() -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(_fake_app(), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}/v1"
    server.should_exit = True
    thread.join(5)


def _answer(made: bool) -> dict[str, object]:
    g = MUG.gold
    return {
        "points": {p.name: made for p in g.reply_points},
        "claims": {c.name: False for c in g.forbidden_claims},
    }


def _play(svc: EpisodeService, eid: str) -> list:
    svc.start(task_id="damaged_mug_replacement", episode_id=eid)
    for act in oracle_actions(MUG):
        _, obs = svc.step(eid, act)
        if obs.done:
            break
    return svc.load(eid).history


def test_parse_answer_is_strict() -> None:
    g = MUG.gold
    ok = json.dumps(_answer(True))
    assert parse_answer(ok, g.reply_points, g.forbidden_claims)[0]["apology"] is True
    for bad in ("[]", "{}", '{"points": {}, "claims": {}}', ok.replace("true", '"yes"')):
        with pytest.raises(ValueError):
            parse_answer(bad, g.reply_points, g.forbidden_claims)


@pytest.mark.parametrize("model", ["fail", "slow", "garbled"])
def test_failed_slow_or_bad_calls_fall_back(fake_url: str, model: str) -> None:
    ANSWERS["garbled"] = "this is not JSON"
    judge = ModelJudge(model, fake_url, "k", timeout_s=0.5)
    g = MUG.gold
    v = judge.verdict(
        "reply", "Sorry! A replacement is on its way.", g.reply_points, g.forbidden_claims
    )
    assert v.judge == RULE_JUDGE_ID and v.fallback.startswith(f"model:{model} failed")
    assert {r["name"] for r in v.points if r["ok"]} == {"apology", "replacement"}


def test_model_verdict_is_an_event_that_replay_reads(fake_url: str, tmp_path) -> None:
    ANSWERS["strict"] = _answer(False)  # the model says no point is made
    store = EventStore(f"sqlite:///{tmp_path / 'j.db'}")
    svc = EpisodeService(store, cache_size=0, judge=ModelJudge("strict", fake_url, "k"))
    history = _play(svc, "ep-model")
    kinds = [type(e).__name__ for e in history]
    i = next(
        k for k, e in enumerate(history) if isinstance(e, JudgeVerdict) and e.target == "reply"
    )
    assert kinds[i - 1] == "ReplyDrafted"
    v = history[i]
    note = next(e for e in history if isinstance(e, JudgeVerdict) and e.target == "note")
    assert kinds[kinds.index("InternalNoteAdded") + 1] == "JudgeVerdict"
    # the fake answers with the reply's names only: the note's call falls back, and says so
    assert note.judge == RULE_JUDGE_ID and "failed" in note.fallback
    assert v.judge == "model:strict" and v.prompt_sha256 == PROMPT_SHA256 and not v.fallback
    reply = next(c for c in grade(MUG, history).components if c.name == "reply")
    assert reply.earned == 0 and reply.judge == "model:strict"
    # replay reproduces every reward from the log, with no model reachable
    ANSWERS.clear()
    assert replay(history).matches
    # regrade --rejudge sets the verdict aside: the rule judge finds every point made
    rows = [(r.event_id, r.type, json.dumps(r.payload)) for r in store.read("ep-model")]
    assert Regrader().regrade("ep-model", rows).matches
    again = Regrader(rejudge=True).regrade("ep-model", rows)
    assert float(again.score_change) > 0


def test_without_a_model_no_verdict_event(tmp_path) -> None:
    svc = EpisodeService(EventStore(f"sqlite:///{tmp_path / 'r.db'}"), cache_size=0)
    history = _play(svc, "ep-rule")
    assert not any(isinstance(e, JudgeVerdict) for e in history)
    assert CaseAction  # the action model is what the service steps
