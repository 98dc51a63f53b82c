"""Reward: potential-based shaping on the grader (Ng, Harada & Russell, 1999).

``reward_t = grade(events[:t]) - grade(events[:t-1]) - cost(action_t)``, where the
potential is the grader's score of the log so far and costs are charged only for
rejected (illegal), invalid and repeated actions. Summed over an episode the rewards are
exactly ``final score - starting potential - total cost`` (DESIGN section 4).
"""

from __future__ import annotations

from fractions import Fraction

#: Cost of an illegal trigger (a ``TransitionRejected``).
REJECTED_COST = Fraction(2, 100)
#: Cost of a legal trigger missing what it needs (an ``ActionInvalid``).
INVALID_COST = Fraction(2, 100)
#: Cost of an action identical to one already taken in the episode.
REPEAT_COST = Fraction(1, 100)


def step_reward(before: Fraction, after: Fraction, cost: Fraction) -> Fraction:
    """Shaped reward of one step: potential gained minus the action's cost (exact)."""
    return after - before - cost


def step_reward_scaled(before: int, after: int, cost: int) -> int:
    """:func:`step_reward` with every number as an integer count of ``10**-QUANTUM``
    (:data:`caseops.domain.grader.SCALE`): exact, because potentials are recorded to
    ``QUANTUM`` places and every cost above has at most two."""
    return after - before - cost
