"""``evolve``: fold one event into the case record. Pure; never fails on a valid log."""

from __future__ import annotations

from typing import Any

from caseops.canonical import canonical_json
from caseops.domain.events import (
    ActionInvalid,
    CaseClassified,
    CaseEscalated,
    CaseResolved,
    CaseSubmitted,
    CustomerReplied,
    EpisodeEnded,
    EpisodeStarted,
    Event,
    InfoRequested,
    InternalNoteAdded,
    ReplyDrafted,
    SlaBreached,
    StepEvent,
    TransitionRejected,
)
from caseops.domain.grading.evidence import evidence_key
from caseops.domain.score import Score
from caseops.domain.state import CaseRecord, replace_record


def _add(items: tuple[str, ...], *new: str) -> tuple[str, ...]:
    out = list(items)
    for n in new:
        if n not in out:
            out.append(n)
    return tuple(out)


def evolve(record: CaseRecord, event: Event) -> CaseRecord:
    """Return the record after ``event`` (the input is not modified).

    ``version`` advances by one per event, so after folding a stream it equals the
    stream's version.
    """
    version = record.version + 1
    if isinstance(event, EpisodeStarted):
        ticket = event.scenario["ticket"]
        return CaseRecord(
            episode_id=event.episode_id,
            task_id=event.task_id,
            step_budget=event.step_budget,
            reward_mode=event.reward_mode,
            sla_minutes_remaining=int(ticket["sla_minutes"]),
            minutes_per_step=int(event.scenario.get("minutes_per_step", 0)),
            score=Score.parse(event.start_score),
            version=version,
        )
    if isinstance(event, StepEvent):
        reward = Score.parse(event.reward)
        changes: dict[str, Any] = {
            "version": version,
            "steps_taken": event.step,
            "status": event.to_state,
            "last_tool_result": event.result,
            "last_action_error": None,
            "last_reward": reward,
            "score": Score.parse(event.score),
            "total_reward": record.total_reward + reward,
            "sla_minutes_remaining": record.sla_minutes_remaining - record.minutes_per_step,
        }
        if isinstance(event, TransitionRejected | ActionInvalid):
            changes["last_action_error"] = event.reason
            changes["last_tool_result"] = None
            changes["rejected_actions"] = record.rejected_actions + 1
            return replace_record(record, **changes)
        changes["seen_actions"] = record.seen_actions | {canonical_json(event.action)}
        key = evidence_key(type(event).__name__, event.__dict__)
        if key is not None:
            changes["evidence"] = _add(record.evidence, key)
        elif isinstance(event, ReplyDrafted):
            changes["drafted_reply"] = event.message
        elif isinstance(event, InternalNoteAdded):
            changes["internal_notes"] = (*record.internal_notes, event.note)
        elif isinstance(event, CaseClassified):
            changes.update(queue=event.queue, priority=event.priority, issue_type=event.issue_type)
        elif isinstance(event, InfoRequested):
            changes["requested_fields"] = _add(record.requested_fields, *event.requested_fields)
            changes["status_before_wait"] = event.from_state
        elif isinstance(event, CaseEscalated):
            changes.update(queue=event.queue, escalated_to=event.queue)
        elif isinstance(event, CaseResolved) or (
            isinstance(event, CaseSubmitted) and event.resolution_code is not None
        ):
            changes["resolution_code"] = event.resolution_code
        return replace_record(record, **changes)
    if isinstance(event, CustomerReplied):
        answers = dict(record.customer_answers)
        answers.update(event.answers)
        said = "; ".join(f"{k}: {v}" for k, v in event.answers.items())
        text = f"Customer replied: {said}"
        if event.unanswered:
            text += " (could not provide: " + ", ".join(event.unanswered) + ")"
        prior = record.last_tool_result
        return replace_record(
            record,
            version=version,
            status=event.to_state,
            status_before_wait=None,
            customer_answers=tuple(sorted(answers.items())),
            last_tool_result=f"{prior}\n{text}" if prior else text,
        )
    if isinstance(event, SlaBreached):
        return replace_record(record, version=version, sla_breached=True)
    if isinstance(event, EpisodeEnded):
        return replace_record(record, version=version, done=True, end_reason=event.reason)
    return replace_record(record, version=version)
