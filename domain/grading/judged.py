"""The reply and internal-note components: credit from the judge's verdicts.

A reply or note is judged on what it says (:mod:`caseops.domain.judge`: each point made
or not, each forbidden claim asserted or not); one that asserts any of the scenario's
forbidden claims earns no credit for its component. A verdict recorded in the log (a
model judge's ``JudgeVerdict``) is used as it is; otherwise the rule judge decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from caseops.domain.judge import Finding, Verdict, judge_text
from caseops.domain.scenario import Gold

from .component import Component


def reply_verdict(gold: Gold, reply: str, recorded: Verdict | None = None) -> Verdict:
    """The verdict on a reply: the recorded one when there is one (a model judge's, read
    from its ``JudgeVerdict`` event), else the rule judge's."""
    if recorded is not None:
        return recorded
    return judge_text(reply, gold.reply_points, gold.forbidden_claims)


def note_verdict(gold: Gold, note: str, recorded: Verdict | None = None) -> Verdict:
    """The verdict on one internal note (see :func:`reply_verdict`)."""
    if recorded is not None:
        return recorded
    return judge_text(note, gold.note_points, gold.forbidden_claims)


def verdict_of_fact(ev: Mapping[str, Any]) -> Verdict:
    """The :class:`Verdict` a ``JudgeVerdict`` event's fields hold.

    Raises:
        KeyError, TypeError, ValueError: fields of another shape.
    """
    return Verdict(
        points=tuple(Finding.from_json(d) for d in ev["points"]),
        claims=tuple(Finding.from_json(d) for d in ev["claims"]),
        judge=str(ev["judge"]),
        prompt_sha256=str(ev.get("prompt_sha256", "")),
        fallback=str(ev.get("fallback", "")),
    )


def reply_credit(
    gold: Gold,
    reply: str | None,
    reply_idx: int | None,
    verdicts: Mapping[int, Verdict] | None = None,
) -> Component:
    """The reply component for the latest drafted reply (none: ``reply`` is ``None``):
    the share of its points made, or nothing when it asserts a forbidden claim."""
    if reply is None:
        return Component("reply", 0, 1, "no reply drafted")
    recorded = (verdicts or {}).get(reply_idx) if reply_idx is not None else None
    v = reply_verdict(gold, reply, recorded)
    wanted = len(gold.reply_points)
    if v.asserted:
        return Component("reply", 0, wanted, f"forbidden claim: {v.asserted[0]!r}")
    made = len(v.made)
    cited = (reply_idx,) if made and reply_idx is not None else ()
    return Component("reply", made, wanted, f"{made} of {wanted} points made", cited)


def note_credit(
    gold: Gold,
    notes: tuple[tuple[int, str], ...],
    verdicts: Mapping[int, Verdict] | None = None,
) -> Component:
    """The internal-note component for every note so far (``(index, text)`` each): a point
    is made when any note makes it; a note that asserts a forbidden claim leaves the
    component at nothing."""
    got = verdicts or {}
    wanted = len(gold.note_points)
    made: set[str] = set()
    cited: list[int] = []
    for i, n in notes:
        v = note_verdict(gold, n, got.get(i))
        if v.asserted:
            why = f"forbidden claim in a note: {v.asserted[0]!r}"
            return Component("internal_note", 0, wanted, why)
        if v.made:
            made |= set(v.made)
            cited.append(i)
    why = f"{len(made)} of {wanted} points noted"
    return Component("internal_note", len(made), wanted, why, tuple(cited))
