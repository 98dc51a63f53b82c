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


#: Support macros: what a resolution means for the customer (customer-facing wording).
MACROS: dict[str, str] = {
    "send_replacement": (
        "We are sending you a free replacement right away; there is no need to return the "
        "damaged item."
    ),
    "refund_duplicate_charge": (
        "We confirmed the duplicate charge and have refunded the extra payment to your "
        "original card; it usually appears within 5-10 business days. An updated receipt "
        "is on its way."
    ),
    "issue_refund": "We have issued your refund to the original payment method.",
    "lock_account_and_escalate_fraud": (
        "We have secured your account by locking it, and any open orders are on hold. Our "
        "Trust and Safety team will contact you to verify your identity before anything "
        "else happens."
    ),
    "request_verification": (
        "Our Trust and Safety team is reviewing the sign-in. To continue, please send us "
        "your identity verification, your last successful login and the devices you use."
    ),
    "open_incident": (
        "We have opened an incident and our platform engineering team is working on it. "
        "Please send us failing request IDs and error logs; we will update you with the "
        "next update every 30 minutes."
    ),
}

#: Phrases in a policy that point to a resolution code (first match wins).
CODE_HINTS: list[tuple[str, str]] = [
    ("lock the account", "lock_account_and_escalate_fraud"),
    ("open an incident", "open_incident"),
    ("identity verification", "request_verification"),
    ("replacement", "send_replacement"),
    ("paid twice", "refund_duplicate_charge"),
    ("capture", "refund_duplicate_charge"),
    ("refund", "issue_refund"),
]

#: Everyday wording of some requestable fields.
FIELD_HINTS: dict[str, tuple[str, ...]] = {
    "recent_devices": ("devices",),
    "photo_of_damage": ("photo",),
    "request_ids": ("request ids", "request id"),
}


class FallbackPolicy:
    """A deterministic heuristic support agent (reads only observations and results).

    Plan: review the ticket; inspect every artifact; search every knowledge-base topic;
    take the policy that best matches what it has read as the one that applies; then do
    what that policy says: the queue, priority, escalation, fields to request and the
    resolution it points to; record the evidence in a note, reply with the macro for that
    resolution, and settle the case.
    """

    def __init__(self) -> None:
        self.plan: list[dict[str, Any]] = []
        self.artifacts: list[str] = []
        self.policies: dict[str, str] = {}
        self.ticket = ""
        self.phase = "start"
        self.last: dict[str, Any] = {}

    def act(self, obs: dict[str, Any]) -> dict[str, Any]:
        """The next action for ``obs``."""
        result = obs.get("last_tool_result") or ""
        kind = self.last.get("action_type")
        if kind == "review_ticket":
            self.ticket = result
        elif kind == "inspect_artifact":
            self.artifacts.append(result)
        elif kind == "search_policy" and result and not result.startswith("No policy"):
            self.policies[self.last.get("query", "")] = result
        action = self._next(obs)
        self.last = action
        return action

    def _next(self, obs: dict[str, Any]) -> dict[str, Any]:
        if self.plan:
            return self.plan.pop(0)
        if self.phase == "start":
            self.phase = "gather"
            self.plan = [
                {"action_type": "inspect_artifact", "artifact_id": a}
                for a in obs.get("available_artifacts", [])
            ] + [
                {"action_type": "search_policy", "query": t.replace("_", " ")}
                for t in obs.get("policy_topics", [])[:3]
            ]
            return {"action_type": "review_ticket"}
        return self._settle(obs)

    def _policy(self) -> str:
        facts = _words(self.ticket + " " + " ".join(self.artifacts))
        best, best_score = "", -1
        for text in self.policies.values():
            score = len(_words(text) & facts)
            if score > best_score:
                best, best_score = text, score
        return best.replace("&", "and")

    def _code(self, policy: str) -> str | None:
        low = policy.lower()
        for phrase, code in CODE_HINTS:
            if phrase in low:
                return code
        return None

    def _settle(self, obs: dict[str, Any]) -> dict[str, Any]:
        vocab = obs.get("vocabularies", {})
        status = obs.get("case", {}).get("status", "new")
        policy = self._policy()
        low = policy.lower()
        esc = re.search(r"escalat\w*\s+(?:it\s+|the case\s+)?to\s+([a-z ]+)", low)
        target = _first_mentioned(esc.group(1), vocab.get("queues", [])) if esc else None
        if self.phase == "gather":
            self.phase = "classify"
            queues = vocab.get("queues", [])
            queue = target or _first_mentioned(policy, queues) or "general_support"
            priority = _first_mentioned(policy, vocab.get("priorities", [])) or "normal"
            issue = self._issue(self.ticket + " " + policy)
            return {
                "action_type": "classify",
                "queue": queue,
                "priority": priority,
                "issue_type": issue,
            }
        if self.phase == "classify":
            self.phase = "escalate"
            if target and status == "triaged":
                return {"action_type": "escalate", "queue": target}
        if self.phase == "escalate":
            self.phase = "request"
            fields = [
                f
                for f in vocab.get("requestable_fields", [])
                if _mentions(policy, f) >= 0 or any(h in low for h in FIELD_HINTS.get(f, ()))
            ]
            if fields and status in ("triaged", "escalated") and re.search(r"\bask\b", low):
                return {"action_type": "request_info", "requested_fields": fields[:10]}
        if self.phase == "request":
            self.phase = "note"
            return {"action_type": "add_internal_note", "note": self._note(policy)}
        code = self._code(policy)
        if self.phase == "note":
            self.phase = "reply"
            return {"action_type": "draft_reply", "message": self._reply(obs, code)}
        self.phase = "done"
        if status == "triaged" and code:
            return {"action_type": "resolve", "resolution_code": code}
        action: dict[str, Any] = {"action_type": "submit"}
        if code:
            action["resolution_code"] = code
        return action

    @staticmethod
    def _issue(text: str) -> str:
        low = text.lower()
        rules = [
            (
                "account_security",
                (
                    "takeover",
                    "unrecognised",
                    "unrecognized",
                    "sign-in",
                    "suspicious login",
                    "hacked",
                ),
            ),
            ("damaged_item", ("damaged", "broken", "cracked")),
            ("billing_error", ("charged twice", "paid twice", "duplicate", "double charge")),
            ("technical_incident", ("outage", "503", "incident", "errors")),
        ]
        for issue, keys in rules:
            if any(k in low for k in keys):
                return issue
        return "general_inquiry"

    def _note(self, policy: str) -> str:
        facts = " | ".join(a.replace("\n", " ")[:200] for a in self.artifacts)
        first = policy.splitlines()[0] if policy else "none found"
        return f"Evidence: {facts}. Policy applied: {first}."[:1150]

    def _reply(self, obs: dict[str, Any], code: str | None) -> str:
        name = (obs.get("ticket", {}).get("customer_name") or "there").split(" ")[0]
        body = MACROS.get(code or "", "We are looking into your request and will follow up.")
        return f"Hi {name}, thank you for reaching out, and we are sorry for the trouble. {body}"


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
    """The first JSON object with an ``action_type`` in a model reply (prose, code fences
    and trailing text around it are ignored).

    Raises:
        ValueError: when no such JSON object is found.
    """
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start != -1:
        try:
            data, _ = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict) and "action_type" in data:
            return data
        start = text.find("{", start + 1)
    raise ValueError("no JSON object with an action_type in the reply")


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
            else:
                fallback.last = {}
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
    from caseops.domain.scenarios import task_refs

    ids = list(task_refs(None if split in ("", "seed") else split))
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
