"""Judges of replies and notes: what a text says, against a case's points and claims.

:func:`judge_text` is the rule judge (:mod:`.rules`, spaCy + negspacy, deterministic);
:mod:`.model` holds the optional language-model judge, whose verdicts are recorded as
events so that grading never calls a model (see ``docs/architecture.md``).
"""

from __future__ import annotations

from .analysis import analyse
from .facts import fact_in
from .rules import RULE_JUDGE_ID, judge_text
from .verdict import Finding, Verdict

__all__ = ["RULE_JUDGE_ID", "Finding", "Verdict", "analyse", "fact_in", "judge_text"]
