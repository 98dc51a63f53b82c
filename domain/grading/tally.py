"""The grader's single pass over a log: :class:`Tally`, what it has read so far.

A log is graded from its facts (an event's type name and its fields), live or stored, in
one pass that can be taken in pieces: the potential of every step reads only that step's
new events (:func:`advance`), not the whole stream again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from caseops.canonical import sha256_hex
from caseops.domain.events import STEP_EVENT_TYPES, Event
from caseops.domain.judge import Verdict
from caseops.domain.scenario import Gold, Scenario

from .component import Component
from .evidence import evidence_key
from .judged import note_credit, reply_credit, verdict_of_fact

#: A graded fact: an event's type name and its fields (``Event.__dict__`` of a live
#: event, or the JSON payload of a stored one: both hold the same keys and values).
Fact = tuple[str, Mapping[str, Any]]

_ENDING_TYPES = frozenset({"CaseResolved", "CaseSubmitted"})


def facts(events: Iterable[Event]) -> list[Fact]:
    """The facts of live events (no copy: a pydantic model's ``__dict__`` is its fields)."""
    return [(type(ev).__name__, ev.__dict__) for ev in events]


@dataclass(frozen=True)
class Tally:
    """What the grader has read of one episode's log so far.

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
    #: until then): judging is the costly part of a grade, and it is done once per
    #: drafted reply or added note rather than at every step
    reply_credit: Component | None = None
    note_credit: Component | None = None
    #: recorded judge verdicts (``JudgeVerdict`` events), by the index of the reply or
    #: note event they judge (read-only by convention)
    verdicts: Mapping[int, Verdict] = field(default_factory=dict)
    #: the team the case was escalated to (``None``: never escalated)
    escalated_to: str | None = None
    #: whether the log holds ``EpisodeEnded``
    ended: bool = False


#: The tally of an empty log.
EMPTY_TALLY = Tally()


def _adding(have: Mapping[str, int], key: str, idx: int) -> Mapping[str, int]:
    """``have`` with ``key`` first seen at ``idx``: a copy only when the key is new (the
    mapping of the tally given is never changed)."""
    return have if key in have else {**have, key: idx}


def _read_step(t: Any, gold: Gold, kind: str, ev: Mapping[str, Any], i: int) -> None:
    """Read one step event (the ``i``-th) into the working copy ``t``."""
    if ev["step"] > t.steps:
        t.steps = ev["step"]
    if ev["to_state"] != t.status:
        t.status, t.status_idx = ev["to_state"], i
    key = evidence_key(kind, ev)
    if key is not None:
        t.evidence = _adding(t.evidence, key, i)
    elif kind == "ReplyDrafted":
        t.reply, t.reply_idx, t.reply_credit = ev["message"], i, None
    elif kind == "InternalNoteAdded":
        t.notes, t.note_credit = (*t.notes, (i, ev["note"])), None
    elif kind == "CaseClassified":
        t.queue, t.priority, t.issue_type = ev["queue"], ev["priority"], ev["issue_type"]
        t.queue_idx = t.class_idx = i
        if t.first_classify is None and t.queue == gold.queue:
            t.first_classify = i
    elif kind == "InfoRequested":
        for f in ev["requested_fields"]:
            t.requested = _adding(t.requested, f, i)
    elif kind == "CaseEscalated":
        t.queue, t.queue_idx = ev["queue"], i
        t.escalated_to = t.queue
        if t.first_classify is None and gold.escalates and t.queue == gold.queue:
            t.first_classify = i
    elif kind in _ENDING_TYPES and ev.get("resolution_code"):
        t.resolution, t.resolution_idx = ev["resolution_code"], i


def _read_verdict(t: Any, ev: Mapping[str, Any], i: int) -> None:
    """Read a recorded ``JudgeVerdict``: it judges the text of the event just before it
    (that text only, and only when its hash matches)."""
    if t.reply_idx == i - 1:
        text: str | None = t.reply
    elif t.notes and t.notes[-1][0] == i - 1:
        text = t.notes[-1][1]
    else:
        text = None
    if text is not None and sha256_hex(text) == ev["text_sha256"]:
        t.verdicts = {**t.verdicts, i - 1: verdict_of_fact(ev)}
        t.reply_credit = t.note_credit = None


def advance(scenario: Scenario, tally: Tally, items: Iterable[Fact]) -> Tally:
    """``tally`` after reading ``items``, the next facts of the same log (see :class:`Tally`).

    Raises:
        KeyError: a stored payload missing a field its type has.
        TypeError, ValueError, AttributeError: a stored field of the wrong type.
    """
    gold = scenario.gold
    t = SimpleNamespace(**vars(tally))  # a working copy, frozen again at the end
    for i, (kind, ev) in enumerate(items, start=tally.read):
        t.read = i + 1
        if kind in STEP_EVENT_TYPES:
            _read_step(t, gold, kind, ev, i)
        elif kind == "CustomerReplied":
            t.status, t.status_idx = ev["to_state"], i
        elif kind == "SlaBreached" and t.first_breach is None:
            t.first_breach = i
        elif kind == "EpisodeEnded":
            t.ended = True
        elif kind == "JudgeVerdict":
            _read_verdict(t, ev, i)
    if t.reply_credit is None and gold.reply_markers:
        t.reply_credit = reply_credit(gold, t.reply, t.reply_idx, t.verdicts)
    if t.note_credit is None and gold.note_markers:
        t.note_credit = note_credit(gold, t.notes, t.verdicts)
    return Tally(**vars(t))


def tally_of(scenario: Scenario, events: Iterable[Event], tally: Tally = EMPTY_TALLY) -> Tally:
    """``tally`` after reading live ``events`` (by default the tally of ``events`` alone)."""
    return advance(scenario, tally, facts(events))
