"""The grader: ``grade(scenario, events) -> GradeReport``. Pure and deterministic.

The score is a weighted sum of components, each earned in [0, 1], over the components
that apply to the case (a component with no gold, such as requested fields in a case that
needs no follow-up, drops out and the other weights are renormalised), so the score is
always in [0, 1]. Arithmetic is exact (``fractions.Fraction``); the report carries both a
float and a 12-place decimal string.

The grade of a partial log is the potential used for reward shaping (DESIGN section 4,
after Ng, Harada & Russell, 1999): it treats the case's current state as final.

Anti-gaming rules (DESIGN section 4): a reply longer than ``MAX_REPLY_CHARS`` is refused
when drafted; a reply that makes any of the scenario's forbidden claims earns no reply
credit; efficiency is earned only when the outcome (final status and resolution code) is
right and every required piece of evidence was collected; the SLA part only when the
case reached the right queue (by classify or escalate) before the SLA ran out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict

from .events import (
    STEP_EVENT_TYPES,
    Event,
)
from .scenario import Claim, Gold, Marker, Scenario
from .trusted import trusted

GRADER_VERSION = "1.0.0"

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
    [0, 1], ``points`` = weight x earned, and the ids of the events that earned it."""

    model_config = ConfigDict(frozen=True)

    name: str
    weight: float
    earned: float
    points: float
    detail: str
    event_ids: list[str]


class GradeReport(BaseModel):
    """The grade of an episode (or of its log so far)."""

    model_config = ConfigDict(frozen=True)

    task_id: str
    grader_version: str
    score: float
    score_exact: str
    final_status: str
    steps: int
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


@lru_cache(maxsize=4096)
def _any_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern that matches when any of ``phrases`` does (same boundaries as
    :func:`_phrase_pattern`)."""
    body = "|".join(re.escape(_normalise(p)) for p in phrases)
    return re.compile(r"(?<!\w)(?:" + body + r")(?!\w)")


def marker_hits(markers: Sequence[Marker], text: str) -> list[str]:
    """Names of the markers that ``text`` meets."""
    norm = _normalise(text)
    return [m.name for m in markers if _any_pattern(m.phrases).search(norm) is not None]


def forbidden_hits(claims: Sequence[Claim], text: str) -> list[str]:
    """The forbidden claims that ``text`` makes."""
    if not claims:
        return []
    norm = _normalise(text)
    return [c.name for c in claims if _any_pattern(c.phrases).search(norm) is not None]


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
    first_classify: int | None = None
    first_breach: int | None = None
    #: the reply and note components, worked out when their text was read (``None``
    #: until then): matching phrases is the costly part of a grade, and it is done once
    #: per drafted reply or added note rather than at every step
    reply_credit: Credit | None = None
    note_credit: Credit | None = None


def _reply_credit(gold: Gold, reply: str | None, reply_idx: int | None) -> Credit:
    """The reply component for the latest drafted reply (none: ``reply`` is ``None``)."""
    if reply is None:
        return (0, 1, "no reply drafted", ())
    bad = forbidden_hits(gold.forbidden_claims, reply)
    if bad:
        return (0, 1, f"forbidden claim: {bad[0]!r}", ())
    hits = marker_hits(gold.reply_markers, reply)
    return (
        len(hits),
        len(gold.reply_markers),
        f"{len(hits)} of {len(gold.reply_markers)} points made",
        (reply_idx,) if hits and reply_idx is not None else (),
    )


def _note_credit(gold: Gold, notes: tuple[tuple[int, str], ...]) -> Credit:
    """The internal-note component for every note so far (the markers are met by the
    notes read together, so a point may be made across two of them)."""
    text = "\n".join(n for _, n in notes)
    hits = marker_hits(gold.note_markers, text)
    return (
        len(hits),
        len(gold.note_markers),
        f"{len(hits)} of {len(gold.note_markers)} points noted",
        tuple(i for i, n in notes if marker_hits(gold.note_markers, n)),
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
    reply_credit, note_credit = t.reply_credit, t.note_credit

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
                if first_classify is None and queue == gold_queue:
                    first_classify = i
            elif kind in _ENDING_TYPES and ev.get("resolution_code"):
                resolution, resolution_idx = ev["resolution_code"], i
        elif kind == "CustomerReplied":
            status, status_idx = ev["to_state"], i
        elif kind == "SlaBreached" and first_breach is None:
            first_breach = i

    gold = scenario.gold
    if reply_credit is None and gold.reply_markers:
        reply_credit = _reply_credit(gold, reply, reply_idx)
    if note_credit is None and gold.note_markers:
        note_credit = _note_credit(gold, notes)
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
    )


def tally_of(scenario: Scenario, events: Iterable[Event], tally: Tally = EMPTY_TALLY) -> Tally:
    """``tally`` after reading live ``events`` (by default the tally of ``events`` alone)."""
    return advance(scenario, tally, facts(events))


def _evaluate_facts(
    scenario: Scenario, items: Iterable[Fact], details: bool = True
) -> tuple[Earned, str, int]:
    """Per component: (earned in [0, 1], detail, indexes of the events that earned it);
    plus the final status and the number of steps (``details``: see :func:`_earned`).

    Raises:
        KeyError: a stored payload missing a field its type has.
        TypeError, ValueError, AttributeError: a stored field of the wrong type.
    """
    return _earned(scenario, advance(scenario, EMPTY_TALLY, items), details)


def _earned(scenario: Scenario, t: Tally, details: bool = True) -> tuple[Earned, str, int]:
    """The components earned by the log a tally has read, its status and its steps.

    With ``details`` false the numbers are the same but each component's detail text is
    empty and it cites no events: the potential, worked out at every step, reads only the
    numbers.
    """
    gold = scenario.gold
    status, status_idx = t.status, t.status_idx
    queue, priority, issue_type = t.queue, t.priority, t.issue_type
    queue_idx, class_idx = t.queue_idx, t.class_idx
    resolution, resolution_idx = t.resolution, t.resolution_idx
    requested, evidence = t.requested, t.evidence
    steps = t.steps
    first_classify, first_breach = t.first_classify, t.first_breach

    earned: Earned = {}

    def one(ok: bool, idx: int | None, detail: str) -> tuple[int, int, str, list[int]]:
        return (1 if ok else 0, 1, detail, [idx] if ok and idx is not None and details else [])

    status_ok = status == gold.final_status
    earned["final_status"] = one(status_ok, status_idx, f"status {status}" if details else "")
    resolution_ok = True
    if gold.resolution_code is not None:
        resolution_ok = resolution == gold.resolution_code
        earned["resolution_code"] = one(
            resolution_ok, resolution_idx, f"code {resolution}" if details else ""
        )
    earned["queue"] = one(queue == gold.queue, queue_idx, f"queue {queue}" if details else "")
    earned["priority"] = one(
        priority == gold.priority, class_idx, f"priority {priority}" if details else ""
    )
    earned["issue_type"] = one(
        issue_type == gold.issue_type, class_idx, f"issue {issue_type}" if details else ""
    )

    if gold.requested_fields:
        want = set(gold.requested_fields)
        got = set(requested)
        hit = want & got
        earned["requested_fields"] = (
            2 * len(hit),
            len(want) + len(got),
            f"{len(hit)} of {len(want)} needed, {len(got - want)} unneeded" if details else "",
            sorted({requested[f] for f in hit}) if details else [],
        )

    if gold.required_evidence:
        need = gold.required_evidence
        have = [e for e in need if e in evidence]
        earned["evidence"] = (
            len(have),
            len(need),
            f"{len(have)} of {len(need)} collected" if details else "",
            sorted({evidence[e] for e in have}) if details else [],
        )

    if gold.reply_markers:
        vn, vd, detail, idxs = t.reply_credit or _reply_credit(gold, None, None)
        earned["reply"] = (vn, vd, detail, list(idxs))

    if gold.note_markers:
        vn, vd, detail, idxs = t.note_credit or _note_credit(gold, ())
        earned["internal_note"] = (vn, vd, detail, list(idxs))

    investigated = all(e in evidence for e in gold.required_evidence)
    if status_ok and resolution_ok and investigated:
        budget, best = scenario.step_budget, gold.optimal_steps
        # full credit up to the best path, then linearly down to zero at the budget
        eff = (1, 1) if steps <= best else (max(0, budget - steps), max(1, budget - best))
        earned["efficiency"] = (*eff, f"{steps} steps, best {best}" if details else "", [])
    else:
        earned["efficiency"] = (0, 1, "outcome not right or not investigated", [])

    sla_ok = first_classify is not None and (first_breach is None or first_classify < first_breach)
    earned["sla"] = one(
        sla_ok, first_classify, "routed right within SLA" if sla_ok else "not routed right in SLA"
    )

    return earned, status, steps


_WEIGHT_PCT = {name: int(w * 100) for name, w in WEIGHTS.items()}


def _total(earned: Earned) -> tuple[int, int]:
    """The renormalised weighted sum as ``(numerator, denominator)``, in integers (it
    runs on every step)."""
    total_weight = 0
    num, den = 0, 1
    for name, (vn, vd, _, _) in earned.items():
        w = _WEIGHT_PCT[name]
        total_weight += w
        if vn:
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
    earned, status, steps = _earned(scenario, tally)
    # Integer arithmetic (this runs at the end of every episode): each float below is a
    # correctly rounded int / int, the same value as float() of the exact Fraction.
    total_pct = sum(_WEIGHT_PCT[name] for name in earned)
    components: list[ComponentScore] = []
    for name in WEIGHTS:
        if name not in earned:
            continue
        vn, vd, detail, idxs = earned[name]
        w = _WEIGHT_PCT[name]
        components.append(
            trusted(
                ComponentScore,
                {
                    "name": name,
                    "weight": w / total_pct,
                    "earned": vn / vd,
                    "points": (w * vn) / (total_pct * vd),
                    "detail": detail,
                    "event_ids": [_ids(event_ids, i) for i in idxs],
                },
            )
        )
    num, den = _total(earned)
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
            "components": components,
        },
    )


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
    earned, status, steps = _evaluate_facts(scenario, items, details=False)
    return _quantize_ratio(*_total(earned)), status, steps


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
    earned, _, _ = _earned(scenario, tally, details=False)
    return _quantize_ratio(*_total(earned))


def scaled(value: Fraction) -> int:
    """``value`` x ``SCALE``, rounded half-even to an integer (exact for any number with at
    most ``QUANTUM`` decimal places, such as the step costs)."""
    return _quantize(value)
