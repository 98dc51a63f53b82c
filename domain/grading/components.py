"""The components a log has earned, and the score they add up to.

The score is a weighted sum of components, each earned in [0, 1], over the components
that apply to the case (a component with no gold, such as requested fields in a case that
needs no follow-up, drops out and the other weights are renormalised), so the score is
always in [0, 1]. The arithmetic is exact (integer ratios, rounded once to a
:class:`~caseops.domain.score.Score`).

The outcome decides how much of the rest counts (docs/architecture.md, "Grading"): the
outcome components count in full; the process components count in full only once the
case has ended with the right outcome, at :data:`~.outcome.OPEN_GATE` while it runs,
and not at all once the outcome can no longer be right: such a case scores 0.

Every rule keeps a step that moves the case away from its right outcome from raising the
score (``tests/test_sealed.py``): the queue counts only if the case was not wrongly
escalated; priority and issue type only with the right queue; the resolution code only
with the right final status; evidence is the F1 of what was collected against what the
case needs (so collecting everything is worse than collecting what is needed);
efficiency is earned only when the outcome is right and every required piece of
evidence was collected; the SLA part needs the right queue now and a right routing
before the SLA ran out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from caseops.domain.scenario import Scenario
from caseops.domain.score import Score

from .component import OUTCOME_COMPONENTS, Component
from .judged import note_credit, reply_credit
from .outcome import OutcomeVerdict, outcome_of
from .tally import EMPTY_TALLY, Fact, Tally, advance


def _f1(hit: int, wanted: int, got: int) -> tuple[int, int]:
    """The F1 score of ``hit`` right items among ``got``, of ``wanted``, as a ratio
    (``2 hit / (wanted + got)``; ``(1, 1)`` when both are empty)."""
    return (2 * hit, wanted + got) if wanted + got else (1, 1)


def _collected(
    name: str, wanted: Iterable[str], got: Mapping[str, int], details: bool, extra: str
) -> Component:
    """The F1 component of the keys ``got`` (each with the index that first collected it)
    against those ``wanted``; ``extra`` names the keys not wanted in its ``why``."""
    want = set(wanted)
    hit = want & got.keys()
    earned, out_of = _f1(len(hit), len(want), len(got))
    if not details:
        return Component(name, earned, out_of)
    why = f"{len(hit)} of {len(want)} needed, {len(got) - len(hit)} {extra}"
    return Component(name, earned, out_of, why, tuple(sorted({got[k] for k in hit})))


def components(
    scenario: Scenario, t: Tally, details: bool = True
) -> tuple[list[Component], OutcomeVerdict]:
    """The components earned by the log ``t`` has read (in report order) and its outcome
    verdict, whose gate :func:`exact_total` applies.

    With ``details`` false the numbers are the same but no component says why or cites
    events: the potential, worked out at every step, reads only the numbers.
    """
    gold = scenario.gold
    v = outcome_of(scenario, t)

    def one(name: str, ok: bool, idx: int | None, *why: object) -> Component:
        """A right-or-wrong component; its ``why`` is the words ``why`` (only written
        with ``details``)."""
        if not details:
            return Component(name, 1 if ok else 0, 1)
        events = (idx,) if ok and idx is not None else ()
        return Component(name, 1 if ok else 0, 1, " ".join(map(str, why)), events)

    status_ok = t.status == gold.final_status and not v.wrongly_escalated
    queue_ok = t.queue == gold.queue and not v.wrongly_escalated
    out = [one("final_status", status_ok, t.status_idx, "status", t.status)]
    if gold.resolution_code is not None:
        code_ok = status_ok and t.resolution == gold.resolution_code
        out.append(one("resolution_code", code_ok, t.resolution_idx, "code", t.resolution))
    out.append(one("queue", queue_ok, t.queue_idx, "queue", t.queue))
    priority_ok = queue_ok and t.priority == gold.priority
    out.append(one("priority", priority_ok, t.class_idx, "priority", t.priority))
    issue_ok = queue_ok and t.issue_type == gold.issue_type
    out.append(one("issue_type", issue_ok, t.class_idx, "issue", t.issue_type))
    if gold.requested_fields:
        out.append(
            _collected("requested_fields", gold.requested_fields, t.requested, details, "unneeded")
        )
    if gold.required_evidence:
        out.append(
            _collected("evidence", gold.required_evidence, t.evidence, details, "not needed")
        )
    if gold.reply_markers:
        out.append(t.reply_credit or reply_credit(gold, None, None))
    if gold.note_markers:
        out.append(t.note_credit or note_credit(gold, ()))
    out.append(_efficiency(scenario, t, v.outcome_ok, details))
    sla_ok = (
        queue_ok
        and t.first_classify is not None
        and (t.first_breach is None or t.first_classify < t.first_breach)
    )
    sla_why = "routed right within SLA" if sla_ok else "not routed right in SLA"
    out.append(one("sla", sla_ok, t.first_classify, sla_why))
    return out, v


def _efficiency(scenario: Scenario, t: Tally, outcome_ok: bool, details: bool) -> Component:
    """Full credit up to the best path, then linearly down to zero at the step budget;
    only for the right outcome with every required piece of evidence collected."""
    gold = scenario.gold
    if not (outcome_ok and all(e in t.evidence for e in gold.required_evidence)):
        return Component("efficiency", 0, 1, "outcome not right or not investigated")
    budget, best = scenario.step_budget, gold.optimal_steps
    if t.steps <= best:
        earned, out_of = 1, 1
    else:
        earned, out_of = max(0, budget - t.steps), max(1, budget - best)
    why = f"{t.steps} steps, best {best}" if details else ""
    return Component("efficiency", earned, out_of, why)


def exact_total(parts: list[Component], gate: tuple[int, int] = (1, 1)) -> tuple[int, int]:
    """The renormalised weighted sum as ``(numerator, denominator)``, in integers (it
    runs on every step), with the process components counted at ``gate`` and the
    outcome components in full (or nothing, when the gate is 0: a doomed case)."""
    gn, gd = gate
    if gn == 0:
        return 0, 1
    total_weight = 0
    num, den = 0, 1
    for c in parts:
        w = c.weight
        total_weight += w
        if c.earned:
            share = gd if c.name in OUTCOME_COMPONENTS else gn
            vn, vd = c.earned * share, c.out_of * gd
            num = num * vd + vn * w * den
            den *= vd
    return num, den * total_weight


def score_of(scenario: Scenario, tally: Tally) -> Score:
    """The score of the log ``tally`` has read (the shaping potential); equal to
    ``Score.parse(grade(...).score_exact)``."""
    parts, outcome = components(scenario, tally, details=False)
    return Score.ratio(*exact_total(parts, outcome.gate))


def score_of_facts(scenario: Scenario, items: Iterable[Fact]) -> tuple[Score, str, int]:
    """The score of stored or live facts, the final status and the number of steps: the
    grade without its report (re-grading reads stored payloads this way).

    Raises:
        KeyError: a payload missing a field its event type has.
        TypeError, ValueError, AttributeError: a field of the wrong type.
    """
    tally = advance(scenario, EMPTY_TALLY, items)
    return score_of(scenario, tally), tally.status, tally.steps
