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
Russell, 1999; :mod:`caseops.domain.reward`).
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
