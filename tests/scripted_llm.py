"""A scripted OpenAI-compatible chat server for the baseline's tests.

``POST /v1/chat/completions`` answers as the model named in the request; every request is
recorded (model, messages, the status answered, its arrival on the monotonic clock).
The models read the task id from the task statement (``TASK task=<id>``) and the step
from the newest observation (``OBSERVATION step=<n>``) and play the oracle's path for
that task (:func:`caseops.statemachine.agents.oracle_actions`) where they play at all:

- ``good``: the oracle's action, bare or in prose with a code fence (alternating);
- ``broken``: prose and broken JSON, every time (the fallback plays every step);
- ``fixes-on-retry``: broken JSON, then the oracle's action when told the parse error;
- ``ratelimit``: every distinct request is first refused, then answered as ``good``: at
  step 0 with 429 and ``Retry-After: 1``, at step 1 with 503 (no header), later with 429
  and ``retry-after-ms: 5``;
- ``invalid``: a well-formed JSON action the environment refuses (unknown action type);
- ``hang``: answers nothing until long after any client's timeout.

Every model but ``broken`` reports ``usage`` (a token is four characters here).
:func:`serve` runs the app with uvicorn on 127.0.0.1 on a free port in a thread.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from caseops.cases.catalog import get_scenario
from caseops.statemachine.agents import oracle_actions

TASK = re.compile(r"^TASK task=(\S+)", re.M)
STEP = re.compile(r"OBSERVATION step=(\d+)")
BROKEN = (
    "Let me look at the ticket first, that seems like the right place to start.",
    "{'action_type': 'review_ticket'}",
    'Sure! ```json\n{"action_type": "inspect_artifact", "artifact_id": \n```',
    "action_type: search_policy, query: refunds",
    '{"action": "classify"}',
)
#: How long ``hang`` waits before it answers (seconds); any client gives up long before.
HANG_S = 30.0


@dataclass(frozen=True)
class Recorded:
    """One request as the server received it, and what it answered."""

    model: str
    messages: list[dict[str, Any]]
    status: int  # 0: none (``hang``)
    at: float  # time.monotonic() on arrival


@cache
def _oracle(task_id: str) -> list[dict[str, Any]]:
    acts = oracle_actions(get_scenario(task_id))
    return [a.model_dump(mode="json", exclude_none=True, exclude={"metadata"}) for a in acts]


def oracle_action(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The oracle's action for the conversation: by the task in the first user turn and
    the step of the newest observation."""
    users = [str(m.get("content", "")) for m in messages if m.get("role") == "user"]
    task = TASK.search(users[0]) if users else None
    if task is None:
        return {"action_type": "submit"}
    step = 0
    for text in reversed(users):
        found = STEP.findall(text)
        if found:
            step = int(found[-1])
            break
    path = _oracle(task.group(1))
    return path[step] if step < len(path) else {"action_type": "submit"}


class ScriptedLLM:
    """The app and what it recorded (``records``, in arrival order)."""

    def __init__(self) -> None:
        self.records: list[Recorded] = []
        self._lock = threading.Lock()
        self._refused: set[str] = set()
        self.stopping = False
        self.app = FastAPI()
        self.app.post("/v1/chat/completions")(self._chat)

    def of(self, model: str) -> list[Recorded]:
        """The requests recorded for ``model``."""
        with self._lock:
            return [r for r in self.records if r.model == model]

    def clear(self) -> None:
        with self._lock:
            self.records.clear()
            self._refused.clear()

    def _record(self, model: str, messages: list[dict[str, Any]], status: int, at: float) -> None:
        with self._lock:
            self.records.append(Recorded(model, messages, status, at))

    async def _chat(self, request: Request) -> JSONResponse:
        at = time.monotonic()
        body = await request.json()
        model = str(body.get("model", ""))
        messages = list(body.get("messages", []))
        step = len([m for m in messages if m.get("role") == "assistant"])
        if model == "hang":
            self._record(model, messages, 0, at)  # 0: no answer while anyone waited
            deadline = time.monotonic() + HANG_S
            while not self.stopping and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            return self._answer(model, json.dumps(oracle_action(messages)))
        if model == "ratelimit":
            digest = hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest()
            with self._lock:
                first = digest not in self._refused
                self._refused.add(digest)
            if first:
                last = str(messages[-1].get("content", "")) if messages else ""
                obs_step = int(STEP.findall(last)[-1]) if STEP.findall(last) else step
                if obs_step == 0:
                    status, headers = 429, {"Retry-After": "1"}
                elif obs_step == 1:
                    status, headers = 503, {}
                else:
                    status, headers = 429, {"retry-after-ms": "5"}
                self._record(model, messages, status, at)
                return JSONResponse(
                    {"error": {"message": "slow down", "type": "rate_limit"}},
                    status_code=status,
                    headers=headers,
                )
        self._record(model, messages, 200, at)
        last = str(messages[-1].get("content", "")) if messages else ""
        if model in ("good", "ratelimit"):
            action = json.dumps(oracle_action(messages))
            n = len(STEP.findall(last)) and int(STEP.findall(last)[-1])
            text = action if n % 2 == 0 else f"Next I will do this.\n```json\n{action}\n```\n"
        elif model == "fixes-on-retry":
            if last.startswith("Your reply could not be used"):
                text = json.dumps(oracle_action(messages))
            else:
                text = BROKEN[step % len(BROKEN)]
        elif model == "broken":
            text = BROKEN[(step + len(messages)) % len(BROKEN)]
        elif model == "invalid":
            text = '{"action_type": "fly_to_the_moon"}'
        else:
            return JSONResponse({"error": {"message": f"no model {model!r}"}}, status_code=404)
        return self._answer(model, text)

    @staticmethod
    def _answer(model: str, text: str) -> JSONResponse:
        body: dict[str, Any] = {
            "id": "chatcmpl-scripted",
            "object": "chat.completion",
            "created": 0,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
        }
        if model != "broken":
            body["usage"] = {
                "prompt_tokens": 100,
                "completion_tokens": max(1, len(text) // 4),
                "total_tokens": 100 + max(1, len(text) // 4),
            }
        return JSONResponse(body)


@contextmanager
def serve(llm: ScriptedLLM) -> Iterator[str]:
    """Run ``llm`` on 127.0.0.1 (a port the kernel picks) in a thread; yields the base
    URL an OpenAI client takes (``http://127.0.0.1:<port>/v1``)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        llm.app, log_level="warning", loop="asyncio", http="h11", timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the scripted model server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        llm.stopping = True
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
