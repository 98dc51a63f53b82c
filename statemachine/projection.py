"""Projections of the case record: the agent's observation and the public state.

Pure functions of (scenario, record). They read only the scenario's agent-facing parts
(ticket, artifact ids, policy topics) and never its gold; the grade report is attached
only once the episode is done.
"""

from __future__ import annotations

from functools import lru_cache

from caseops.domain.grader import SCALE, GradeReport, parse_exact, parse_scaled
from caseops.domain.observation import (
    CaseObservation,
    CaseState,
    CaseView,
    TicketView,
    Vocabularies,
)
from caseops.domain.scenario import Scenario
from caseops.domain.state import CaseRecord
from caseops.domain.trusted import trusted
from caseops.domain.vocab import (
    ISSUE_TYPES,
    PRIORITIES,
    QUEUES,
    REQUESTABLE_FIELDS,
    RESOLUTION_CODES,
)

from .machine import legal_actions


@lru_cache(maxsize=1)
def vocabularies() -> Vocabularies:
    """The closed vocabularies, the same for every case."""
    return Vocabularies(
        queues=list(QUEUES),
        priorities=list(PRIORITIES),
        issue_types=list(ISSUE_TYPES),
        resolution_codes=list(RESOLUTION_CODES),
        requestable_fields=list(REQUESTABLE_FIELDS),
    )


#: what ``CaseObservation(**kwargs)`` records as set: every field but ``metadata``
_OBSERVATION_SET = frozenset(CaseObservation.model_fields) - {"metadata"}


def observe(
    scenario: Scenario,
    record: CaseRecord,
    reward: float | None = None,
    report: GradeReport | None = None,
) -> CaseObservation:
    """The observation of ``record``; ``report`` is shown only when the episode is done.

    Built without validation (:func:`caseops.domain.trusted.trusted`): it is made at
    every step, where validating values that are typed by construction was a tenth of
    the step's Python (README, Performance).
    """
    t = scenario.ticket
    ticket = trusted(
        TicketView,
        {
            "subject": t.subject,
            "customer_name": t.customer_name,
            "customer_message": t.customer_message,
            "customer_tier": t.customer_tier,
            "channel": t.channel,
            "sla_minutes_remaining": record.sla_minutes_remaining,
            "affected_users": t.affected_users,
            "business_impact": t.business_impact,
            "secondary_concerns": list(t.secondary_concerns),
        },
    )
    case = trusted(
        CaseView,
        {
            "status": record.status,
            "queue": record.queue,
            "priority": record.priority,
            "issue_type": record.issue_type,
            "escalated_to": record.escalated_to,
            "requested_fields": list(record.requested_fields),
            "customer_answers": dict(record.customer_answers),
            "drafted_reply": record.drafted_reply,
            "internal_notes": list(record.internal_notes),
            "resolution_code": record.resolution_code,
        },
    )
    return trusted(
        CaseObservation,
        {
            "done": record.done,
            "reward": None if reward is None else float(reward),
            "metadata": {},
            "episode_id": record.episode_id,
            "task_id": scenario.task_id,
            "reward_mode": record.reward_mode,
            "difficulty": scenario.difficulty,
            "objective": scenario.objective,
            "step": record.steps_taken,
            "ticket": ticket,
            "case": case,
            "legal_actions": [] if record.done else list(legal_actions(record.status)),
            "available_artifacts": list(scenario.artifacts),
            "policy_topics": list(scenario.policies),
            "vocabularies": vocabularies(),
            "collected_evidence": list(record.evidence),
            "last_tool_result": record.last_tool_result,
            "last_action_error": record.last_action_error,
            "remaining_steps": max(0, record.step_budget - record.steps_taken),
            "current_score": _visible_score(record),
            "grade_report": (report.model_dump(mode="json") if (report and record.done) else None),
        },
        set(_OBSERVATION_SET),
    )


def _visible_score(record: CaseRecord) -> float | None:
    """The running score as the agent may see it: ``None`` in the terminal reward mode
    until the episode ends."""
    if record.reward_mode == "terminal" and not record.done:
        return None
    return parse_scaled(record.score) / SCALE  # = float(parse_exact(record.score))


def public_state(record: CaseRecord) -> CaseState:
    """The public ``/state`` of an episode (no gold)."""
    return CaseState(
        episode_id=record.episode_id or None,
        step_count=record.steps_taken,
        task_id=record.task_id,
        reward_mode=record.reward_mode,
        status=record.status,
        done=record.done,
        end_reason=record.end_reason,
        version=record.version,
        step_budget=record.step_budget,
        score=_visible_score(record),
        total_reward=float(parse_exact(record.total_reward)),
        rejected_actions=record.rejected_actions,
    )
