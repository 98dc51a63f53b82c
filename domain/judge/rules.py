"""The rule judge: a reply's or note's points and claims judged on what it states.

What a text states comes from :func:`~.analysis.analyse` (spaCy + negspacy-style scopes,
deterministic); this module decides, per point and claim of a case
(:mod:`caseops.domain.claims`), whether the analysis makes or asserts it, and cites the
sentence that decided it (:func:`judge_text`).
"""

from __future__ import annotations

from caseops.domain.claims import Claim, Point
from caseops.domain.lexicon import OPPOSITES

from .analysis import Analysis, Mention, analyse
from .facts import fact_in, normalise
from .verdict import Finding, Verdict

#: The judge's id, recorded in verdicts and reports.
RULE_JUDGE_ID = "rule-2"


_NEGATIVE = frozenset({"negated", "contrasted"})
_FLIP = {"asserted": "negated", "negated": "asserted", "contrasted": "asserted"}


def _mentions_of(a: Analysis, st: Point | Claim) -> list[Mention]:
    """The statement's concept mentions, its opposite's flipped in, and its legacy
    phrases' mentions, in text order."""
    out: list[Mention] = []
    wanted = set()
    if st.concept is not None:
        wanted.add(st.concept)
    wanted |= {"phrase:" + p for p in st.phrases}
    opposite = OPPOSITES.get(st.concept or "")
    for m in a.mentions:
        if m.concept in wanted:
            out.append(m)
        elif opposite is not None and m.concept == opposite and m.polarity in _FLIP:
            out.append(Mention(st.concept or "", m.sentence, _FLIP[m.polarity]))
    return out


def _facts_ok(a: Analysis, st: Point | Claim) -> bool:
    if not st.facts:
        return True
    # a point's facts count in prose only (not in a run of keywords); a claim's anywhere
    where = a.norm if isinstance(st, Claim) else a.prose
    hits = [fact_in(f, where) for f in st.facts]
    return any(hits) if st.any_fact else all(hits)


def _first_fact_sentence(a: Analysis, st: Point | Claim) -> int | None:
    for i, s in enumerate(a.sentences):
        if i in a.lists:
            continue
        norm = normalise(s)
        if any(fact_in(f, norm) for f in st.facts):
            return i
    return None


def _judge(a: Analysis, st: Point | Claim, counts: frozenset[str]) -> Finding:
    """Whether ``st`` is stated with a polarity in ``counts`` (plus its facts)."""
    if st.concept is None and not st.phrases:  # facts alone
        ok = _facts_ok(a, st)
        idx = _first_fact_sentence(a, st) if ok else None
        return Finding(st.name, ok, "asserted" if ok else "absent", idx, _sent(a, idx))
    ms = _mentions_of(a, st)
    if not ms:
        return Finding(st.name, False, "absent", None, "")
    pols = {m.polarity for m in ms}
    # a concept both asserted and negated in one text is a contradiction: it says nothing
    contradiction = "asserted" in pols and "negated" in pols
    hit = next((m for m in ms if m.polarity in counts), None)
    if hit is None or not _facts_ok(a, st):
        first = ms[0]
        status = first.polarity if hit is None else "missing_fact"
        return Finding(st.name, False, status, first.sentence, _sent(a, first.sentence))
    if contradiction and isinstance(st, Point):
        return Finding(st.name, False, "contradicted", hit.sentence, _sent(a, hit.sentence))
    return Finding(st.name, True, hit.polarity, hit.sentence, _sent(a, hit.sentence))


def _sent(a: Analysis, idx: int | None) -> str:
    return a.sentences[idx] if idx is not None and 0 <= idx < len(a.sentences) else ""


_ASSERTED = frozenset({"asserted"})
_ASSERTED_COND = frozenset({"asserted", "conditional"})
_NEGATED = frozenset({"negated", "contrasted"})
_NEGATED_COND = frozenset({"negated", "contrasted", "conditional"})


def _counts(st: Point | Claim, conditional: bool) -> frozenset[str]:
    if st.negated:
        return _NEGATED_COND if conditional else _NEGATED
    return _ASSERTED_COND if conditional else _ASSERTED


def judge_text(text: str, points: tuple[Point, ...], claims: tuple[Claim, ...] = ()) -> Verdict:
    """The rule judge's verdict on ``text``: per point whether it is made, per claim
    whether it is asserted, each with the sentence that decided it.

    A point counts when stated with its polarity (see :mod:`caseops.domain.claims`); a
    claim when asserted with its polarity (conditional only with ``conditional_counts``).
    """
    legacy = tuple(sorted({p for st in (*points, *claims) for p in st.phrases}))
    a = analyse(text, legacy)
    pts = tuple(_judge(a, p, _counts(p, p.conditional_ok)) for p in points)
    cls = tuple(_judge(a, c, _counts(c, c.conditional_counts)) for c in claims)
    return Verdict(points=pts, claims=cls, judge=RULE_JUDGE_ID)
