"""The grader: ``grade(scenario, events) -> GradeReport``. Pure and deterministic.

The score is a weighted sum of components, each earned in [0, 1], over the components
that apply to the case (a component with no gold, such as requested fields in a case that
needs no follow-up, drops out and the other weights are renormalised), so the score is
always in [0, 1]. Arithmetic is exact (integer ratios); the report carries both a float
and a 12-place decimal string.

The outcome decides how much of the rest counts (docs/architecture.md, "Grading"): the
outcome components (final status, resolution code, requested fields) count in full; the
process components (routing, evidence, reply, note, efficiency, SLA) count in full only
once the case has ended with the right outcome, at :data:`OPEN_GATE` while it runs, and
not at all once the outcome can no longer be right (a wrong escalation, a field the case
does not need, an ending with the wrong outcome): such a case scores 0.

The grade of a partial log is the potential used for reward shaping (after Ng, Harada &
Russell, 1999): the reward of a step is the change of this grade minus the step's cost.
Every rule is written so that a step that moves the case away from its right outcome
never raises it (``tests/test_sealed.py``).

Anti-gaming rules: a reply longer than ``MAX_REPLY_CHARS`` is refused when drafted; a
reply or note is judged on what it says (:mod:`caseops.domain.judge`: each point made or
not, each forbidden claim asserted or not, with its polarity), and a reply or note that
asserts any of the scenario's forbidden claims earns no credit for its component;
evidence is graded on precision and recall (F1); efficiency is earned only when the
outcome is
right and every required piece of evidence was collected; the SLA part only when the
case is in the right queue and was first routed there before the SLA ran out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .canonical import sha256_hex
from .events import (
    STEP_EVENT_TYPES,
    Event,
)
from .judge import Finding, Verdict, judge_text
from .scenario import Gold, Scenario
from .trusted import trusted

GRADER_VERSION = "2.0.0"

#: Component weights (sum to 1). Outcome first, then routing, then the work that shows
#: the reasoning; tuned so that no single shortcut (do nothing, escalate everything,
#: stuff keywords) can reach half the score.
WEIGHTS: dict[str, Fraction] = {
    "final_status": Fraction(15, 100),
    "resolution_code": Fraction(10, 100),
    "queue": Fraction(10, 100),
    "priority": Fraction(8, 100),
    "issue_type": Fraction(7, 100),
    "requested_fields": Fraction(10, 100),
    "evidence": Fraction(15, 100),
    "reply": Fraction(12, 100),
    "internal_note": Fraction(5, 100),
    "efficiency": Fraction(4, 100),
    "sla": Fraction(4, 100),
}

QUANTUM = 12  # decimal places used for recorded numbers


#: Recorded numbers as integers: a number x is carried as x x SCALE (QUANTUM places).
SCALE = 10**QUANTUM
ZERO = Fraction(0)


def _quantize_ratio(n: int, d: int) -> int:
    """``n / d`` x 10**QUANTUM rounded half-to-even, in integer arithmetic (``d > 0``)."""
    q, r = divmod(n * SCALE, d)  # floor division: 0 <= r < d
    if 2 * r > d or (2 * r == d and q % 2):
        q += 1
    return q


def _quantize(value: Fraction) -> int:
    """``value`` x 10**QUANTUM rounded half-to-even, in integer arithmetic."""
    return _quantize_ratio(value.numerator, value.denominator)


def fmt(value: Fraction) -> str:
    """Format an exact number as a decimal string with ``QUANTUM`` places (half-even)."""
    return fmt_scaled(_quantize(value))


def fmt_scaled(q: int) -> str:
    """Format ``q`` x 10**-QUANTUM as a decimal string with ``QUANTUM`` places."""
    sign = "-" if q < 0 else ""
    q = abs(q)
    return f"{sign}{q // SCALE}.{q % SCALE:0{QUANTUM}d}"


def _fmt_digits(text: str) -> int | None:
    """``text`` x 10**QUANTUM when it is written as :func:`fmt` writes (``QUANTUM``
    places), read from its digits without ``Fraction``; otherwise ``None``."""
    head, dot, tail = text.partition(".")
    if dot and len(tail) == QUANTUM and tail.isdigit() and head.lstrip("-").isdigit():
        return int(head + tail)
    return None


def parse_scaled(text: str) -> int:
    """``text`` x 10**QUANTUM as an integer, for a decimal written by :func:`fmt` (any
    other text is parsed exactly and rounded half-even).

    Raises:
        ValueError: text that is not a number.
        ZeroDivisionError: a fraction with a zero denominator (``"1/0"``).
    """
    scaled = _fmt_digits(text)
    return scaled if scaled is not None else _quantize(Fraction(text))


def parse_exact(text: str) -> Fraction:
    """The exact value of a decimal string written by :func:`fmt` (any other decimal or
    fraction text is parsed by ``Fraction``); ``parse_exact(fmt(x)) == quantised x``.

    Raises:
        ValueError: text that is not a number.
        ZeroDivisionError: a fraction with a zero denominator (``"1/0"``).
    """
    scaled = _fmt_digits(text)
    return Fraction(scaled, SCALE) if scaled is not None else Fraction(text)


class ComponentScore(BaseModel):
    """One graded component: ``weight`` (renormalised share of the score), ``earned`` in
    [0, 1], ``counted`` the share of it the outcome lets count (1 for the outcome
    components; for the process components 1 once the case ended right, 1/2 while it
    runs, 0 in a case doomed to the wrong outcome), ``points`` = weight x earned x
    counted, and the ids of the events that earned it."""

    model_config = ConfigDict(frozen=True)

    name: str
    weight: float
    earned: float
    counted: float
    points: float
    detail: str
    event_ids: list[str]
    #: reply and internal_note only, and only in the final report: per point whether it
    #: was made and by which sentence; per forbidden claim whether (and where) it was
    #: asserted (``{"name", "ok", "status", "sentence", "text", "event_id"}``)
    judged_points: list[dict[str, Any]] = Field(default_factory=list)
    judged_claims: list[dict[str, Any]] = Field(default_factory=list)
    judge: str = ""


class GradeReport(BaseModel):
    """The grade of an episode (or of its log so far). ``outcome_ok`` says whether the
    final status, resolution code, requested fields and queue are all right, ``outcome`` why
    (or why not)."""

    model_config = ConfigDict(frozen=True)

    task_id: str
    grader_version: str
    score: float
    score_exact: str
    final_status: str
    steps: int
    outcome_ok: bool
    outcome: str
    components: list[ComponentScore]


@lru_cache(maxsize=8192)
def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower()).strip()


@lru_cache(maxsize=4096)
def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(_normalise(phrase)) + r"(?!\w)")


def phrase_in(phrase: str, text: str) -> bool:
    """True when ``phrase`` occurs in ``text`` on word boundaries, ignoring case and
    runs of whitespace."""
    return _phrase_pattern(phrase).search(_normalise(text)) is not None


def _ids(event_ids: Sequence[str] | None, idx: int) -> str:
    return event_ids[idx] if event_ids is not None else f"#{idx}"


#: Per component: (earned numerator, earned denominator, detail, indexes of the events
#: that earned it). Integers, not ``Fraction``: this runs on every step.
Earned = dict[str, tuple[int, int, str, list[int]]]


#: A graded fact: an event's type name and its fields (``Event.__dict__`` of a live
#: event, or the JSON payload of a stored one: both hold the same keys and values).
Fact = tuple[str, Mapping[str, Any]]

_ENDING_TYPES = frozenset({"CaseResolved", "CaseSubmitted"})


def facts(events: Iterable[Event]) -> list[Fact]:
    """The facts of live events (no copy: a pydantic model's ``__dict__`` is its fields)."""
    return [(type(ev).__name__, ev.__dict__) for ev in events]


#: One component's credit as a tally keeps it: the ``Earned`` value with a tuple of indexes.
Credit = tuple[int, int, str, tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class Tally:
    """What the grader has read of one episode's log so far: the state of its single pass
    over the events, so that a log can be graded in pieces (the potential of every step
    reads only that step's new events, not the whole stream again).

    A value tied to one scenario (``first_classify`` compares queues with its gold).
    Indexes are positions in the log from 0 (``EpisodeStarted`` included when it was fed)
    and ``read`` is how many events the tally has read. Folding a log from :data:`EMPTY_TALLY`
    in one piece or in any number of pieces gives the same tally
    (``tests/test_properties.py``); :func:`advance` returns a new tally and never
    changes the one it is given.
    """

    read: int = 0
    status: str = "new"
    status_idx: int | None = None
    queue: str | None = None
    priority: str | None = None
    issue_type: str | None = None
    queue_idx: int | None = None
    class_idx: int | None = None
    resolution: str | None = None
    resolution_idx: int | None = None
    #: requested field -> index of the first request of it (read-only by convention)
    requested: Mapping[str, int] = field(default_factory=dict)
    #: evidence key -> index of the event that first collected it (read-only likewise)
    evidence: Mapping[str, int] = field(default_factory=dict)
    reply: str | None = None
    reply_idx: int | None = None
    notes: tuple[tuple[int, str], ...] = ()
    steps: int = 0
    #: index of the first step that routed the case to the right queue (a classify, or
    #: the escalation of a case that should be escalated)
    first_classify: int | None = None
    first_breach: int | None = None
    #: the reply and note components, worked out when their text was read (``None``
    #: until then): matching phrases is the costly part of a grade, and it is done once
    #: per drafted reply or added note rather than at every step
    reply_credit: Credit | None = None
    note_credit: Credit | None = None
    #: recorded judge verdicts (``JudgeVerdict`` events), by the index of the reply or
    #: note event they judge (read-only by convention)
    verdicts: Mapping[int, Verdict] = field(default_factory=dict)
    #: the team the case was escalated to (``None``: never escalated)
    escalated_to: str | None = None
    #: whether the log holds ``EpisodeEnded``
    ended: bool = False


def reply_verdict(gold: Gold, reply: str, recorded: Verdict | None = None) -> Verdict:
    """The verdict on a reply: the recorded one when there is one (a model judge's, read
    from its ``JudgeVerdict`` event), else the rule judge's."""
    if recorded is not None:
        return recorded
    return judge_text(reply, gold.reply_points, gold.forbidden_claims)


def note_verdict(gold: Gold, note: str, recorded: Verdict | None = None) -> Verdict:
    """The verdict on one internal note (see :func:`reply_verdict`)."""
    if recorded is not None:
        return recorded
    return judge_text(note, gold.note_points, gold.forbidden_claims)


def _reply_credit(
    gold: Gold,
    reply: str | None,
    reply_idx: int | None,
    verdicts: Mapping[int, Verdict] | None = None,
) -> Credit:
    """The reply component for the latest drafted reply (none: ``reply`` is ``None``):
    the share of its points made, or nothing when it asserts a forbidden claim."""
    if reply is None:
        return (0, 1, "no reply drafted", ())
    v = reply_verdict(gold, reply, (verdicts or {}).get(reply_idx))  # type: ignore[arg-type]
    if v.asserted:
        return (0, len(gold.reply_points), f"forbidden claim: {v.asserted[0]!r}", ())
    made = len(v.made)
    return (
        made,
        len(gold.reply_points),
        f"{made} of {len(gold.reply_points)} points made",
        (reply_idx,) if made and reply_idx is not None else (),
    )


def _note_credit(
    gold: Gold,
    notes: tuple[tuple[int, str], ...],
    verdicts: Mapping[int, Verdict] | None = None,
) -> Credit:
    """The internal-note component for every note so far: a point is made when any note
    makes it; a note that asserts a forbidden claim leaves the component at nothing."""
    got = verdicts or {}
    made: set[str] = set()
    cited: list[int] = []
    for i, n in notes:
        v = note_verdict(gold, n, got.get(i))
        if v.asserted:
            return (0, len(gold.note_points), f"forbidden claim in a note: {v.asserted[0]!r}", ())
        if v.made:
            made |= set(v.made)
            cited.append(i)
    return (
        len(made),
        len(gold.note_points),
        f"{len(made)} of {len(gold.note_points)} points noted",
        tuple(cited),
    )


def verdict_of_fact(ev: Mapping[str, Any]) -> Verdict:
    """The :class:`Verdict` a ``JudgeVerdict`` event's fields hold.

    Raises:
        KeyError, TypeError, ValueError: fields of another shape.
    """
    return Verdict(
        points=tuple(Finding.from_json(d) for d in ev["points"]),
        claims=tuple(Finding.from_json(d) for d in ev["claims"]),
        judge=str(ev["judge"]),
        prompt_sha256=str(ev.get("prompt_sha256", "")),
        fallback=str(ev.get("fallback", "")),
    )


#: The tally of an empty log.
EMPTY_TALLY = Tally()


def advance(scenario: Scenario, tally: Tally, items: Iterable[Fact]) -> Tally:
    """``tally`` after reading ``items``, the next facts of the same log (see :class:`Tally`).

    Raises:
        KeyError: a stored payload missing a field its type has.
        TypeError, ValueError, AttributeError: a stored field of the wrong type.
    """
    gold_queue = scenario.gold.queue
    gold_escalates = scenario.gold.escalates
    t = tally
    i = t.read - 1
    status, status_idx = t.status, t.status_idx
    queue, priority, issue_type = t.queue, t.priority, t.issue_type
    queue_idx, class_idx = t.queue_idx, t.class_idx
    resolution, resolution_idx = t.resolution, t.resolution_idx
    requested: Mapping[str, int] = t.requested
    evidence: Mapping[str, int] = t.evidence
    reply, reply_idx = t.reply, t.reply_idx
    notes = t.notes
    steps = t.steps
    first_classify, first_breach = t.first_classify, t.first_breach
    escalated_to, ended = t.escalated_to, t.ended
    reply_credit, note_credit = t.reply_credit, t.note_credit
    verdicts: Mapping[int, Verdict] = t.verdicts

    def collected(have: Mapping[str, int], key: str, idx: int) -> Mapping[str, int]:
        # a copy only when the key is new: the tally given is never changed
        return have if key in have else {**have, key: idx}

    for i, (kind, ev) in enumerate(items, start=t.read):
        if kind in STEP_EVENT_TYPES:
            step = ev["step"]
            if step > steps:
                steps = step
            to_state = ev["to_state"]
            if to_state != status:
                status, status_idx = to_state, i
            if kind == "TicketReviewed":
                evidence = collected(evidence, "ticket", i)
            elif kind == "ArtifactInspected":
                evidence = collected(evidence, f"artifact:{ev['artifact_id']}", i)
            elif kind == "PolicySearched":
                if ev.get("topic") is not None:
                    evidence = collected(evidence, f"policy:{ev['topic']}", i)
            elif kind == "ReplyDrafted":
                reply, reply_idx = ev["message"], i
                reply_credit = None
            elif kind == "InternalNoteAdded":
                notes = (*notes, (i, ev["note"]))
                note_credit = None
            elif kind == "CaseClassified":
                queue, priority, issue_type = ev["queue"], ev["priority"], ev["issue_type"]
                queue_idx = class_idx = i
                if first_classify is None and queue == gold_queue:
                    first_classify = i
            elif kind == "InfoRequested":
                for f in ev["requested_fields"]:
                    requested = collected(requested, f, i)
            elif kind == "CaseEscalated":
                queue, queue_idx = ev["queue"], i
                escalated_to = queue
                if first_classify is None and gold_escalates and queue == gold_queue:
                    first_classify = i
            elif kind in _ENDING_TYPES and ev.get("resolution_code"):
                resolution, resolution_idx = ev["resolution_code"], i
        elif kind == "CustomerReplied":
            status, status_idx = ev["to_state"], i
        elif kind == "SlaBreached" and first_breach is None:
            first_breach = i
        elif kind == "EpisodeEnded":
            ended = True
        elif kind == "JudgeVerdict":
            # a recorded verdict on the text judged just before it (that text only)
            if reply_idx == i - 1:
                text: str | None = reply
            elif notes and notes[-1][0] == i - 1:
                text = notes[-1][1]
            else:
                text = None
            if text is not None and sha256_hex(text) == ev["text_sha256"]:
                verdicts = {**verdicts, i - 1: verdict_of_fact(ev)}
                reply_credit = note_credit = None

    gold = scenario.gold
    if reply_credit is None and gold.reply_markers:
        reply_credit = _reply_credit(gold, reply, reply_idx, verdicts)
    if note_credit is None and gold.note_markers:
        note_credit = _note_credit(gold, notes, verdicts)
    return Tally(
        i + 1,
        status,
        status_idx,
        queue,
        priority,
        issue_type,
        queue_idx,
        class_idx,
        resolution,
        resolution_idx,
        requested,
        evidence,
        reply,
        reply_idx,
        notes,
        steps,
        first_classify,
        first_breach,
        reply_credit,
        note_credit,
        verdicts,
        escalated_to,
        ended,
    )


def tally_of(scenario: Scenario, events: Iterable[Event], tally: Tally = EMPTY_TALLY) -> Tally:
    """``tally`` after reading live ``events`` (by default the tally of ``events`` alone)."""
    return advance(scenario, tally, facts(events))


def _evaluate_facts(
    scenario: Scenario, items: Iterable[Fact], details: bool = True
) -> tuple[Earned, str, int, OutcomeVerdict]:
    """Per component: (earned in [0, 1], detail, indexes of the events that earned it);
    plus the final status, the number of steps and the outcome verdict (``details``: see
    :func:`_earned`).

    Raises:
        KeyError: a stored payload missing a field its type has.
        TypeError, ValueError, AttributeError: a stored field of the wrong type.
    """
    return _earned(scenario, advance(scenario, EMPTY_TALLY, items), details)


#: The components that count in full whatever the outcome; the others are the case's
#: process (routing, evidence, communication, efficiency, SLA), which counts in full
#: only for a case that ended with the right outcome (see :class:`OutcomeVerdict`). The queue
#: is part of the outcome verdict (the team that owns the case) but graded as routing.
OUTCOME_COMPONENTS = frozenset({"final_status", "resolution_code", "requested_fields"})

#: The share of the process components a running episode's potential counts (a case
#: whose outcome is still open): the rest is paid when it ends with the right outcome.
OPEN_GATE = (1, 2)


@dataclass(frozen=True, slots=True)
class OutcomeVerdict:
    """What the grader makes of a log's outcome so far.

    ``outcome_ok``: final status (with the right escalation team), resolution code, the
    requested fields and the queue (the team that owns the case) all match the gold.
    ``doomed``: the outcome can no longer be right (a field the case does not need was
    requested, the case was escalated when it should not be or to the wrong team) or the
    episode ended with a wrong outcome.
    ``gate`` is ``(numerator, denominator)`` of the share of the score that counts:
    0 when doomed, 1 once ended right, :data:`OPEN_GATE` of the process components (and
    all of the outcome components) while the episode runs.
    """

    outcome_ok: bool
    doomed: bool
    ended: bool
    why: str

    @property
    def gate(self) -> tuple[int, int]:
        """The share of the process components that counts (see the class)."""
        if self.doomed:
            return (0, 1)
        return (1, 1) if self.ended else OPEN_GATE


def outcome_of(scenario: Scenario, t: Tally) -> OutcomeVerdict:
    """The outcome verdict of the log ``t`` has read (see :class:`OutcomeVerdict`).

    The rule (a support lead's reading, docs/architecture.md "Grading"): a case handled
    to the wrong outcome is a failed case, whatever the routing and wording around it.
    """
    gold = scenario.gold
    gold_escalates = gold.escalates
    wrong_escalation = t.escalated_to is not None and (
        not gold_escalates or t.escalated_to != gold.queue
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
    return OutcomeVerdict(outcome_ok=outcome_ok, doomed=doomed, ended=t.ended, why=why)


def _f1(hit: int, wanted: int, got: int) -> tuple[int, int]:
    """The F1 score of ``hit`` right items among ``got``, of ``wanted``, as a ratio
    (``2 hit / (wanted + got)``; ``(1, 1)`` when both are empty)."""
    return (2 * hit, wanted + got) if wanted + got else (1, 1)


def _earned(
    scenario: Scenario, t: Tally, details: bool = True
) -> tuple[Earned, str, int, OutcomeVerdict]:
    """The components earned by the log a tally has read, its status, its steps and the
    outcome verdict (whose gate :func:`_total` applies).

    With ``details`` false the numbers are the same but each component's detail text is
    empty and it cites no events: the potential, worked out at every step, reads only the
    numbers.

    Rules (each keeps a step that moves the case away from its right outcome from
    raising the score): the queue counts only if the case was not wrongly escalated;
    priority and issue type only with the right queue; the resolution code only with the
    right final status; evidence is the F1 of what was collected against what the case
    needs (so collecting everything is worse than collecting what is needed); the SLA
    part needs the right queue now and a right routing before the SLA ran out.
    """
    gold = scenario.gold
    v = outcome_of(scenario, t)
    status, status_idx = t.status, t.status_idx
    queue, priority, issue_type = t.queue, t.priority, t.issue_type
    queue_idx, class_idx = t.queue_idx, t.class_idx
    resolution, resolution_idx = t.resolution, t.resolution_idx
    requested, evidence = t.requested, t.evidence
    steps = t.steps
    first_classify, first_breach = t.first_classify, t.first_breach
    gold_escalates = gold.escalates
    wrongly_escalated = t.escalated_to is not None and (
        not gold_escalates or t.escalated_to != gold.queue
    )

    earned: Earned = {}

    def one(ok: bool, idx: int | None, detail: str) -> tuple[int, int, str, list[int]]:
        return (1 if ok else 0, 1, detail, [idx] if ok and idx is not None and details else [])

    status_ok = status == gold.final_status and not wrongly_escalated
    earned["final_status"] = one(status_ok, status_idx, f"status {status}" if details else "")
    if gold.resolution_code is not None:
        resolution_ok = status_ok and resolution == gold.resolution_code
        earned["resolution_code"] = one(
            resolution_ok, resolution_idx, f"code {resolution}" if details else ""
        )
    queue_ok = queue == gold.queue and not wrongly_escalated
    earned["queue"] = one(queue_ok, queue_idx, f"queue {queue}" if details else "")
    earned["priority"] = one(
        queue_ok and priority == gold.priority,
        class_idx,
        f"priority {priority}" if details else "",
    )
    earned["issue_type"] = one(
        queue_ok and issue_type == gold.issue_type,
        class_idx,
        f"issue {issue_type}" if details else "",
    )

    if gold.requested_fields:
        want = set(gold.requested_fields)
        got = set(requested)
        hit = want & got
        earned["requested_fields"] = (
            *_f1(len(hit), len(want), len(got)),
            f"{len(hit)} of {len(want)} needed, {len(got - want)} unneeded" if details else "",
            sorted({requested[f] for f in hit}) if details else [],
        )

    if gold.required_evidence:
        need = set(gold.required_evidence)
        have = [e for e in gold.required_evidence if e in evidence]
        extra = len(evidence) - len(have)
        earned["evidence"] = (
            *_f1(len(have), len(need), len(evidence)),
            f"{len(have)} of {len(need)} needed, {extra} not needed" if details else "",
            sorted({evidence[e] for e in have}) if details else [],
        )

    if gold.reply_markers:
        vn, vd, detail, idxs = t.reply_credit or _reply_credit(gold, None, None)
        earned["reply"] = (vn, vd, detail, list(idxs))

    if gold.note_markers:
        vn, vd, detail, idxs = t.note_credit or _note_credit(gold, ())
        earned["internal_note"] = (vn, vd, detail, list(idxs))

    investigated = all(e in evidence for e in gold.required_evidence)
    if v.outcome_ok and investigated:
        budget, best = scenario.step_budget, gold.optimal_steps
        # full credit up to the best path, then linearly down to zero at the budget
        eff = (1, 1) if steps <= best else (max(0, budget - steps), max(1, budget - best))
        earned["efficiency"] = (*eff, f"{steps} steps, best {best}" if details else "", [])
    else:
        earned["efficiency"] = (0, 1, "outcome not right or not investigated", [])

    sla_ok = (
        queue_ok
        and first_classify is not None
        and (first_breach is None or first_classify < first_breach)
    )
    earned["sla"] = one(
        sla_ok, first_classify, "routed right within SLA" if sla_ok else "not routed right in SLA"
    )

    return earned, status, steps, v


_WEIGHT_PCT = {name: int(w * 100) for name, w in WEIGHTS.items()}


def _total(earned: Earned, gate: tuple[int, int] = (1, 1)) -> tuple[int, int]:
    """The renormalised weighted sum as ``(numerator, denominator)``, in integers (it
    runs on every step), with the process components counted at ``gate`` and the
    outcome components in full (or nothing, when the gate is 0: a doomed case)."""
    gn, gd = gate
    if gn == 0:
        return 0, 1
    total_weight = 0
    num, den = 0, 1
    for name, (vn, vd, _, _) in earned.items():
        w = _WEIGHT_PCT[name]
        total_weight += w
        if vn:
            if name in OUTCOME_COMPONENTS:
                vn, vd = vn * gd, vd * gd
            else:
                vn, vd = vn * gn, vd * gd
            num = num * vd + vn * w * den
            den *= vd
    return num, den * total_weight


def grade(
    scenario: Scenario,
    events: Sequence[Event],
    event_ids: Sequence[str] | None = None,
) -> GradeReport:
    """Grade an episode from its events (``EpisodeStarted`` may be included or not).

    Args:
        scenario: the scenario the episode ran (its gold decides the grade).
        events: the episode's events in stream order.
        event_ids: optional ids parallel to ``events``, cited in the report; by default
            events are cited by index as ``#<i>``.

    Returns:
        A :class:`GradeReport` with ``score`` in [0, 1].
    """
    return grade_tally(scenario, tally_of(scenario, events), event_ids)


def grade_tally(
    scenario: Scenario, tally: Tally, event_ids: Sequence[str] | None = None
) -> GradeReport:
    """:func:`grade` of the log ``tally`` has read (``event_ids`` parallel to that log)."""
    earned, status, steps, outcome = _earned(scenario, tally)
    gn, gd = outcome.gate
    judged = _findings(scenario.gold, tally, event_ids)
    # Integer arithmetic (this runs at the end of every episode): each float below is a
    # correctly rounded int / int, the same value as float() of the exact Fraction.
    total_pct = sum(_WEIGHT_PCT[name] for name in earned)
    components: list[ComponentScore] = []
    for name in WEIGHTS:
        if name not in earned:
            continue
        vn, vd, detail, idxs = earned[name]
        w = _WEIGHT_PCT[name]
        # the share of this component that counts: all of an outcome component, the
        # gate's share of a process one (none of either in a doomed case)
        cn, cd = (min(gn, 1), 1) if name in OUTCOME_COMPONENTS else (gn, gd)
        components.append(
            trusted(
                ComponentScore,
                {
                    "name": name,
                    "weight": w / total_pct,
                    "earned": vn / vd,
                    "counted": cn / cd,
                    "points": (w * vn * cn) / (total_pct * vd * cd),
                    "detail": detail,
                    "event_ids": [_ids(event_ids, i) for i in idxs],
                    **judged.get(name, _NO_FINDINGS),
                },
            )
        )
    num, den = _total(earned, outcome.gate)
    # built without validation: every value above is typed by construction (see
    # ``caseops.domain.trusted``; the property tests hold it to the validated model)
    return trusted(
        GradeReport,
        {
            "task_id": scenario.task_id,
            "grader_version": GRADER_VERSION,
            "score": num / den,
            "score_exact": fmt_scaled(_quantize_ratio(num, den)),
            "final_status": status,
            "steps": steps,
            "outcome_ok": outcome.outcome_ok,
            "outcome": outcome.why,
            "components": components,
        },
    )


_NO_FINDINGS: dict[str, Any] = {"judged_points": [], "judged_claims": [], "judge": ""}


def _finding_rows(v: Verdict, idx: int | None, event_ids: Sequence[str] | None) -> dict[str, Any]:
    eid = _ids(event_ids, idx) if idx is not None else None
    return {
        "judged_points": [{**f.to_json(), "event_id": eid} for f in v.points],
        "judged_claims": [{**f.to_json(), "event_id": eid} for f in v.claims],
        "judge": v.judge,
    }


def _findings(gold: Gold, t: Tally, event_ids: Sequence[str] | None) -> dict[str, dict[str, Any]]:
    """The reply's and the notes' findings for the final report (per point: made or not
    and by which sentence; per forbidden claim: asserted or not and where). Notes are read
    together: a point is cited from the first note that made it; a claim from the first
    note that asserted it."""
    out: dict[str, dict[str, Any]] = {}
    if gold.reply_points:
        if t.reply is None:
            out["reply"] = {**_NO_FINDINGS}
        else:
            v = reply_verdict(gold, t.reply, t.verdicts.get(t.reply_idx))  # type: ignore[arg-type]
            out["reply"] = _finding_rows(v, t.reply_idx, event_ids)
    if gold.note_points:
        pts: dict[str, dict[str, Any]] = {}
        cls: dict[str, dict[str, Any]] = {}
        judges: list[str] = []
        for i, n in t.notes:
            v = note_verdict(gold, n, t.verdicts.get(i))
            judges.append(v.judge)
            rows = _finding_rows(v, i, event_ids)
            for r in rows["judged_points"]:
                if r["name"] not in pts or (r["ok"] and not pts[r["name"]]["ok"]):
                    pts[r["name"]] = r
            for r in rows["judged_claims"]:
                if r["name"] not in cls or (r["ok"] and not cls[r["name"]]["ok"]):
                    cls[r["name"]] = r
        out["internal_note"] = {
            "judged_points": [pts[p.name] for p in gold.note_points if p.name in pts],
            "judged_claims": [cls[c.name] for c in gold.forbidden_claims if c.name in cls],
            "judge": ",".join(sorted(set(judges))),
        }
    return out


def score_facts(scenario: Scenario, items: Iterable[Fact]) -> tuple[Fraction, str, int]:
    """The quantised score of stored or live facts (what :func:`potential` returns), the
    final status and the number of steps: the grade without its report.

    Raises:
        KeyError: a payload missing a field its event type has.
        TypeError, ValueError, AttributeError: a field of the wrong type.
    """
    scaled, status, steps = scaled_score_facts(scenario, items)
    return Fraction(scaled, SCALE), status, steps


def scaled_score_facts(scenario: Scenario, items: Iterable[Fact]) -> tuple[int, str, int]:
    """:func:`score_facts` with the score x ``SCALE`` as an integer (exact: the score is
    rounded to ``QUANTUM`` places), for re-grading many stored episodes quickly.

    Raises:
        KeyError: a payload missing a field its event type has.
        TypeError, ValueError, AttributeError: a field of the wrong type.
    """
    earned, status, steps, outcome = _evaluate_facts(scenario, items, details=False)
    return _quantize_ratio(*_total(earned, outcome.gate)), status, steps


def potential(scenario: Scenario, events: Sequence[Event]) -> Fraction:
    """The score of ``events`` rounded to ``QUANTUM`` places (the shaping potential), as a
    ``Fraction``; equal to ``Fraction(grade(scenario, events).score_exact)``."""
    return score_facts(scenario, facts(events))[0]


def potential_of(scenario: Scenario, tally: Tally) -> Fraction:
    """:func:`potential` of the log ``tally`` has read."""
    return Fraction(scaled_potential_of(scenario, tally), SCALE)


def scaled_potential_of(scenario: Scenario, tally: Tally) -> int:
    """:func:`potential_of` x ``SCALE``: the same number as an integer (the potential is
    rounded to ``QUANTUM`` places, so this is exact)."""
    earned, _, _, outcome = _earned(scenario, tally, details=False)
    return _quantize_ratio(*_total(earned, outcome.gate))


def scaled(value: Fraction) -> int:
    """``value`` x ``SCALE``, rounded half-even to an integer (exact for any number with at
    most ``QUANTUM`` decimal places, such as the step costs)."""
    return _quantize(value)
