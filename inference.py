"""Baseline agent for CaseOps: an OpenAI-client LLM policy with a deterministic fallback.

Environment: ``API_BASE_URL`` (default https://router.huggingface.co/v1), ``MODEL_NAME``,
``HF_TOKEN`` or ``OPENAI_API_KEY``; ``ENV_BASE_URL`` (a running server, played over
HTTP; unset: the environment runs in-process); ``LOCAL_IMAGE_NAME`` (OpenEnv's
``from_docker_image``); ``CASEOPS_SPLIT`` / ``--split`` and ``CASEOPS_LIMIT`` / ``--limit``.

Stdout carries only the ``[START]``/``[STEP]``/``[END]`` lines, one block per task in a
fixed order; everything else goes to stderr. With no credentials, or when a model call
fails, the fallback policy plays: a heuristic that reads only the observation and the
tool results (never the gold).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable
from typing import Any

API_BASE_URL = os.environ.get("API_BASE_URL", "https://router.huggingface.co/v1")
MODEL_NAME = os.environ.get("MODEL_NAME", "")
API_KEY = os.environ.get("HF_TOKEN") or os.environ.get("OPENAI_API_KEY") or ""


def log(msg: str) -> None:
    """Diagnostics to stderr (stdout is reserved for the protocol lines)."""
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------
# Transports: each exposes reset(task_id) -> (obs, reward, done) and step(action).
# --------------------------------------------------------------------------------------
class HttpEnv:
    """Plays over plain HTTP (``/reset``, ``/step`` with the episode id)."""

    def __init__(self, base_url: str) -> None:
        import httpx

        self.client = httpx.Client(base_url=base_url.rstrip("/"), timeout=30)
        self.episode_id: str | None = None

    def reset(self, task_id: str) -> dict[str, Any]:
        r = self.client.post("/reset", json={"task_id": task_id})
        r.raise_for_status()
        data = r.json()
        self.episode_id = data["observation"]["episode_id"]
        return data

    def step(self, action: dict[str, Any]) -> dict[str, Any]:
        r = self.client.post("/step", json={"action": action, "episode_id": self.episode_id})
        if r.status_code == 422:
            raise ValueError(f"invalid action: {r.json().get('detail')}")
        r.raise_for_status()
        return r.json()

    def close(self) -> None:
        self.client.close()


class LocalEnv:
    """Plays in-process against :class:`CaseOpsEnvironment` (store: CASEOPS_DATABASE_URL)."""

    def __init__(self) -> None:
        from caseops.api.environment import CaseOpsEnvironment

        self.env = CaseOpsEnvironment()

    @staticmethod
    def _wrap(obs: Any) -> dict[str, Any]:
        data = obs.model_dump(mode="json", exclude={"reward", "done", "metadata"})
        return {"observation": data, "reward": obs.reward, "done": obs.done}

    def reset(self, task_id: str) -> dict[str, Any]:
        return self._wrap(self.env.reset(task_id=task_id))

    def step(self, action: dict[str, Any]) -> dict[str, Any]:
        from pydantic import ValidationError

        from caseops.domain.actions import CaseAction

        try:
            act = CaseAction.model_validate(action)
        except ValidationError as e:
            raise ValueError(f"invalid action: {e.errors()[0]['msg']}") from None
        return self._wrap(self.env.step(act))

    def close(self) -> None:
        pass


class DockerEnv:
    """Plays through OpenEnv's ``from_docker_image`` (WebSocket client)."""

    def __init__(self, image: str) -> None:
        import asyncio

        from caseops.client import CaseOpsEnv

        self.client = asyncio.run(CaseOpsEnv.from_docker_image(image)).sync()

    def reset(self, task_id: str) -> dict[str, Any]:
        res = self.client.reset(task_id=task_id)
        return self._wrap(res)

    def step(self, action: dict[str, Any]) -> dict[str, Any]:
        from caseops.domain.actions import CaseAction

        return self._wrap(self.client.step(CaseAction.model_validate(action)))

    @staticmethod
    def _wrap(res: Any) -> dict[str, Any]:
        data = res.observation.model_dump(mode="json", exclude={"reward", "done", "metadata"})
        return {"observation": data, "reward": res.reward, "done": res.done}

    def close(self) -> None:
        self.client.close()


# --------------------------------------------------------------------------------------
# The fallback policy: reads only the observation and tool results.
# --------------------------------------------------------------------------------------
_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def _mentions(text: str, term: str) -> int:
    """Where ``term`` (snake_case vocabulary item) is first mentioned in ``text``; -1 if not."""
    low = text.lower()
    for form in (term, term.replace("_", " "), term.replace("_", "-")):
        m = re.search(r"(?<![a-z0-9_])" + re.escape(form) + r"(?![a-z0-9_])", low)
        if m:
            return m.start()
    return -1


def _first_mentioned(text: str, vocab: list[str]) -> str | None:
    found = [(pos, v) for v in vocab if (pos := _mentions(text, v)) >= 0]
    return min(found)[1] if found else None


class FallbackPolicy:
    """A deterministic heuristic support agent.

    Plan: review the ticket; inspect every artifact; search the knowledge base for the
    topics that best match what it has read; then act on what the policies say: the queue,
    priority and resolution code they name, fields they say to request, whether to
    escalate; add a note and a reply built from what it found; settle the case.
    """

    def __init__(self) -> None:
        self.plan: list[dict[str, Any]] = []
        self.texts: list[str] = []
        self.phase = "start"
        self.policy_text = ""

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]

    def _corpus(self, obs: dict[str, Any]) -> str:
        t = obs.get("ticket", {})
        return "\n".join([t.get("subject", ""), t.get("customer_message", ""), *self.texts])

    def act(self, obs: dict[str, Any]) -> dict[str, Any]:
        if obs.get("last_tool_result"):
            self.texts.append(obs["last_tool_result"])
            if self.phase == "search":
                self.policy_text += "\n" + obs["last_tool_result"]
        if self.plan:
            return self.plan.pop(0)
        if self.phase == "start":
            self.phase = "inspect"
            self.plan = [
                {"action_type": "inspect_artifact", "artifact_id": a}
                for a in obs.get("available_artifacts", [])
            ]
            return {"action_type": "review_ticket"}
        if self.phase == "inspect":
            self.phase = "search"
            corpus = _words(self._corpus(obs))
            topics = obs.get("policy_topics", [])
            ranked = sorted(
                topics,
                key=lambda tp: (
                    -len(set(tp.replace("-", "_").split("_")) & corpus),
                    topics.index(tp),
                ),
            )
            chosen = [tp for tp in ranked if set(tp.replace("-", "_").split("_")) & corpus][:2]
            chosen = chosen or ranked[:1]
            if chosen:
                self.plan = [
                    {"action_type": "search_policy", "query": tp.replace("_", " ")}
                    for tp in chosen[1:]
                ]
                return {"action_type": "search_policy", "query": chosen[0].replace("_", " ")}
        return self._settle(obs)

    def _settle(self, obs: dict[str, Any]) -> dict[str, Any]:
        vocab = obs.get("vocabularies", {})
        case = obs.get("case", {})
        policy = self.policy_text
        text = policy + "\n" + self._corpus(obs)
        status = case.get("status", "new")
        if self.phase == "search":
            self.phase = "classify"
            queue = (
                _first_mentioned(policy, vocab.get("queues", []))
                or _first_mentioned(text, vocab.get("queues", []))
                or "general_support"
            )
            priority = _first_mentioned(policy, vocab.get("priorities", [])) or (
                "urgent" if obs.get("ticket", {}).get("affected_users", 1) > 100 else "normal"
            )
            issue = _first_mentioned(text, vocab.get("issue_types", [])) or self._issue(text)
            return {
                "action_type": "classify",
                "queue": queue,
                "priority": priority,
                "issue_type": issue,
            }
        if self.phase == "classify":
            self.phase = "escalate"
            m = re.search(r"escalat\w*\s+(?:it\s+|the case\s+)?to\s+([a-z_ ]+)", policy.lower())
            if m and status == "triaged":
                target = _first_mentioned(m.group(1), vocab.get("queues", []))
                if target:
                    return {"action_type": "escalate", "queue": target}
        if self.phase == "escalate":
            self.phase = "request"
            fields = [f for f in vocab.get("requestable_fields", []) if _mentions(policy, f) >= 0]
            if (
                fields
                and status in ("triaged", "escalated")
                and re.search(r"\b(request|ask|collect)\w*\b", policy.lower())
            ):
                return {"action_type": "request_info", "requested_fields": fields[:10]}
        if self.phase == "request":
            self.phase = "note"
            return {"action_type": "add_internal_note", "note": self._note(obs)}
        if self.phase == "note":
            self.phase = "reply"
            return {"action_type": "draft_reply", "message": self._reply(obs)}
        code = _first_mentioned(policy, vocab.get("resolution_codes", []))
        self.phase = "done"
        if status in ("triaged", "escalated") and code and not self._hand_off(policy, status):
            return {"action_type": "resolve", "resolution_code": code}
        action: dict[str, Any] = {"action_type": "submit"}
        if code:
            action["resolution_code"] = code
        return action

    @staticmethod
    def _hand_off(policy: str, status: str) -> bool:
        low = policy.lower()
        return status == "escalated" or any(
            k in low for k in ("do not resolve", "don't resolve", "leave the case", "keep the case")
        )

    @staticmethod
    def _issue(text: str) -> str:
        low = text.lower()
        rules = [
            ("damaged_item", ("damaged", "broken", "cracked")),
            ("account_security", ("takeover", "unauthorized", "suspicious login", "hacked")),
            ("billing_error", ("charged twice", "duplicate charge", "double charge")),
            ("technical_incident", ("outage", "500 error", "errors", "down")),
        ]
        for issue, keys in rules:
            if any(k in low for k in keys):
                return issue
        return "general_inquiry"

    def _note(self, obs: dict[str, Any]) -> str:
        facts = [t.splitlines()[0] for t in self.texts if t][:6]
        policy = self.policy_text.strip().splitlines()
        return ("Findings: " + "; ".join(facts) + ". Policy: " + (policy[0] if policy else "n/a"))[
            :1100
        ]

    def _reply(self, obs: dict[str, Any]) -> str:
        name = obs.get("ticket", {}).get("customer_name", "there").split(" ")[0]
        policy_lines = [ln for ln in self.policy_text.splitlines() if ln and not ln.startswith("[")]
        summary = " ".join(policy_lines)[:600]
        return (
            f"Hi {name}, thank you for contacting us and sorry for the trouble. "
            f"We have reviewed your case and the relevant records. {summary} "
            "We will keep you updated on the next steps."
        )[:1150]


# --------------------------------------------------------------------------------------
# The LLM policy.
# --------------------------------------------------------------------------------------
SYSTEM_PROMPT = (
    "You are a customer-support operations agent working one case in the CaseOps "
    "environment. Each turn you receive the observation as JSON and reply with exactly one "
    "action as a JSON object with an 'action_type' and the fields it needs: review_ticket; "
    "inspect_artifact(artifact_id); search_policy(query); draft_reply(message); "
    "add_internal_note(note); classify(queue, priority, issue_type); "
    "request_info(requested_fields); escalate(queue); resolve(resolution_code); "
    "submit(resolution_code optional). Use only values from 'vocabularies' and only actions "
    "in 'legal_actions'. Gather evidence before deciding, follow the policies, and never "
    "promise what policy does not allow. Reply with JSON only."
)


def make_llm() -> Callable[[list[dict[str, str]]], str] | None:
    """A chat function, or ``None`` when no credentials or model are configured."""
    if not (API_KEY and MODEL_NAME):
        return None
    try:
        from openai import OpenAI
    except ImportError:  # pragma: no cover - openai is a dependency
        return None
    client = OpenAI(base_url=API_BASE_URL, api_key=API_KEY, timeout=60)

    def chat(messages: list[dict[str, str]]) -> str:
        resp = client.chat.completions.create(
            model=MODEL_NAME,
            messages=messages,  # type: ignore[arg-type]
            temperature=0.0,
            max_tokens=600,  # type: ignore[arg-type]
        )
        return resp.choices[0].message.content or ""

    return chat


def parse_action(text: str) -> dict[str, Any]:
    """The first JSON object in a model reply.

    Raises:
        ValueError: when no JSON object with an ``action_type`` is found.
    """
    m = re.search(r"\{.*\}", text, re.S)
    if not m:
        raise ValueError("no JSON object in the reply")
    data = json.loads(m.group(0))
    if not isinstance(data, dict) or "action_type" not in data:
        raise ValueError("the JSON has no action_type")
    return data


def _compact(obs: dict[str, Any]) -> str:
    keep = {k: v for k, v in obs.items() if k not in ("grade_report",)}
    return json.dumps(keep, separators=(",", ":"))[:12000]


# --------------------------------------------------------------------------------------
# The episode loop.
# --------------------------------------------------------------------------------------
def _fmt_bool(b: bool) -> str:
    return "true" if b else "false"


def play(env: Any, task_id: str, llm: Callable[[list[dict[str, str]]], str] | None) -> float:
    """Play one task, printing the protocol lines; returns the final score."""
    model = MODEL_NAME if llm else "fallback"
    print(f"[START] task={task_id} env=caseops model={model}", flush=True)
    rewards: list[float] = []
    steps = 0
    score = 0.0
    done = False
    fallback = FallbackPolicy()
    messages = [{"role": "system", "content": SYSTEM_PROMPT}]
    try:
        data = env.reset(task_id)
        obs = data["observation"]
        budget = int(obs.get("remaining_steps", 20))
        while not done and steps < budget + 2:
            action: dict[str, Any] | None = None
            if llm is not None:
                try:
                    messages.append({"role": "user", "content": _compact(obs)})
                    reply = llm(messages[-12:] if len(messages) > 12 else messages)
                    action = parse_action(reply)
                    messages.append({"role": "assistant", "content": json.dumps(action)})
                except Exception as e:  # any model failure: the fallback plays this step
                    log(f"model call failed ({type(e).__name__}: {e}); fallback plays")
            if action is None:
                action = fallback.act(obs)
            error: str | None = None
            try:
                data = env.step(action)
            except ValueError as e:
                error = str(e)
                action = fallback.act(obs)
                data = env.step(action)
            steps += 1
            obs = data["observation"]
            reward = float(data.get("reward") or 0.0)
            done = bool(data.get("done"))
            rewards.append(reward)
            score = float(obs.get("current_score", 0.0))
            error = error or obs.get("last_action_error")
            compact = json.dumps(action, separators=(",", ":"), ensure_ascii=False)
            err_text = "null" if not error else str(error).replace("\n", " ")
            print(
                f"[STEP] step={steps} action={compact} reward={reward:.2f} "
                f"done={_fmt_bool(done)} error={err_text}",
                flush=True,
            )
    except Exception as e:
        log(f"task {task_id} failed: {type(e).__name__}: {e}")
    finally:
        success = done and score >= 0.5
        joined = ",".join(f"{r:.2f}" for r in rewards)
        print(
            f"[END] success={_fmt_bool(success)} steps={steps} score={score:.3f} rewards={joined}",
            flush=True,
        )
    return score


def task_ids(split: str, limit: int) -> list[str]:
    """The tasks to play, in a fixed order."""
    from caseops.domain.scenarios import list_scenarios

    ids = [s.task_id for s in list_scenarios(None if split in ("", "all") else split)]
    return ids[:limit] if limit > 0 else ids


def main(argv: list[str] | None = None) -> int:
    """Run the baseline over the chosen tasks; returns the process exit code."""
    parser = argparse.ArgumentParser(description="CaseOps baseline agent")
    parser.add_argument("--split", default=os.environ.get("CASEOPS_SPLIT", "seed"))
    parser.add_argument("--limit", type=int, default=int(os.environ.get("CASEOPS_LIMIT", "0")))
    args = parser.parse_args(argv)
    base = os.environ.get("ENV_BASE_URL")
    image = os.environ.get("LOCAL_IMAGE_NAME")
    env: Any
    if base:
        env = HttpEnv(base)
    elif image:
        env = DockerEnv(image)
    else:
        env = LocalEnv()
    llm = make_llm()
    log(f"policy: {'model ' + MODEL_NAME if llm else 'fallback (no credentials)'}")
    scores = []
    try:
        for tid in task_ids(args.split, args.limit):
            scores.append(play(env, tid, llm))
    finally:
        env.close()
    if scores:
        log(f"mean score {sum(scores) / len(scores):.3f} over {len(scores)} tasks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
