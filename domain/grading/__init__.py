"""The grader: the grade of an episode's log, pure and deterministic.

- :mod:`.tally`: the single pass over a log's facts (:class:`Tally`, :func:`advance`);
- :mod:`.evidence`: the evidence key a step collects (shared with the case record);
- :mod:`.judged`: the reply and note components, from the judge's verdicts;
- :mod:`.outcome`: whether the outcome is right, and how much process credit counts;
- :mod:`.components`: the components earned and the :class:`~caseops.domain.score.Score`
  they add up to (:func:`score_of`, the shaping potential of every step);
- :mod:`.report`: the :class:`GradeReport` (:func:`grade`);
- :mod:`.regrade`: stored episodes re-graded in bulk from their payloads.

The grade of a partial log is the potential used for reward shaping (after Ng, Harada &
Russell, 1999; :mod:`caseops.domain.reward`). Every rule is written so that a step that
moves the case away from its right outcome never raises it (``tests/test_sealed.py``).
Against gaming: a reply longer than ``MAX_REPLY_CHARS`` is refused when drafted; a reply
or note is judged on what it says, and one that asserts a forbidden claim earns nothing;
evidence is graded on precision and recall (F1); efficiency is earned only for the right
outcome with every required piece of evidence collected.
"""

from __future__ import annotations

from .component import GRADER_VERSION, WEIGHTS, Component
from .components import score_of, score_of_facts
from .report import ComponentScore, GradeReport, grade, grade_tally
from .tally import EMPTY_TALLY, Fact, Tally, advance, facts, tally_of

__all__ = [
    "EMPTY_TALLY",
    "GRADER_VERSION",
    "WEIGHTS",
    "Component",
    "ComponentScore",
    "Fact",
    "GradeReport",
    "Tally",
    "advance",
    "facts",
    "grade",
    "grade_tally",
    "score_of",
    "score_of_facts",
    "tally_of",
]
