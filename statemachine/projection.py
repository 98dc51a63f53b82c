"""Projections of the case record: the agent's observation and the public state.

Pure functions of (scenario, record). They read only the scenario's agent-facing parts
(ticket, artifact ids, policy topics) and never its gold; the grade report is attached
only once the episode is done.
"""

from __future__ import annotations

from functools import lru_cache

from caseops.domain.grading import GradeReport
from caseops.domain.observation import (
    CASE_FILE_ENTRY_CHARS,
    CASE_FILE_TITLE_CHARS,
    CASE_FILE_TOTAL_CHARS,
    CaseFileEntry,
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

from .decide import render_ticket
from .machine import legal_actions
from .memo import PerObject


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


#: what ``CaseObservation(**kwargs)`` records as set: every field
_OBSERVATION_SET = frozenset(CaseObservation.model_fields)


def observe(
    scenario: Scenario,
    record: CaseRecord,
    reward: float | None = None,
    report: GradeReport | None = None,
) -> CaseObservation:
    """The observation of ``record``; ``report`` is shown only when the episode is done.

    Built without validation (:func:`caseops.domain.trusted.trusted`): it is made at
    every step from values typed by construction (bench/README.md).
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
            "case_file": case_file(scenario, record),
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
    return float(record.score)


#: where each kind of evidence goes in the case file: the ticket, artifacts, policies
_EVIDENCE_RANK = {"ticket": 0, "artifact": 1, "policy": 2}


def _evidence_order(evidence_id: str) -> tuple[int, str]:
    kind, _, ref = evidence_id.partition(":")
    return _EVIDENCE_RANK.get(kind, 3), ref


#: Case files already built, per scenario (by ``id``, dropped when the scenario is
#: collected) and per (evidence, customer answers): a record's case file changes only when
#: it collects something. Kept because building it at every step costs about a sixth of a
#: step (bench/README.md). At most ``_MEMO_PER_SCENARIO`` per scenario.
_MemoKey = tuple[tuple[str, ...], tuple[tuple[str, str], ...]]
_memo: PerObject[Scenario, dict[_MemoKey, tuple[CaseFileEntry, ...]]] = PerObject(lambda _: {})
_MEMO_PER_SCENARIO = 256


def case_file(scenario: Scenario, record: CaseRecord) -> list[CaseFileEntry]:
    """The contents of the evidence ``record`` has collected: the case file.

    Order: the ticket (its subject and the text ``review_ticket`` returns), the inspected
    artifacts by id, the policies found by topic (each its title and content), then the
    customer's answers by field (``customer:<field>``). The order depends only on what was
    collected, never on when. Bounds (``caseops.domain.observation``): each content is cut
    to ``CASE_FILE_ENTRY_CHARS`` and all of them together to ``CASE_FILE_TOTAL_CHARS``,
    in that order, so what is cut is always the end of the file; ``truncated`` marks an
    entry that lost text. Reads the scenario's agent-facing parts only, never its gold.
    Memoised (the entries are shared between observations; the list is new each time).
    """
    if not record.evidence and not record.customer_answers:
        return []
    key = (record.evidence, record.customer_answers)
    memo = _memo(scenario)
    entries = memo.get(key)
    if entries is None:
        if len(memo) >= _MEMO_PER_SCENARIO:
            memo.clear()
        entries = memo[key] = _build_case_file(scenario, *key)
    return list(entries)


def _build_case_file(
    scenario: Scenario, evidence: tuple[str, ...], answers: tuple[tuple[str, str], ...]
) -> tuple[CaseFileEntry, ...]:
    items: list[tuple[str, str, str]] = []
    for evidence_id in sorted(evidence, key=_evidence_order):
        kind, _, ref = evidence_id.partition(":")
        if kind == "ticket":
            items.append((evidence_id, scenario.ticket.subject, render_ticket(scenario)))
        elif kind == "artifact" and (art := scenario.artifacts.get(ref)) is not None:
            items.append((evidence_id, art.title, art.content))
        elif kind == "policy" and (pol := scenario.policies.get(ref)) is not None:
            items.append((evidence_id, pol.title, pol.content))
    for field, answer in answers:  # sorted by field (evolve)
        items.append((f"customer:{field}", field, answer))
    budget = CASE_FILE_TOTAL_CHARS
    out: list[CaseFileEntry] = []
    for evidence_id, title, content in items:
        cap = min(CASE_FILE_ENTRY_CHARS, budget)
        kept = content[:cap]
        budget -= len(kept)
        out.append(
            trusted(
                CaseFileEntry,
                {
                    "evidence_id": evidence_id,
                    "title": title[:CASE_FILE_TITLE_CHARS],
                    "content": kept,
                    "truncated": len(content) > cap,
                },
            )
        )
    return tuple(out)


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
        total_reward=float(record.total_reward),
        rejected_actions=record.rejected_actions,
    )
