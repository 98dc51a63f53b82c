"""Reward: potential-based shaping on the grader (Ng, Harada & Russell, 1999).

Two reward modes, chosen per episode and recorded in ``EpisodeStarted``:

- ``dense`` (training; the default): ``reward_t = grade(events[:t]) - grade(events[:t-1])
  - cost(action_t)``, where the potential is the grader's score of the log so far and
  costs are charged only for rejected (illegal), invalid and repeated actions and for a
  classification changed after one was made. Summed over an episode the rewards are
  exactly ``final score - starting potential - total cost``.
- ``terminal`` (evaluation): every step's reward is 0 and the step that ends the episode
  gets the final score; no costs. The rewards sum to the final score, and no running
  score is shown until the end.

Every number is a :class:`~caseops.domain.score.Score`: exact, so the sums above hold to
the last recorded digit.
"""

from __future__ import annotations

from typing import Literal

from .events import ActionInvalid, CaseClassified, StepEvent, TransitionRejected
from .score import ZERO, Score
from .state import CaseRecord

#: Cost of an illegal trigger (a ``TransitionRejected``).
REJECTED_COST = Score.ratio(2, 100)
#: Cost of a legal trigger missing what it needs (an ``ActionInvalid``).
INVALID_COST = Score.ratio(2, 100)
#: Cost of an action identical to one already taken in the episode.
REPEAT_COST = Score.ratio(1, 100)
#: Cost of a classification that changes one already made (as much as a repeat).
CHANGE_COST = REPEAT_COST

#: The reward modes (see the module docstring).
RewardMode = Literal["dense", "terminal"]
REWARD_MODES: tuple[RewardMode, ...] = ("dense", "terminal")


def cost_of(event: StepEvent, record: CaseRecord | None = None) -> Score:
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


def step_reward(
    record: CaseRecord, event: StepEvent, after: Score, ends: bool
) -> tuple[Score, Score]:
    """The reward and the cost of the step ``event`` taken on ``record``.

    Args:
        record: the record before the step (its ``score`` is the potential before it,
            its ``reward_mode`` the episode's mode).
        event: the step's event.
        after: the potential after the step (the grade of the log with it).
        ends: whether the step ends the episode.

    Returns:
        ``(reward, cost)``: in the dense mode the potential gained minus the cost; in the
        terminal mode 0 until the step that ends the episode, which gets ``after``, and
        no cost.
    """
    if record.reward_mode == "terminal":
        return (after if ends else ZERO), ZERO
    cost = cost_of(event, record)
    return after - record.score - cost, cost
