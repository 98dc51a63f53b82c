"""What a grade is made of: the components, their weights, and one component's credit as
a named record (:class:`Component`)."""

from __future__ import annotations

from typing import NamedTuple

GRADER_VERSION = "2.0.0"

#: Component weights in percent (they sum to 100). Outcome first, then routing, then the
#: work that shows the reasoning; tuned so that no single shortcut (do nothing, escalate
#: everything, stuff keywords) can reach half the score. In report order.
WEIGHTS: dict[str, int] = {
    "final_status": 15,
    "resolution_code": 10,
    "queue": 10,
    "priority": 8,
    "issue_type": 7,
    "requested_fields": 10,
    "evidence": 15,
    "reply": 12,
    "internal_note": 5,
    "efficiency": 4,
    "sla": 4,
}

#: The components that count in full whatever the outcome; the others are the case's
#: process (routing, evidence, communication, efficiency, SLA), which counts in full
#: only for a case that ended with the right outcome (see
#: :class:`caseops.domain.grading.outcome.OutcomeVerdict`). The queue is part of the
#: outcome verdict (the team that owns the case) but graded as routing.
OUTCOME_COMPONENTS = frozenset({"final_status", "resolution_code", "requested_fields"})


class Component(NamedTuple):
    """One component's credit: ``earned / out_of`` in [0, 1] (integers: this is worked
    out at every step), ``why`` in words and ``events`` the indexes (positions in the log
    from 0) of the events that earned it. Its weight is ``WEIGHTS[name]``.

    ``why`` and ``events`` are empty when the grade is worked out for its number only
    (the potential of a step)."""

    name: str
    earned: int
    out_of: int
    why: str = ""
    events: tuple[int, ...] = ()

    @property
    def weight(self) -> int:
        """The component's weight in percent (before renormalising)."""
        return WEIGHTS[self.name]
