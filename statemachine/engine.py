"""One pure step of the environment: decide, grade, stamp the reward, evolve.

This is the whole environment dynamics without any I/O; the API layer only loads the
stream, calls :func:`apply_step` and appends what it returns. Replay calls the same
function, which is why a replay reproduces every recorded reward exactly.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from caseops.cases.generator import GENERATOR_VERSION
from caseops.domain.actions import CaseAction
from caseops.domain.events import (
    ActionInvalid,
    CaseClassified,
    EpisodeEnded,
    EpisodeStarted,
    Event,
    InternalNoteAdded,
    JudgeVerdict,
    ReplyDrafted,
    StepEvent,
    TransitionRejected,
)
from caseops.domain.grader import (
    GRADER_VERSION,
    SCALE,
    ZERO,
    Tally,
    fmt,
    fmt_scaled,
    parse_scaled,
    potential,
    scaled,
    scaled_potential_of,
    tally_of,
)
from caseops.domain.reward import (
    CHANGE_COST,
    INVALID_COST,
    REJECTED_COST,
    REPEAT_COST,
    RewardMode,
    step_reward,
)
from caseops.domain.scenario import Scenario
from caseops.domain.state import CaseRecord

from .decide import decide
from .evolve import evolve


@dataclass(frozen=True, slots=True)
class StepOutcome:
    """What one step produced: the stamped events to append and the new record.

    ``reward_scaled``, ``score_scaled`` and ``cost_scaled`` are the step's reward, score
    and cost exactly, as integer counts of ``10**-12`` (``grader.SCALE``); ``reward``,
    ``score`` and ``cost`` give them as ``Fraction``; the same values, as 12-place decimal
    strings, are stamped on ``events[0]``. ``tally`` is the grader's tally of the log with
    these events appended (the next step's starting point).
    """

    events: list[Event]
    record: CaseRecord
    reward_scaled: int
    score_scaled: int
    cost_scaled: int
    tally: Tally

    @property
    def reward(self) -> Fraction:
        """The shaped reward (exact)."""
        return Fraction(self.reward_scaled, SCALE)

    @property
    def score(self) -> Fraction:
        """The potential after the step: the grade of the log so far (exact)."""
        return Fraction(self.score_scaled, SCALE)

    @property
    def cost(self) -> Fraction:
        """The cost charged for the step (exact)."""
        return Fraction(self.cost_scaled, SCALE)

    @property
    def done(self) -> bool:
        """Whether this step ended the episode."""
        return self.record.done


def fold(events: Iterable[Event], record: CaseRecord | None = None) -> CaseRecord:
    """Fold ``events`` into a record (from an empty one by default)."""
    rec = record if record is not None else CaseRecord()
    for ev in events:
        rec = evolve(rec, ev)
    return rec


#: ``id(scenario)`` -> (a weak reference to it, its content hash, its start score): what
#: every reset of the same scenario object recomputed (hashing the whole case and grading
#: the empty log were a third of a reset). By identity, as scenarios are frozen but not
#: hashable; an entry leaves when its scenario is collected, and a hit is checked to be
#: the same object.
_STARTS: dict[int, tuple[weakref.ReferenceType[Scenario], str, str]] = {}


def _hash_and_start_score(scenario: Scenario) -> tuple[str, str]:
    """``(scenario.content_hash(), fmt(potential(scenario, [])))``, once per scenario object."""
    key = id(scenario)
    hit = _STARTS.get(key)
    if hit is not None and hit[0]() is scenario:
        return hit[1], hit[2]
    content_hash, start_score = scenario.content_hash(), fmt(potential(scenario, []))

    def forget(_: object, key: int = key) -> None:
        _STARTS.pop(key, None)

    _STARTS[key] = (weakref.ref(scenario, forget), content_hash, start_score)
    return content_hash, start_score


def start_episode(
    scenario: Scenario,
    episode_id: str,
    reward_mode: RewardMode = "dense",
    salt_hash: str | None = None,
) -> tuple[EpisodeStarted, CaseRecord]:
    """The ``EpisodeStarted`` event for a new episode of ``scenario`` and its record.

    Args:
        scenario: the case.
        episode_id: the new stream's id.
        reward_mode: ``dense`` (shaped rewards) or ``terminal`` (see :func:`apply_step`).
        salt_hash: sha256 of the private test salt the case was generated with, if any.
    """
    content_hash, start_score = _hash_and_start_score(scenario)
    started = EpisodeStarted(
        episode_id=episode_id,
        task_id=scenario.task_id,
        split=scenario.split,
        seed=scenario.seed,
        scenario_hash=content_hash,
        grader_version=GRADER_VERSION,
        step_budget=scenario.step_budget,
        start_score=start_score,
        reward_mode=reward_mode,
        generator_version=GENERATOR_VERSION,
        salt_hash=salt_hash,
        scenario=scenario.model_dump(mode="json"),
    )
    return started, evolve(CaseRecord(), started)


def cost_of(event: StepEvent, record: CaseRecord | None = None) -> Fraction:
    """The cost charged for a step event taken on ``record``: rejected, invalid,
    repeated, a classification changed after one was made (``record`` says what was
    classified before; without it no change is seen), or nothing."""
    if isinstance(event, TransitionRejected):
        return REJECTED_COST
    if isinstance(event, ActionInvalid):
        return INVALID_COST
    if event.repeated:
        return REPEAT_COST
    if (
        isinstance(event, CaseClassified)
        and record is not None
        and record.priority is not None
        and (event.queue, event.priority, event.issue_type)
        != (record.queue, record.priority, record.issue_type)
    ):
        return CHANGE_COST
    return ZERO


#: Each cost as an integer count of 10**-12 (exact: the costs have two decimal places).
_SCALED_COST = {c: scaled(c) for c in (ZERO, REJECTED_COST, INVALID_COST, REPEAT_COST, CHANGE_COST)}
assert all(Fraction(q, SCALE) == c for c, q in _SCALED_COST.items())


def apply_step(
    scenario: Scenario,
    record: CaseRecord,
    history: Sequence[Event],
    action: CaseAction,
    tally: Tally | None = None,
    verdict: JudgeVerdict | None = None,
) -> StepOutcome:
    """Run one agent step.

    Args:
        scenario: the episode's scenario.
        record: the record folded from ``history``.
        history: the stream's events so far (``EpisodeStarted`` first).
        action: the agent's action.
        tally: the grader's tally of ``history`` when the caller kept it (the previous
            step's ``StepOutcome.tally``): the potential then reads only this step's
            events. Read from ``history`` when ``None``; the result is the same.
        verdict: a judge's verdict on this step's reply or note (a model judge's, made
            by the caller before the step): appended right after the step event when the
            step drafted a reply or added a note, so grading and replay read it instead of
            judging again; ignored for any other step.

    Returns:
        The stamped events and the new record.

    Raises:
        EpisodeAlreadyEnded: when ``record`` is done.
        ValueError: a ``tally`` that has not read exactly ``history``.
    """
    new = decide(scenario, record, action)
    first = new[0]
    assert isinstance(first, StepEvent)
    if verdict is not None and isinstance(first, ReplyDrafted | InternalNoteAdded):
        new = [first, verdict.model_copy(update={"step": first.step}), *new[1:]]
    before = parse_scaled(record.score)
    if tally is None:
        tally = tally_of(scenario, history)
    elif tally.read != len(history):
        raise ValueError(f"the tally has read {tally.read} events; the history has {len(history)}")
    # The grader reads no reward, score or cost: the unstamped events tally the same.
    tally = tally_of(scenario, new, tally)
    after = scaled_potential_of(scenario, tally)
    if record.reward_mode == "terminal":
        # evaluation: nothing until the end, then the final score; no costs
        cost = 0
        ends = any(isinstance(e, EpisodeEnded) for e in new)
        reward = after if ends else 0
    else:
        cost = _SCALED_COST[cost_of(first, record)]
        reward = step_reward(before, after, cost)
    stamped = first.model_copy(
        update={"reward": fmt_scaled(reward), "score": fmt_scaled(after), "cost": fmt_scaled(cost)}
    )
    events: list[Event] = [stamped, *new[1:]]
    return StepOutcome(
        events=events,
        record=fold(events, record),
        reward_scaled=reward,
        score_scaled=after,
        cost_scaled=cost,
        tally=tally,
    )
