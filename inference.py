"""Baseline agent for CaseOps: an OpenAI-client LLM policy with a deterministic fallback.

Environment: ``API_BASE_URL`` (default https://router.huggingface.co/v1; any
OpenAI-compatible ``/v1`` endpoint, such as a local vLLM or llama.cpp server),
``MODEL_NAME``, ``HF_TOKEN`` or ``OPENAI_API_KEY``; ``ENV_BASE_URL`` (a running server,
played over HTTP; unset: the environment runs in-process); ``LOCAL_IMAGE_NAME``
(OpenEnv's ``from_docker_image``); ``CASEOPS_SPLIT`` / ``--split`` and ``CASEOPS_LIMIT`` /
``--limit``. Model calls: ``CASEOPS_MODEL_TIMEOUT`` (seconds per HTTP request, default
60), ``CASEOPS_MODEL_RETRIES`` (retries of one call on 408/409/429/5xx, timeouts and
connection errors, default 3), ``CASEOPS_MAX_MODEL_CALLS`` (per run, default 400),
``CASEOPS_HISTORY_CHARS`` (the conversation's budget, default 24000).

Stdout carries only the ``[START]``/``[STEP]``/``[END]`` lines, one block per task in a
fixed order; everything else goes to stderr. With no credentials, or when the model
cannot give a usable action, the fallback policy plays: a heuristic that reads only the
observation (never the gold).

The conversation. Every request is ``system`` (the prompt), then the *task statement*
as the first ``user`` turn (task id, objective, ticket, artifact ids, policy topics, the
allowed values), then strictly alternating ``assistant`` (the action played, as JSON) and
``user`` (the observation that followed, as compact text) turns, ending on a ``user``
turn. The first user turn also carries the first observation. Only the newest user turn
carries the whole observation, its case file included (the contents of every piece of
evidence collected so far, so nothing the agent learned needs the history); older user
turns are cut to one line each (step, status, the start of the result, any error).

The history policy: a request may hold at most ``CASEOPS_HISTORY_CHARS`` characters of
message content. When it would hold more, the oldest assistant/user pairs are dropped,
oldest first, and a one-paragraph summary of what they did (step numbers and actions)
is appended to the first user turn. The system prompt, the task statement and the
newest pair are never dropped, so a request may exceed the budget only when those alone
do. A reply that cannot be parsed is asked for once more, the same request followed by
the reply and the parse error; neither is kept in the history.

Robust calls (the ``openai`` client's own retry, :class:`ModelConfig`): a timeout per
HTTP request; retries with exponential backoff (0.5 s doubling, at most 8 s, with
jitter) on 408, 409, 429 and 5xx answers, timeouts and connection errors, honouring a
server's ``Retry-After`` (or ``retry-after-ms``) up to two minutes. After two calls in a
row that fail even so, the fallback plays the rest of the task; after
``CASEOPS_MAX_MODEL_CALLS`` calls (parse retries count), the rest of the run.

Per task, one ``[stats]`` line on stderr: ``model_calls`` (chat completions asked,
parse retries included), ``http_requests`` (retries included), ``call_failures``,
``parse_failures`` (replies without a usable JSON action), ``invalid_actions`` (actions
the environment refused as malformed), ``fallback_steps``, and ``prompt_tokens`` /
``completion_tokens`` summed over the calls whose answers gave ``usage`` (``n/a`` when
none did); then one ``[stats] total`` line for the run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

#: Defaults of the model settings (environment variables in the module docstring).
DEFAULT_API_BASE_URL = "https://router.huggingface.co/v1"
DEFAULT_TIMEOUT_S = 60.0
DEFAULT_RETRIES = 3
DEFAULT_MAX_CALLS = 400
DEFAULT_HISTORY_CHARS = 24_000
#: Completion tokens asked per call (an action is well under 300 tokens; a reply
#: with reasoning before it needs room).
MAX_COMPLETION_TOKENS = 600
#: Consecutive failed calls (after the client's retries) before the model sits out the
#: rest of the task.
FAILURES_BEFORE_FALLBACK = 2


def log(msg: str) -> None:
    """Diagnostics to stderr (stdout is reserved for the protocol lines)."""
    print(msg, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class ModelConfig:
    """How to reach the model and how hard to try (module docstring: the variables).

    ``timeout_s`` is per HTTP request, in seconds; ``max_retries`` the retries of one
    call; ``max_calls`` the chat completions of the whole run; ``history_chars`` the
    conversation's budget in characters of message content.
    """

    base_url: str
    model: str
    api_key: str
    timeout_s: float = DEFAULT_TIMEOUT_S
    max_retries: int = DEFAULT_RETRIES
    max_calls: int = DEFAULT_MAX_CALLS
    history_chars: int = DEFAULT_HISTORY_CHARS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ModelConfig | None:
        """The settings in ``environ`` (default ``os.environ``); ``None`` when no model or
        no key is set (the fallback plays).

        Raises:
            ValueError: naming the variable whose value is not a number in its range.
        """
        env = os.environ if environ is None else environ
        model = env.get("MODEL_NAME", "")
        key = env.get("HF_TOKEN") or env.get("OPENAI_API_KEY") or ""
        if not (model and key):
            return None
        return cls(
            base_url=env.get("API_BASE_URL") or DEFAULT_API_BASE_URL,
            model=model,
            api_key=key,
            timeout_s=_number(env, "CASEOPS_MODEL_TIMEOUT", DEFAULT_TIMEOUT_S, float, 0.001),
            max_retries=_number(env, "CASEOPS_MODEL_RETRIES", DEFAULT_RETRIES, int, 0),
            max_calls=_number(env, "CASEOPS_MAX_MODEL_CALLS", DEFAULT_MAX_CALLS, int, 0),
            history_chars=_number(env, "CASEOPS_HISTORY_CHARS", DEFAULT_HISTORY_CHARS, int, 1),
        )


def _number(env: Mapping[str, str], name: str, default: Any, kind: Any, least: float) -> Any:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None
    if not value >= least:
        raise ValueError(f"{name} must be at least {least}, got {raw!r}")
    return value


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
    """Plays in-process against :class:`CaseOpsEnvironment` (store: ``service``'s, else
    CASEOPS_DATABASE_URL)."""

    def __init__(self, service: Any = None) -> None:
        from caseops.api.environment import CaseOpsEnvironment

        self.env = CaseOpsEnvironment(service=service)

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
        from pydantic import ValidationError

        from caseops.domain.actions import CaseAction

        try:
            act = CaseAction.model_validate(action)
        except ValidationError as e:
            raise ValueError(f"invalid action: {e.errors()[0]['msg']}") from None
        return self._wrap(self.client.step(act))

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
    """A deterministic heuristic support agent (reads only the observation).

    Plan: review the ticket; inspect every artifact; search every knowledge-base topic;
    take the policy that best matches what it has read as the one that applies; then do
    what that policy says: the queue, priority, escalation, fields to request and the
    resolution it points to; record the evidence in a note, reply with the macro for that
    resolution, and settle the case. Evidence already collected (by another policy that
    played earlier steps) is not gathered again.
    """

    def __init__(self) -> None:
        self.plan: list[tuple[str, dict[str, Any]]] = []  # (evidence id, action)
        self.artifacts: list[str] = []
        self.policies: dict[str, str] = {}
        self.ticket = ""
        self.phase = "start"
        self.last: dict[str, Any] = {}

    def act(self, obs: dict[str, Any]) -> dict[str, Any]:
        """The next action for ``obs``."""
        self._learn(obs)
        action = self._next(obs)
        self.last = action
        return action

    def _learn(self, obs: dict[str, Any]) -> None:
        """What has been read so far: from the observation's case file when it has one
        (then steps another policy played count too), else from the last tool result of
        the action this policy chose."""
        entries = obs.get("case_file")
        if entries is not None:
            self.ticket, self.artifacts, self.policies = "", [], {}
            for e in entries:
                kind, _, ref = str(e.get("evidence_id", "")).partition(":")
                title, content = e.get("title", ""), e.get("content", "")
                if kind == "ticket":
                    self.ticket = content
                elif kind == "artifact":  # as inspect_artifact and search_policy show them
                    self.artifacts.append(f"{title}\n{content}")
                elif kind == "policy":
                    self.policies[ref] = f"[{ref}] {title}\n{content}"
            return
        result = obs.get("last_tool_result") or ""
        last = self.last.get("action_type")
        if last == "review_ticket":
            self.ticket = result
        elif last == "inspect_artifact":
            self.artifacts.append(result)
        elif last == "search_policy" and result and not result.startswith("No policy"):
            self.policies[self.last.get("query", "")] = result

    def _next(self, obs: dict[str, Any]) -> dict[str, Any]:
        collected = set(obs.get("collected_evidence", []))
        while self.plan:  # skip what is already in the case file
            evidence, action = self.plan.pop(0)
            if evidence not in collected:
                return action
        if self.phase == "start":
            self.phase = "gather"
            self.plan = [
                (f"artifact:{a}", {"action_type": "inspect_artifact", "artifact_id": a})
                for a in obs.get("available_artifacts", [])
            ] + [
                (f"policy:{t}", {"action_type": "search_policy", "query": t.replace("_", " ")})
                for t in obs.get("policy_topics", [])[:3]
            ]
            if "ticket" not in collected:
                return {"action_type": "review_ticket"}
            return self._next(obs)
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
# What the model reads: the task statement and the observation as compact text.
# --------------------------------------------------------------------------------------
SYSTEM_PROMPT = (
    "You are a customer-support operations agent working one case in the CaseOps "
    "environment. The first user message states the task; each later one gives the "
    "observation after your last action, with the case file: the contents of every piece "
    "of evidence collected so far. Reply with exactly one action as a JSON object with an "
    "'action_type' and the fields it needs: review_ticket; inspect_artifact(artifact_id); "
    "search_policy(query); draft_reply(message); add_internal_note(note); "
    "classify(queue, priority, issue_type); request_info(requested_fields: list); "
    "escalate(queue); resolve(resolution_code); submit(resolution_code optional). Use only "
    "the allowed values the task lists and only the legal actions the observation lists. "
    "Gather evidence before deciding, follow the policies, and never promise what policy "
    "does not allow. Reply with JSON only."
)

#: What the model is told when its reply had no usable action (``{error}``: why).
PARSE_RETRY_PROMPT = (
    "Your reply could not be used: {error}. Reply with exactly one JSON object with an "
    '"action_type", for example {{"action_type": "review_ticket"}}, and nothing else.'
)

#: Characters of the last tool result in the newest turn, and in an older turn's line.
RESULT_CHARS = 1500
BRIEF_RESULT_CHARS = 160
#: Characters of a model reply echoed back with the parse error.
ECHOED_REPLY_CHARS = 1000
#: Characters of the summary of dropped turns (its newest part is kept).
SUMMARY_CHARS = 800


def _cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, an ellipsis marking a cut."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _listing(items: Any) -> str:
    return ", ".join(str(i) for i in items) or "none"


def render_task(obs: Mapping[str, Any]) -> str:
    """The task statement (what does not change during the episode) from the first
    observation: task id, objective, ticket, what can be inspected and searched, the
    allowed values of each field."""
    t = obs.get("ticket") or {}
    v = obs.get("vocabularies") or {}
    lines = [
        f"TASK task={obs.get('task_id', '')}",
        f"Objective: {obs.get('objective', '')}",
        "Ticket:",
        f"  subject: {t.get('subject', '')}",
        f"  from: {t.get('customer_name', '')} ({t.get('customer_tier', '')} tier, "
        f"via {t.get('channel', '')})",
        f"  affected users: {t.get('affected_users', '')}",
    ]
    if t.get("business_impact"):
        lines.append(f"  business impact: {t['business_impact']}")
    if t.get("secondary_concerns"):
        lines.append("  also mentioned: " + "; ".join(t["secondary_concerns"]))
    lines += [
        f"  message: {t.get('customer_message', '')}",
        f"Artifacts (inspect_artifact artifact_id): {_listing(obs.get('available_artifacts', []))}",
        f"Policy topics (search_policy query): {_listing(obs.get('policy_topics', []))}",
        "Allowed values:",
        f"  queue: {_listing(v.get('queues', []))}",
        f"  priority: {_listing(v.get('priorities', []))}",
        f"  issue_type: {_listing(v.get('issue_types', []))}",
        f"  resolution_code: {_listing(v.get('resolution_codes', []))}",
        f"  requested_fields: {_listing(v.get('requestable_fields', []))}",
    ]
    return "\n".join(lines)


def _score_text(obs: Mapping[str, Any]) -> str:
    score = obs.get("current_score")
    return "n/a" if score is None else f"{float(score):.3f}"


def _head(obs: Mapping[str, Any]) -> str:
    case = obs.get("case") or {}
    done = " done" if obs.get("done") else ""
    return (
        f"OBSERVATION step={obs.get('step', 0)} remaining_steps={obs.get('remaining_steps', 0)} "
        f"status={case.get('status', '')} score={_score_text(obs)}{done}"
    )


def render_observation(obs: Mapping[str, Any], note: str | None = None) -> str:
    """The whole observation as compact text: the step line, the case record, the legal
    actions, the last result or error, and the case file (every entry's title and
    content, as the environment bounds them)."""
    case = obs.get("case") or {}
    ticket = obs.get("ticket") or {}

    def val(key: str) -> str:
        return str(case.get(key) or "-")

    lines = [f"Note: {note}"] if note else []
    lines += [
        _head(obs),
        f"Case: queue={val('queue')} priority={val('priority')} "
        f"issue_type={val('issue_type')} escalated_to={val('escalated_to')} "
        f"resolution_code={val('resolution_code')}",
        f"Requested fields: {_listing(case.get('requested_fields', []))}; "
        f"SLA minutes left: {ticket.get('sla_minutes_remaining', '')}",
        f"Reply draft: {_cut(_one_line(case.get('drafted_reply') or '-'), 300)}",
        f"Internal notes: {len(case.get('internal_notes') or [])}",
        f"Legal actions: {_listing(obs.get('legal_actions', []))}",
    ]
    if obs.get("last_action_error"):
        lines.append(f"Last error: {obs['last_action_error']}")
    if obs.get("last_tool_result"):
        lines.append(f"Last result: {_cut(obs['last_tool_result'], RESULT_CHARS)}")
    entries = obs.get("case_file")
    if entries is None:  # a server without the case file: the evidence ids only
        lines.append(f"Evidence collected: {_listing(obs.get('collected_evidence', []))}")
    else:
        lines.append(f"CASE FILE ({len(entries)} entries)")
        for e in entries:
            cut = " [truncated]" if e.get("truncated") else ""
            lines.append(f"[{e.get('evidence_id', '')}] {e.get('title', '')}{cut}")
            lines.append(str(e.get("content", "")))
    return "\n".join(lines)


def render_brief(obs: Mapping[str, Any], note: str | None = None) -> str:
    """One line for an older turn: the step line, the start of the result, any error."""
    parts = [_head(obs)]
    if note:
        parts.insert(0, f"Note: {note}")
    if obs.get("last_action_error"):
        parts.append(f"error: {_cut(_one_line(obs['last_action_error']), BRIEF_RESULT_CHARS)}")
    elif obs.get("last_tool_result"):
        parts.append(f"result: {_cut(_one_line(obs['last_tool_result']), BRIEF_RESULT_CHARS)}")
    return " | ".join(parts)


def _action_brief(action: Mapping[str, Any]) -> str:
    kind = str(action.get("action_type", "?"))
    for key in ("artifact_id", "query", "queue", "resolution_code"):
        if action.get(key):
            return f"{kind}({action[key]})"
    return kind


@dataclass(frozen=True)
class _Turn:
    step: int
    action: dict[str, Any]
    full: str
    brief: str


class Conversation:
    """The messages of one task (module docstring: the shape and the history policy).

    ``budget`` is in characters of message content.
    """

    def __init__(self, task: str, first_obs: Mapping[str, Any], budget: int) -> None:
        self.task = task
        self.first_full = render_observation(first_obs)
        self.first_brief = render_brief(first_obs)
        self.budget = budget
        self.turns: list[_Turn] = []

    def add(self, action: dict[str, Any], obs: Mapping[str, Any], note: str | None) -> None:
        """Record the action played (whoever chose it) and the observation after it."""
        self.turns.append(
            _Turn(
                int(obs.get("step", len(self.turns) + 1)),
                action,
                render_observation(obs, note),
                render_brief(obs, note),
            )
        )

    def _build(self, first_kept: int) -> list[dict[str, str]]:
        turns = self.turns
        first = self.task + "\n\n" + (self.first_brief if turns else self.first_full)
        if first_kept:
            dropped = turns[:first_kept]
            done = "; ".join(f"{t.step} {_action_brief(t.action)}" for t in dropped)
            first += (
                f"\n\n[Steps {dropped[0].step}-{dropped[-1].step} are left out to keep this "
                "conversation short; the case file holds what they found. Actions: "
                + done[-SUMMARY_CHARS:]
                + "]"
            )
        messages = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": first},
        ]
        last = len(turns) - 1
        for i in range(first_kept, len(turns)):
            t = turns[i]
            messages.append(
                {"role": "assistant", "content": json.dumps(t.action, ensure_ascii=False)}
            )
            messages.append({"role": "user", "content": t.full if i == last else t.brief})
        return messages

    def request(self) -> list[dict[str, str]]:
        """The messages to send now: as many of the newest turns as the budget allows
        (always the newest one)."""
        first_kept = 0
        while True:
            messages = self._build(first_kept)
            if first_kept >= len(self.turns) - 1 or size(messages) <= self.budget:
                return messages
            first_kept += 1


def size(messages: list[dict[str, str]]) -> int:
    """The characters of message content in ``messages`` (what the budget counts)."""
    return sum(len(m["content"]) for m in messages)


# --------------------------------------------------------------------------------------
# The model: an OpenAI-compatible chat endpoint.
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reply:
    """One chat completion: its text and, when the server reported usage, its tokens."""

    text: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class ChatClient(Protocol):
    """What the model policy needs of a chat endpoint."""

    http_requests: int

    def complete(self, messages: list[dict[str, str]]) -> Reply: ...

    def close(self) -> None: ...


class OpenAIChat:
    """A chat endpoint through the ``openai`` client (its timeout and retries: module
    docstring). ``http_requests`` counts the HTTP requests sent, retries included."""

    def __init__(self, config: ModelConfig) -> None:
        from openai import DefaultHttpxClient, OpenAI

        self.config = config
        self.http_requests = 0
        self._http = DefaultHttpxClient(event_hooks={"request": [self._count]})
        self._client = OpenAI(
            base_url=config.base_url,
            api_key=config.api_key,
            timeout=config.timeout_s,
            max_retries=config.max_retries,
            http_client=self._http,
        )

    def _count(self, request: Any) -> None:
        self.http_requests += 1

    def complete(self, messages: list[dict[str, str]]) -> Reply:
        """One chat completion (temperature 0).

        Raises:
            openai.APIError: when the call fails after the retries (a timeout, a refused
                connection, an error status).
        """
        resp = self._client.chat.completions.create(
            model=self.config.model,
            messages=messages,  # type: ignore[arg-type]
            temperature=0.0,
            max_tokens=MAX_COMPLETION_TOKENS,
        )
        text = (resp.choices[0].message.content or "") if resp.choices else ""
        usage = resp.usage
        return Reply(
            text,
            usage.prompt_tokens if usage else None,
            usage.completion_tokens if usage else None,
        )

    def close(self) -> None:
        self._client.close()


def make_llm(environ: Mapping[str, str] | None = None) -> OpenAIChat | None:
    """A chat client from the environment, or ``None`` when no model or key is set."""
    config = ModelConfig.from_env(environ)
    return None if config is None else OpenAIChat(config)


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


@dataclass
class TaskStats:
    """What one task cost and how often the model's turn went to the fallback."""

    task_id: str
    model_calls: int = 0
    http_requests: int = 0
    call_failures: int = 0
    parse_failures: int = 0
    invalid_actions: int = 0
    fallback_steps: int = 0
    prompt_tokens: int | None = None
    completion_tokens: int | None = None

    def add_usage(self, reply: Reply) -> None:
        if reply.prompt_tokens is not None:
            self.prompt_tokens = (self.prompt_tokens or 0) + reply.prompt_tokens
        if reply.completion_tokens is not None:
            self.completion_tokens = (self.completion_tokens or 0) + reply.completion_tokens

    def merge(self, other: TaskStats) -> None:
        """Add ``other``'s counts to these (the run's total)."""
        for name in (
            "model_calls",
            "http_requests",
            "call_failures",
            "parse_failures",
            "invalid_actions",
            "fallback_steps",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.add_usage(Reply("", other.prompt_tokens, other.completion_tokens))

    def line(self, label: str) -> str:
        """``[stats] <label> key=value ...`` (``n/a``: no usage was reported)."""

        def tok(v: int | None) -> str:
            return "n/a" if v is None else str(v)

        return (
            f"[stats] {label} model_calls={self.model_calls} "
            f"http_requests={self.http_requests} call_failures={self.call_failures} "
            f"parse_failures={self.parse_failures} invalid_actions={self.invalid_actions} "
            f"fallback_steps={self.fallback_steps} prompt_tokens={tok(self.prompt_tokens)} "
            f"completion_tokens={tok(self.completion_tokens)}"
        )


class ModelPolicy:
    """The language-model policy: keeps the conversation, calls the model, parses its
    action; ``None`` from :meth:`propose` means the fallback plays the step.

    One instance per run: ``max_calls`` bounds the calls of the whole run.
    """

    def __init__(self, chat: ChatClient, max_calls: int, history_chars: int) -> None:
        self.chat = chat
        self.max_calls = max_calls
        self.history_chars = history_chars
        self.calls = 0
        self.capped = False
        self.conversation: Conversation | None = None
        self.failures_in_a_row = 0
        self.sitting_out = False

    def begin(self, first_obs: Mapping[str, Any]) -> None:
        """Start a task's conversation from its first observation."""
        self.conversation = Conversation(render_task(first_obs), first_obs, self.history_chars)
        self.failures_in_a_row = 0
        self.sitting_out = False

    def record(self, action: dict[str, Any], obs: Mapping[str, Any], note: str | None) -> None:
        """Add the action played and the observation after it to the conversation."""
        if self.conversation is not None:
            self.conversation.add(action, obs, note)

    def _call(self, messages: list[dict[str, str]], stats: TaskStats) -> Reply | None:
        if self.sitting_out:
            return None
        if self.calls >= self.max_calls:
            if not self.capped:
                self.capped = True
                log(f"model call cap reached ({self.max_calls} per run); the fallback plays on")
            return None
        self.calls += 1
        stats.model_calls += 1
        before = self.chat.http_requests
        try:
            reply = self.chat.complete(messages)
        except Exception as e:  # a timeout, a refused connection, an error status
            stats.call_failures += 1
            self.failures_in_a_row += 1
            log(f"model call failed ({type(e).__name__}: {_cut(_one_line(str(e)), 300)})")
            if self.failures_in_a_row >= FAILURES_BEFORE_FALLBACK:
                self.sitting_out = True
                log(f"{self.failures_in_a_row} failed calls in a row: the fallback plays the task")
            return None
        finally:
            stats.http_requests += self.chat.http_requests - before
        self.failures_in_a_row = 0
        stats.add_usage(reply)
        return reply

    def propose(self, stats: TaskStats) -> tuple[dict[str, Any] | None, str | None]:
        """The model's action for the current turn, or ``(None, why)``."""
        if self.conversation is None:
            return None, "no conversation"
        messages = self.conversation.request()
        reply = self._call(messages, stats)
        if reply is None:
            return None, "the model could not be called"
        try:
            return parse_action(reply.text), None
        except ValueError as e:
            stats.parse_failures += 1
            error = str(e)
        retry = [
            *messages,
            {"role": "assistant", "content": _cut(reply.text, ECHOED_REPLY_CHARS) or "(empty)"},
            {"role": "user", "content": PARSE_RETRY_PROMPT.format(error=error)},
        ]
        reply = self._call(retry, stats)
        if reply is None:
            return None, f"the reply could not be parsed ({error})"
        try:
            return parse_action(reply.text), None
        except ValueError as e:
            stats.parse_failures += 1
            return None, f"the reply could not be parsed twice ({e})"


# --------------------------------------------------------------------------------------
# The episode loop.
# --------------------------------------------------------------------------------------
def _fmt_bool(b: bool) -> str:
    return "true" if b else "false"


def _score(obs: Mapping[str, Any], previous: float) -> float:
    """The episode's score as the observation shows it: ``current_score``, else the grade
    report's (a reward mode that scores only at the end), else ``previous``."""
    score = obs.get("current_score")
    if score is None:
        score = (obs.get("grade_report") or {}).get("score")
    return previous if score is None else float(score)


def play(
    env: Any, task_id: str, model: ModelPolicy | None, model_name: str = "fallback"
) -> tuple[float, TaskStats]:
    """Play one task, printing the protocol lines; returns the final score and what the
    task cost (also printed on stderr as its ``[stats]`` line)."""
    print(f"[START] task={task_id} env=caseops model={model_name}", flush=True)
    stats = TaskStats(task_id)
    rewards: list[float] = []
    steps = 0
    score = 0.0
    done = False
    fallback = FallbackPolicy()
    try:
        data = env.reset(task_id)
        obs = data["observation"]
        score = _score(obs, score)
        if model is not None:
            model.begin(obs)
        budget = int(obs.get("remaining_steps", 20))
        while not done and steps < budget + 2:
            action: dict[str, Any] | None = None
            note: str | None = None
            if model is not None:
                action, why = model.propose(stats)
                if action is None:
                    note = f"the fallback policy chose this action: {why}"
            if action is None:
                action = fallback.act(obs)
                stats.fallback_steps += 1
            error: str | None = None
            try:
                data = env.step(action)
            except ValueError as e:
                if note is not None or model is None:
                    raise  # the fallback's own action was refused: a bug, end the task
                error = str(e)
                stats.invalid_actions += 1
                stats.fallback_steps += 1
                refused = json.dumps(action, ensure_ascii=False)
                note = (
                    f"your action {_cut(refused, 300)} was refused ({error}); "
                    "the fallback policy chose the action above instead"
                )
                action = fallback.act(obs)
                data = env.step(action)
            steps += 1
            obs = data["observation"]
            reward = float(data.get("reward") or 0.0)
            done = bool(data.get("done"))
            rewards.append(reward)
            score = _score(obs, score)
            if model is not None:
                model.record(action, obs, note)
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
        log(stats.line(f"task={task_id}"))
    return score, stats


def task_ids(split: str, limit: int) -> list[str]:
    """The tasks to play, in a fixed order."""
    from caseops.cases.catalog import task_refs

    ids = list(task_refs(None if split in ("", "seed") else split))
    return ids[:limit] if limit > 0 else ids


def run(
    env: Any, tasks: list[str], chat: ChatClient | None, config: ModelConfig | None
) -> list[float]:
    """Play ``tasks`` in order on ``env`` with the model behind ``chat`` (``None``: the
    fallback alone); prints the protocol lines and the ``[stats]`` lines; returns the
    scores."""
    model = None
    if chat is not None and config is not None:
        model = ModelPolicy(chat, config.max_calls, config.history_chars)
    name = config.model if model is not None and config is not None else "fallback"
    log(f"policy: {'model ' + name if model else 'fallback (no credentials)'}")
    scores: list[float] = []
    total = TaskStats("total")
    for tid in tasks:
        score, stats = play(env, tid, model, name)
        scores.append(score)
        total.merge(stats)
    log(total.line("total"))
    if scores:
        log(f"mean score {sum(scores) / len(scores):.3f} over {len(scores)} tasks")
    return scores


def main(argv: list[str] | None = None) -> int:
    """Run the baseline over the chosen tasks; returns the process exit code (2: a bad
    setting)."""
    parser = argparse.ArgumentParser(description="CaseOps baseline agent")
    parser.add_argument("--split", default=os.environ.get("CASEOPS_SPLIT", "seed"))
    parser.add_argument("--limit", type=int, default=int(os.environ.get("CASEOPS_LIMIT", "0")))
    args = parser.parse_args(argv)
    try:
        config = ModelConfig.from_env()
    except ValueError as e:
        log(f"bad setting: {e}")
        return 2
    base = os.environ.get("ENV_BASE_URL")
    image = os.environ.get("LOCAL_IMAGE_NAME")
    env: Any
    if base:
        env = HttpEnv(base)
    elif image:
        env = DockerEnv(image)
    else:
        env = LocalEnv()
    chat = OpenAIChat(config) if config is not None else None
    try:
        run(env, task_ids(args.split, args.limit), chat, config)
    finally:
        env.close()
        if chat is not None:
            chat.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
