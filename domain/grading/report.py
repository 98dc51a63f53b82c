"""The grade report: ``grade(scenario, events) -> GradeReport``. Pure and deterministic.

The report lists every component that applies to the case with its weight, what it
earned, the share of it the outcome lets count and the events that earned it; for the
reply and the notes also what the judge found. Its ``score`` is the float of the exact
sum and ``score_exact`` that sum as a recorded :class:`~caseops.domain.score.Score`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from caseops.domain.events import Event
from caseops.domain.judge import Verdict
from caseops.domain.scenario import Gold, Scenario
from caseops.domain.score import Score

from .component import GRADER_VERSION, OUTCOME_COMPONENTS
from .components import components, exact_total
from .judged import note_verdict, reply_verdict
from .tally import Tally, tally_of


class ComponentScore(BaseModel):
    """One graded component: ``weight`` (renormalised share of the score), ``earned`` in
    [0, 1], ``counted`` the share of it the outcome lets count (1 for the outcome
    components; for the process components 1 once the case ended right, 1/2 while it
    runs, 0 in a case doomed to the wrong outcome), ``points`` = weight x earned x
    counted, and the ids of the events that earned it."""

    model_config = ConfigDict(frozen=True)

    name: str
    weight: float
    earned: float
    counted: float
    points: float
    detail: str
    event_ids: list[str]
    #: reply and internal_note only, and only in the final report: per point whether it
    #: was made and by which sentence; per forbidden claim whether (and where) it was
    #: asserted (``{"name", "ok", "status", "sentence", "text", "event_id"}``)
    judged_points: list[dict[str, Any]] = Field(default_factory=list)
    judged_claims: list[dict[str, Any]] = Field(default_factory=list)
    judge: str = ""


class GradeReport(BaseModel):
    """The grade of an episode (or of its log so far). ``outcome_ok`` says whether the
    final status, resolution code, requested fields and queue are all right, ``outcome`` why
    (or why not)."""

    model_config = ConfigDict(frozen=True)

    task_id: str
    grader_version: str
    score: float
    score_exact: str
    final_status: str
    steps: int
    outcome_ok: bool
    outcome: str
    components: list[ComponentScore]


def _ids(event_ids: Sequence[str] | None, idx: int) -> str:
    return event_ids[idx] if event_ids is not None else f"#{idx}"


def grade(
    scenario: Scenario,
    events: Sequence[Event],
    event_ids: Sequence[str] | None = None,
) -> GradeReport:
    """Grade an episode from its events (``EpisodeStarted`` may be included or not).

    Args:
        scenario: the scenario the episode ran (its gold decides the grade).
        events: the episode's events in stream order.
        event_ids: optional ids parallel to ``events``, cited in the report; by default
            events are cited by index as ``#<i>``.

    Returns:
        A :class:`GradeReport` with ``score`` in [0, 1].
    """
    return grade_tally(scenario, tally_of(scenario, events), event_ids)


def grade_tally(
    scenario: Scenario, tally: Tally, event_ids: Sequence[str] | None = None
) -> GradeReport:
    """:func:`grade` of the log ``tally`` has read (``event_ids`` parallel to that log)."""
    parts, outcome = components(scenario, tally)
    gn, gd = outcome.gate
    judged = _findings(scenario.gold, tally, event_ids)
    # each float below is a correctly rounded int / int: float() of the exact ratio
    total_weight = sum(c.weight for c in parts)
    rows: list[ComponentScore] = []
    for c in parts:
        # the share of this component that counts: all of an outcome component, the
        # gate's share of a process one (none of either in a doomed case)
        cn, cd = (min(gn, 1), 1) if c.name in OUTCOME_COMPONENTS else (gn, gd)
        rows.append(
            ComponentScore(
                name=c.name,
                weight=c.weight / total_weight,
                earned=c.earned / c.out_of,
                counted=cn / cd,
                points=(c.weight * c.earned * cn) / (total_weight * c.out_of * cd),
                detail=c.why,
                event_ids=[_ids(event_ids, i) for i in c.events],
                **judged.get(c.name, _NO_FINDINGS),
            )
        )
    num, den = exact_total(parts, outcome.gate)
    return GradeReport(
        task_id=scenario.task_id,
        grader_version=GRADER_VERSION,
        score=num / den,
        score_exact=str(Score.ratio(num, den)),
        final_status=tally.status,
        steps=tally.steps,
        outcome_ok=outcome.outcome_ok,
        outcome=outcome.why,
        components=rows,
    )


_NO_FINDINGS: dict[str, Any] = {"judged_points": [], "judged_claims": [], "judge": ""}


def _finding_rows(v: Verdict, idx: int | None, event_ids: Sequence[str] | None) -> dict[str, Any]:
    eid = _ids(event_ids, idx) if idx is not None else None
    return {
        "judged_points": [{**f.to_json(), "event_id": eid} for f in v.points],
        "judged_claims": [{**f.to_json(), "event_id": eid} for f in v.claims],
        "judge": v.judge,
    }


def _findings(gold: Gold, t: Tally, event_ids: Sequence[str] | None) -> dict[str, dict[str, Any]]:
    """The reply's and the notes' findings for the final report (per point: made or not
    and by which sentence; per forbidden claim: asserted or not and where). Notes are read
    together: a point is cited from the first note that made it; a claim from the first
    note that asserted it."""
    out: dict[str, dict[str, Any]] = {}
    if gold.reply_points:
        if t.reply is None or t.reply_idx is None:
            out["reply"] = {**_NO_FINDINGS}
        else:
            v = reply_verdict(gold, t.reply, t.verdicts.get(t.reply_idx))
            out["reply"] = _finding_rows(v, t.reply_idx, event_ids)
    if gold.note_points:
        pts: dict[str, dict[str, Any]] = {}
        cls: dict[str, dict[str, Any]] = {}
        judges: list[str] = []
        for i, n in t.notes:
            v = note_verdict(gold, n, t.verdicts.get(i))
            judges.append(v.judge)
            rows = _finding_rows(v, i, event_ids)
            for r in rows["judged_points"]:
                if r["name"] not in pts or (r["ok"] and not pts[r["name"]]["ok"]):
                    pts[r["name"]] = r
            for r in rows["judged_claims"]:
                if r["name"] not in cls or (r["ok"] and not cls[r["name"]]["ok"]):
                    cls[r["name"]] = r
        out["internal_note"] = {
            "judged_points": [pts[p.name] for p in gold.note_points if p.name in pts],
            "judged_claims": [cls[c.name] for c in gold.forbidden_claims if c.name in cls],
            "judge": ",".join(sorted(set(judges))),
        }
    return out
