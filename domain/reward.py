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
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal, TypeVar

#: A reward's number type: exact fractions, or scaled integers.
N = TypeVar("N", Fraction, int)

#: Cost of an illegal trigger (a ``TransitionRejected``).
REJECTED_COST = Fraction(2, 100)
#: Cost of a legal trigger missing what it needs (an ``ActionInvalid``).
INVALID_COST = Fraction(2, 100)
#: Cost of an action identical to one already taken in the episode.
REPEAT_COST = Fraction(1, 100)
#: Cost of a classification that changes one already made (as much as a repeat).
CHANGE_COST = REPEAT_COST

#: The reward modes (see the module docstring).
RewardMode = Literal["dense", "terminal"]
REWARD_MODES: tuple[RewardMode, ...] = ("dense", "terminal")


def step_reward(before: N, after: N, cost: N) -> N:
    """Shaped reward of one step: potential gained minus the action's cost (exact).

    The numbers are ``Fraction``s, or integer counts of ``10**-QUANTUM``
    (:data:`caseops.domain.grader.SCALE`, what the engine uses): exact either way,
    because potentials are recorded to ``QUANTUM`` places and every cost above has two.
    """
    return after - before - cost
