"""One pure step of the environment: decide, grade, stamp the reward, evolve.

This is the whole environment dynamics without any I/O; the API layer only loads the
stream, calls :func:`apply_step` and appends what it returns. Replay calls the same
function, which is why a replay reproduces every recorded reward exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from caseops.cases.generator import GENERATOR_VERSION
from caseops.domain.actions import CaseAction
from caseops.domain.events import (
    EpisodeEnded,
    EpisodeStarted,
    Event,
    InternalNoteAdded,
    JudgeVerdict,
    ReplyDrafted,
    StepEvent,
)
from caseops.domain.grading import EMPTY_TALLY, GRADER_VERSION, Tally, score_of, tally_of
from caseops.domain.reward import RewardMode, step_reward
from caseops.domain.scenario import Scenario
from caseops.domain.score import Score
from caseops.domain.state import CaseRecord

from .decide import decide
from .evolve import evolve
from .memo import PerObject


@dataclass(frozen=True, slots=True)
class StepOutcome:
    """What one step produced: the stamped events to append and the new record.

    ``reward``, ``score`` and ``cost`` are the step's reward, the potential after it and
    the cost charged, exactly (stamped on ``events[0]`` in their recorded form).
    ``tally`` is the grader's tally of the log with these events appended (the next
    step's starting point).
    """

    events: list[Event]
    record: CaseRecord
    reward: Score
    score: Score
    cost: Score
    tally: Tally

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


def _start_of(scenario: Scenario) -> tuple[str, str]:
    """The content hash and the start score (the grade of the empty log) of a scenario."""
    return scenario.content_hash(), str(score_of(scenario, EMPTY_TALLY))


#: Kept because hashing the whole case at every reset costs about 4% of a step
#: (bench/README.md); a scenario object is reset many times.
_starts: PerObject[Scenario, tuple[str, str]] = PerObject(_start_of)


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
    content_hash, start_score = _starts(scenario)
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
    if tally is None:
        tally = tally_of(scenario, history)
    elif tally.read != len(history):
        raise ValueError(f"the tally has read {tally.read} events; the history has {len(history)}")
    # The grader reads no reward, score or cost: the unstamped events tally the same.
    tally = tally_of(scenario, new, tally)
    after = score_of(scenario, tally)
    ends = any(isinstance(e, EpisodeEnded) for e in new)
    reward, cost = step_reward(record, first, after, ends)
    stamped = first.model_copy(
        update={"reward": str(reward), "score": str(after), "cost": str(cost)}
    )
    events: list[Event] = [stamped, *new[1:]]
    return StepOutcome(
        events=events,
        record=fold(events, record),
        reward=reward,
        score=after,
        cost=cost,
        tally=tally,
    )
