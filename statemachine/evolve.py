"""``evolve``: fold one event into the case record. Pure; never fails on a valid log."""

from __future__ import annotations

import operator
from dataclasses import fields
from typing import Any

from caseops.domain.canonical import canonical_json
from caseops.domain.events import (
    ActionInvalid,
    ArtifactInspected,
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
    PolicySearched,
    ReplyDrafted,
    SlaBreached,
    StepEvent,
    TicketReviewed,
    TransitionRejected,
)
from caseops.domain.grader import fmt_scaled, parse_scaled
from caseops.domain.state import CaseRecord

_FIELDS = tuple(f.name for f in fields(CaseRecord))
_FIELDS_SET = frozenset(_FIELDS)
_all_fields = operator.attrgetter(*_FIELDS)  # every field's value, in order, in one C call
# ``replace`` copies every field through its slot: no field may need ``__init__`` work.
if not all(f.init for f in fields(CaseRecord)) or hasattr(CaseRecord, "__post_init__"):
    raise TypeError("CaseRecord fields must be plain init fields (statemachine.evolve.replace)")


#: Each field's slot setter (``CaseRecord`` has ``__slots__``), in field order.
_SETTERS = tuple(getattr(CaseRecord, name).__set__ for name in _FIELDS)
_SETTER = dict(zip(_FIELDS, _SETTERS, strict=True))
_new_record = object.__new__


def replace(record: CaseRecord, **changes: Any) -> CaseRecord:
    """``dataclasses.replace`` for :class:`CaseRecord`, through the slots (it runs once
    per event: the generic one introspects the fields on every call, and the frozen
    ``__init__`` goes through ``object.__setattr__`` for each of them).

    Raises:
        TypeError: a change names no field of the record.
    """
    out = _new_record(CaseRecord)
    for set_field, value in zip(_SETTERS, _all_fields(record), strict=True):
        set_field(out, value)
    try:
        for name, value in changes.items():
            _SETTER[name](out, value)
    except KeyError:
        unknown = sorted(changes.keys() - _FIELDS_SET)
        raise TypeError(f"CaseRecord has no field(s) {unknown}") from None
    return out


def _add_decimal(a: str, b: str) -> str:
    """The sum of two recorded decimals, each read to ``QUANTUM`` places (exactly
    ``fmt(parse_exact(a) + parse_exact(b))`` for what :func:`fmt` writes)."""
    return fmt_scaled(parse_scaled(a) + parse_scaled(b))


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
            score=event.start_score,
            version=version,
        )
    if isinstance(event, StepEvent):
        changes: dict[str, object] = {
            "version": version,
            "steps_taken": event.step,
            "status": event.to_state,
            "last_tool_result": event.result,
            "last_action_error": None,
            "last_reward": event.reward,
            "score": event.score,
            "total_reward": _add_decimal(record.total_reward, event.reward),
            "sla_minutes_remaining": record.sla_minutes_remaining - record.minutes_per_step,
        }
        if isinstance(event, TransitionRejected | ActionInvalid):
            changes["last_action_error"] = event.reason
            changes["last_tool_result"] = None
            changes["rejected_actions"] = record.rejected_actions + 1
            return replace(record, **changes)
        changes["seen_actions"] = record.seen_actions | {canonical_json(event.action)}
        if isinstance(event, TicketReviewed):
            changes["evidence"] = _add(record.evidence, "ticket")
        elif isinstance(event, ArtifactInspected):
            changes["evidence"] = _add(record.evidence, f"artifact:{event.artifact_id}")
        elif isinstance(event, PolicySearched):
            if event.topic is not None:
                changes["evidence"] = _add(record.evidence, f"policy:{event.topic}")
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
        return replace(record, **changes)
    if isinstance(event, CustomerReplied):
        answers = dict(record.customer_answers)
        answers.update(event.answers)
        said = "; ".join(f"{k}: {v}" for k, v in event.answers.items())
        text = f"Customer replied: {said}"
        if event.unanswered:
            text += " (could not provide: " + ", ".join(event.unanswered) + ")"
        prior = record.last_tool_result
        return replace(
            record,
            version=version,
            status=event.to_state,
            status_before_wait=None,
            customer_answers=tuple(sorted(answers.items())),
            last_tool_result=f"{prior}\n{text}" if prior else text,
        )
    if isinstance(event, SlaBreached):
        return replace(record, version=version, sla_breached=True)
    if isinstance(event, EpisodeEnded):
        return replace(record, version=version, done=True, end_reason=event.reason)
    return replace(record, version=version)
