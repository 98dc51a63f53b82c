"""``decide``: the pure command handler of the case machine.

``decide(scenario, record, action)`` returns the events one agent step produces, in
order: exactly one step event (the action's outcome, possibly a ``TransitionRejected`` or
``ActionInvalid``), then any system events it causes (``CustomerReplied``,
``SlaBreached``, ``EpisodeEnded``). Rewards are stamped later by
:func:`caseops.statemachine.engine.apply_step`. No I/O, no clock, no randomness.
"""

from __future__ import annotations

import re
from typing import Any

from caseops.canonical import canonical_json
from caseops.domain.actions import MAX_REPLY_CHARS, CaseAction
from caseops.domain.errors import EpisodeAlreadyEnded
from caseops.domain.events import (
    ActionInvalid,
    ArtifactInspected,
    CaseClassified,
    CaseEscalated,
    CaseResolved,
    CaseSubmitted,
    CustomerReplied,
    EpisodeEnded,
    Event,
    InfoRequested,
    InternalNoteAdded,
    PolicySearched,
    ReplyDrafted,
    SlaBreached,
    StepEvent,
    TicketReviewed,
    TransitionRejected,
)
from caseops.domain.judge.phrases import phrase_in
from caseops.domain.scenario import Scenario
from caseops.domain.state import CaseRecord

from .machine import CUSTOMER_REPLIES, MACHINE, OPEN_STATES, destination, legal_actions


def _sources(trigger: str) -> list[str]:
    return [s for s in OPEN_STATES if MACHINE.get_transitions(trigger=trigger, source=s)]


def _rejection_reason(trigger: str, status: str) -> str:
    allowed = _sources(trigger)
    where = ", ".join(allowed) if allowed else "no state"
    return f"'{trigger}' is not allowed while the case is {status}; it needs the case {where}"


def render_ticket(scenario: Scenario) -> str:
    """The full ticket as ``review_ticket`` returns it (plain text)."""
    t = scenario.ticket
    lines = [
        f"Subject: {t.subject}",
        f"From: {t.customer_name} ({t.customer_tier} tier, via {t.channel})",
        f"Affected users: {t.affected_users}",
        f"SLA to first response: {t.sla_minutes} minutes",
    ]
    if t.business_impact:
        lines.append(f"Business impact: {t.business_impact}")
    if t.secondary_concerns:
        lines.append("Also mentioned: " + "; ".join(t.secondary_concerns))
    lines.append("")
    lines.append(t.customer_message)
    return "\n".join(lines)


_TOKEN = re.compile(r"[a-z0-9]+")


def match_policy(scenario: Scenario, query: str) -> str | None:
    """The knowledge-base topic a search ``query`` finds, or ``None``.

    Scoring: the topic id itself (``damaged_items`` or "damaged items") counts 10, all the
    words of the topic id 5, each of the policy's keywords found in the query 1. Highest
    score wins; ties go to the first topic in the scenario's order.
    """
    q = " ".join(_TOKEN.findall(query.lower()))
    if not q:
        return None
    tokens = set(q.split())
    best: str | None = None
    best_score = 0
    for topic, policy in scenario.policies.items():
        words = topic.lower().replace("-", "_").split("_")
        score = 0
        if phrase_in(" ".join(words), q):
            score += 10
        elif set(words) <= tokens:
            score += 5
        score += sum(1 for k in policy.keywords if phrase_in(k, q))
        if score > best_score:
            best, best_score = topic, score
    return best


def _invalid(scenario: Scenario, record: CaseRecord, action: CaseAction) -> str | None:
    """Why a legal trigger cannot be carried out, or ``None`` when it can."""
    a = action.action_type
    if a == "inspect_artifact":
        if not action.artifact_id:
            return "inspect_artifact needs artifact_id"
        if action.artifact_id not in scenario.artifacts:
            known = ", ".join(scenario.artifacts) or "none"
            return f"unknown artifact_id {action.artifact_id!r}; available: {known}"
    elif a == "search_policy":
        if not action.query or not action.query.strip():
            return "search_policy needs a non-empty query"
    elif a == "draft_reply":
        if not action.message or not action.message.strip():
            return "draft_reply needs a non-empty message"
        if len(action.message) > MAX_REPLY_CHARS:
            return f"reply is {len(action.message)} characters; the limit is {MAX_REPLY_CHARS}"
    elif a == "add_internal_note":
        if not action.note or not action.note.strip():
            return "add_internal_note needs a non-empty note"
        if len(action.note) > MAX_REPLY_CHARS:
            return f"note is {len(action.note)} characters; the limit is {MAX_REPLY_CHARS}"
    elif a == "classify":
        missing = [f for f in ("queue", "priority", "issue_type") if getattr(action, f) is None]
        if missing:
            return "classify needs " + ", ".join(missing)
    elif a == "request_info":
        if not action.requested_fields:
            return "request_info needs requested_fields (1 to 10 fields)"
    elif a == "escalate":
        if action.queue is None:
            return "escalate needs queue (the team to escalate to)"
    elif a == "resolve" and action.resolution_code is None:
        return "resolve needs resolution_code"
    return None


def _outcome(scenario: Scenario, record: CaseRecord, action: CaseAction, step: int) -> StepEvent:
    a = action.action_type
    frm = record.status
    sent = action.payload()
    common: dict[str, Any] = {
        "step": step,
        "action": sent,
        "from_state": frm,
        # ``action.fingerprint()``, from the payload already made
        "repeated": canonical_json(sent) in record.seen_actions,
    }
    legal = legal_actions(frm)
    if a not in legal:
        return TransitionRejected(
            **common,
            to_state=frm,
            attempted=a,
            reason=_rejection_reason(a, frm),
            legal_actions=list(legal),
            result="rejected",
        )
    problem = _invalid(scenario, record, action)
    if problem is not None:
        return ActionInvalid(**common, to_state=frm, attempted=a, reason=problem, result="invalid")
    to = destination(a, frm)
    if a == "review_ticket":
        return TicketReviewed(**common, to_state=to, result=render_ticket(scenario))
    if a == "inspect_artifact":
        assert action.artifact_id is not None
        art = scenario.artifacts[action.artifact_id]
        return ArtifactInspected(
            **common,
            to_state=to,
            artifact_id=action.artifact_id,
            result=f"{art.title}\n{art.content}",
        )
    if a == "search_policy":
        assert action.query is not None
        topic = match_policy(scenario, action.query)
        if topic is None:
            topics = ", ".join(scenario.policies) or "none"
            text = f"No policy matched {action.query!r}. Topics: {topics}"
        else:
            pol = scenario.policies[topic]
            text = f"[{topic}] {pol.title}\n{pol.content}"
        return PolicySearched(**common, to_state=to, query=action.query, topic=topic, result=text)
    if a == "draft_reply":
        assert action.message is not None
        return ReplyDrafted(
            **common,
            to_state=to,
            message=action.message,
            result=f"Reply draft saved ({len(action.message)} characters).",
        )
    if a == "add_internal_note":
        assert action.note is not None
        return InternalNoteAdded(**common, to_state=to, note=action.note, result="Note added.")
    if a == "classify":
        assert action.queue and action.priority and action.issue_type
        return CaseClassified(
            **common,
            to_state=to,
            queue=action.queue,
            priority=action.priority,
            issue_type=action.issue_type,
            result=(
                f"Routed to {action.queue}, priority {action.priority}, "
                f"issue type {action.issue_type}."
            ),
        )
    if a == "request_info":
        fields = list(dict.fromkeys(action.requested_fields or []))
        return InfoRequested(
            **common,
            to_state=to,
            requested_fields=fields,
            result="Asked the customer for: " + ", ".join(fields) + ".",
        )
    if a == "escalate":
        assert action.queue is not None
        return CaseEscalated(
            **common, to_state=to, queue=action.queue, result=f"Escalated to {action.queue}."
        )
    if a == "resolve":
        assert action.resolution_code is not None
        return CaseResolved(
            **common,
            to_state=to,
            resolution_code=action.resolution_code,
            result=f"Resolved with {action.resolution_code}.",
        )
    # submit
    return CaseSubmitted(
        **common,
        to_state=to,
        resolution_code=action.resolution_code,
        result=f"Case handed off as {frm}.",
    )


def decide(scenario: Scenario, record: CaseRecord, action: CaseAction) -> list[Event]:
    """The events one agent step produces (unstamped: reward, score and cost are "0").

    Args:
        scenario: the case being worked (its facts; the gold is not consulted).
        record: the case state folded from the stream so far.
        action: the agent's action (already schema-valid).

    Returns:
        ``[step_event, *system_events]``.

    Raises:
        EpisodeAlreadyEnded: when the episode is over (nothing may be appended).
    """
    if record.done:
        raise EpisodeAlreadyEnded(
            f"episode {record.episode_id} has ended ({record.end_reason}); reset to start another"
        )
    step = record.steps_taken + 1
    first = _outcome(scenario, record, action, step)
    events: list[Event] = [first]
    status = first.to_state

    if isinstance(first, InfoRequested):
        asked = first.requested_fields
        known = scenario.customer.answers
        answers: dict[str, str] = {f: str(known[f]) for f in asked if f in known}  # type: ignore[index]
        if answers:
            missing = [f for f in asked if f not in answers]
            # The case goes back to the state it left only once everything asked is
            # answered; a partial answer is recorded but the case keeps waiting.
            back = status if missing else destination(CUSTOMER_REPLIES, status, record.status)
            events.append(
                CustomerReplied(
                    step=step,
                    answers=answers,
                    unanswered=missing,
                    from_state=status,
                    to_state=back,
                )
            )
            status = back
        else:
            events[0] = first.model_copy(
                update={"result": f"{first.result}\n{scenario.customer.unanswered_reply}"}
            )

    remaining = record.sla_minutes_remaining - record_minutes_per_step(record)
    if remaining <= 0 and not record.sla_breached:
        events.append(SlaBreached(step=step, minutes_over=-remaining))

    if isinstance(first, CaseResolved):
        events.append(EpisodeEnded(step=step, reason="resolved", final_status=status))
    elif isinstance(first, CaseSubmitted):
        events.append(EpisodeEnded(step=step, reason="submitted", final_status=status))
    elif step >= record.step_budget:
        events.append(EpisodeEnded(step=step, reason="step_budget", final_status=status))
    return events


def record_minutes_per_step(record: CaseRecord) -> int:
    """SLA minutes one step spends for this episode."""
    return record.minutes_per_step
