"""The case state folded from events (the write model's projection).

A frozen dataclass: :func:`caseops.statemachine.evolve` returns a new one per event.
Nothing here is gold.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field, fields
from typing import Any

from .score import ZERO, Score


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """Everything decide and the observation need to know about one episode.

    ``sla_minutes_remaining`` is in minutes (negative once breached); ``version`` is the
    stream version of the last event folded in (0 before ``EpisodeStarted``).
    ``score`` is the potential after the last step (the start score before any),
    ``last_reward`` that step's reward and ``total_reward`` the sum of every step's.
    """

    episode_id: str = ""
    task_id: str = ""
    step_budget: int = 0
    reward_mode: str = "dense"
    status: str = "new"
    status_before_wait: str | None = None
    queue: str | None = None
    priority: str | None = None
    issue_type: str | None = None
    escalated_to: str | None = None
    requested_fields: tuple[str, ...] = ()
    customer_answers: tuple[tuple[str, str], ...] = ()
    drafted_reply: str | None = None
    internal_notes: tuple[str, ...] = ()
    resolution_code: str | None = None
    evidence: tuple[str, ...] = ()
    steps_taken: int = 0
    sla_minutes_remaining: int = 0
    minutes_per_step: int = 0
    sla_breached: bool = False
    done: bool = False
    end_reason: str | None = None
    last_tool_result: str | None = None
    last_action_error: str | None = None
    last_reward: Score = ZERO
    score: Score = ZERO
    total_reward: Score = ZERO
    rejected_actions: int = 0
    seen_actions: frozenset[str] = field(default_factory=frozenset)
    version: int = 0


_FIELDS = tuple(f.name for f in fields(CaseRecord))
_values = operator.attrgetter(*_FIELDS)
_SETTERS = tuple(getattr(CaseRecord, name).__set__ for name in _FIELDS)
_SETTER = dict(zip(_FIELDS, _SETTERS, strict=True))


def replace_record(record: CaseRecord, **changes: Any) -> CaseRecord:
    """``dataclasses.replace(record, **changes)``, copied through the slots.

    Kept because the generic ``replace`` costs about 5% of a step (one call per event;
    bench/README.md). Valid while every field of :class:`CaseRecord` is a plain init
    field with no ``__post_init__`` (``tests/test_statemachine.py`` holds it to that and
    to ``dataclasses.replace``).

    Raises:
        TypeError: a change names no field of the record.
    """
    out = object.__new__(CaseRecord)
    for set_field, value in zip(_SETTERS, _values(record), strict=True):
        set_field(out, value)
    for name, value in changes.items():
        setter = _SETTER.get(name)
        if setter is None:
            raise TypeError(f"CaseRecord has no field {name!r}")
        setter(out, value)
    return out
