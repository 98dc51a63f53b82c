"""Agreement of a judge with the labelled corpus (``tests/data/judge_corpus``).

The corpus has two parts: the *composed* one (``replies.jsonl``, ``notes.jsonl``, built by
``compose.py`` from sentence pools, labels following from the composition) and the
*hand-written* one (``handwritten.jsonl``: replies and notes for the six seed cases, each
written and labelled by reading, with its dev/test split fixed before the judge was run on
it). Each corpus row names its case (``family``/``seed`` or a seed ``task_id``), the text, and
the labels a support lead gave it: the points it makes and the forbidden claims it
asserts. A text is *acceptable* when its component share is at least 0.6 (no forbidden
claim asserted, and at least 60% of the points made), the bar issue 18 sets.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from caseops.cases.catalog import get_scenario
from caseops.cases.generator import generate
from caseops.domain.judge.verdict import Verdict
from caseops.domain.scenario import Claim, Point, Scenario

#: The corpus shipped with the tests.
CORPUS_DIR = Path(__file__).resolve().parents[1] / "tests" / "data" / "judge_corpus"
ACCEPTABLE = 0.6

Judge = Callable[[str, tuple[Point, ...], tuple[Claim, ...]], Verdict]


@dataclass
class Counts:
    """True/false positives and negatives of one label."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, truth: bool, said: bool) -> None:
        """Count one decision."""
        if truth and said:
            self.tp += 1
        elif said:
            self.fp += 1
        elif truth:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        """tp / (tp + fp); 1.0 with no positive decision."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn); 1.0 with no positive label."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def balanced_accuracy(self) -> float:
        """(recall + specificity) / 2."""
        spec = self.tn / (self.tn + self.fp) if self.tn + self.fp else 1.0
        return (self.recall + spec) / 2


@dataclass
class Agreement:
    """Per point name and per claim name counts, and the acceptable-text counts, by kind
    (``reply``/``note``)."""

    points: dict[str, Counts] = field(default_factory=dict)
    claims: dict[str, Counts] = field(default_factory=dict)
    acceptable: dict[str, Counts] = field(default_factory=dict)
    rows: int = 0


#: The files of each corpus part (see the module docstring).
PARTS: dict[str, tuple[str, ...]] = {
    "composed": ("replies.jsonl", "notes.jsonl"),
    "handwritten": ("handwritten.jsonl",),
}
PARTS["all"] = PARTS["composed"] + PARTS["handwritten"]


def load(
    split: str | None = None, corpus: Path = CORPUS_DIR, part: str = "all"
) -> list[dict[str, Any]]:
    """The corpus rows of ``part`` (``composed``, ``handwritten`` or ``all``; file order),
    optionally of one split (``dev``/``test``). Raises ``ValueError`` on an unknown part."""
    if part not in PARTS:
        raise ValueError(f"part must be one of {sorted(PARTS)}, not {part!r}")
    out = []
    for name in PARTS[part]:
        with open(corpus / name, encoding="utf-8") as f:
            out += [json.loads(line) for line in f if line.strip()]
    return [r for r in out if split is None or r["split"] == split]


def scenario_of_row(row: dict[str, Any]) -> Scenario:
    """The case a corpus row was written for."""
    if row["family"] == "seed":
        return get_scenario(row["task_id"])
    return generate(row["family"], int(row["seed"]))


def _share(made: int, total: int, bad: bool) -> float:
    return 0.0 if bad else (made / total if total else 1.0)


def agreement(rows: Iterable[dict[str, Any]], judge: Judge) -> Agreement:
    """How ``judge`` agrees with the labels of ``rows``."""
    out = Agreement()
    for row in rows:
        sc = scenario_of_row(row)
        pts = sc.gold.reply_points if row["kind"] == "reply" else sc.gold.note_points
        v = judge(row["text"], pts, sc.gold.forbidden_claims)
        made_true, claims_true = set(row["points"]), set(row["claims"])
        for f in v.points:
            out.points.setdefault(f.name, Counts()).add(f.name in made_true, f.ok)
        for f in v.claims:
            out.claims.setdefault(f.name, Counts()).add(f.name in claims_true, f.ok)
        truth = _share(len(made_true & {p.name for p in pts}), len(pts), bool(claims_true))
        said = _share(len(v.made), len(pts), bool(v.asserted))
        out.acceptable.setdefault(row["kind"], Counts()).add(
            truth >= ACCEPTABLE, said >= ACCEPTABLE
        )
        out.rows += 1
    return out
