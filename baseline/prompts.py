"""What the model reads: the system prompt, the task statement, each observation as
compact text, and the conversation under its history budget (:mod:`caseops.baseline`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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


def cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, an ellipsis marking a cut."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def one_line(text: str) -> str:
    """``text`` with each run of whitespace as one space."""
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
        f"Reply draft: {cut(one_line(case.get('drafted_reply') or '-'), 300)}",
        f"Internal notes: {len(case.get('internal_notes') or [])}",
        f"Legal actions: {_listing(obs.get('legal_actions', []))}",
    ]
    if obs.get("last_action_error"):
        lines.append(f"Last error: {obs['last_action_error']}")
    if obs.get("last_tool_result"):
        lines.append(f"Last result: {cut(obs['last_tool_result'], RESULT_CHARS)}")
    entries = obs.get("case_file")
    if entries is None:  # a server without the case file: the evidence ids only
        lines.append(f"Evidence collected: {_listing(obs.get('collected_evidence', []))}")
    else:
        lines.append(f"CASE FILE ({len(entries)} entries)")
        for e in entries:
            mark = " [truncated]" if e.get("truncated") else ""
            lines.append(f"[{e.get('evidence_id', '')}] {e.get('title', '')}{mark}")
            lines.append(str(e.get("content", "")))
    return "\n".join(lines)


def render_brief(obs: Mapping[str, Any], note: str | None = None) -> str:
    """One line for an older turn: the step line, the start of the result, any error."""
    parts = [_head(obs)]
    if note:
        parts.insert(0, f"Note: {note}")
    if obs.get("last_action_error"):
        parts.append(f"error: {cut(one_line(obs['last_action_error']), BRIEF_RESULT_CHARS)}")
    elif obs.get("last_tool_result"):
        parts.append(f"result: {cut(one_line(obs['last_tool_result']), BRIEF_RESULT_CHARS)}")
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
