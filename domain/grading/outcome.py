"""The outcome verdict: whether the case was handled to its right outcome, and how much of
the process credit that lets count.

The rule (a support lead's reading, docs/architecture.md "Grading"): a case handled to the
wrong outcome is a failed case, whatever the routing and wording around it.
"""

from __future__ import annotations

from dataclasses import dataclass

from caseops.domain.scenario import Scenario

from .tally import Tally

#: The share of the process components a running episode's potential counts (a case
#: whose outcome is still open), as ``(numerator, denominator)``: the rest is paid when
#: it ends with the right outcome.
OPEN_GATE = (1, 2)


@dataclass(frozen=True, slots=True)
class OutcomeVerdict:
    """What the grader makes of a log's outcome so far.

    ``outcome_ok``: final status (with the right escalation team), resolution code, the
    requested fields and the queue (the team that owns the case) all match the gold.
    ``doomed``: the outcome can no longer be right (a field the case does not need was
    requested, the case was escalated when it should not be or to the wrong team) or the
    episode ended with a wrong outcome. ``wrongly_escalated``: escalated when the case
    should not be, or to the wrong team.
    """

    outcome_ok: bool
    doomed: bool
    ended: bool
    wrongly_escalated: bool
    why: str

    @property
    def gate(self) -> tuple[int, int]:
        """``(numerator, denominator)`` of the share of the process components that
        counts: 0 when doomed, 1 once ended right, :data:`OPEN_GATE` while the episode
        runs (the outcome components count in full unless doomed)."""
        if self.doomed:
            return (0, 1)
        return (1, 1) if self.ended else OPEN_GATE


def outcome_of(scenario: Scenario, t: Tally) -> OutcomeVerdict:
    """The outcome verdict of the log ``t`` has read (see :class:`OutcomeVerdict`)."""
    gold = scenario.gold
    wrong_escalation = t.escalated_to is not None and (
        not gold.escalates or t.escalated_to != gold.queue
    )
    unneeded = sorted(set(t.requested) - set(gold.requested_fields))
    status_ok = t.status == gold.final_status and not wrong_escalation
    code_ok = gold.resolution_code is None or t.resolution == gold.resolution_code
    fields_ok = set(t.requested) == set(gold.requested_fields)
    queue_ok = t.queue == gold.queue and not wrong_escalation
    outcome_ok = status_ok and code_ok and fields_ok and queue_ok
    if wrong_escalation:
        why = f"escalated to {t.escalated_to}, which the case does not call for"
    elif unneeded:
        why = f"asked the customer for {', '.join(unneeded)}, which the case does not need"
    elif t.ended and not outcome_ok:
        why = "ended with the wrong outcome"
    elif t.ended:
        why = "ended with the right outcome"
    else:
        why = "outcome still open"
    doomed = wrong_escalation or bool(unneeded) or (t.ended and not outcome_ok)
    return OutcomeVerdict(outcome_ok, doomed, t.ended, wrong_escalation, why)
