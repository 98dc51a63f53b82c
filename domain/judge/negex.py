"""NegEx scopes over token offsets (Chapman et al. 2001, as negspacy 1.1 applies it).

Which statements a scope's triggers (:mod:`.cues`) reach, and the one rule added with the
hand-written corpus: a negated colon list carries its negation (:func:`list_colons`).
"""

from __future__ import annotations

from bisect import bisect_right

from caseops.domain.lexicon import NO_FOLLOWING_NEGATION

#: Trigger hits per ``(scope, kind)``: token ``(start, end)`` offsets.
Hits = dict[tuple[str, str], list[tuple[int, int]]]


def scoped(
    scope: str,
    hits: Hits,
    bounds: list[int],
    spans: list[tuple[str, int, int]],
) -> list[bool]:
    """NegEx (Chapman et al. 2001) as negspacy 1.1 applies it, over token offsets: a span
    is in scope when, within its segment (sentences cut at the termination terms), a
    preceding trigger starts before it or a following trigger ends after it; a trigger
    starting inside a pseudo-trigger ("no worries") is not one. A concept in
    :data:`~caseops.domain.lexicon.NO_FOLLOWING_NEGATION` ("sorry the mug didn't
    survive") is not reached by a following trigger."""
    pseudo = hits.get((scope, "pseudo"), [])

    def real(kind: str) -> list[tuple[int, int]]:
        return [
            (s, e)
            for s, e in hits.get((scope, kind), [])
            if not any(ps <= s <= pe for ps, pe in pseudo)
        ]

    pre, fol = real("pre"), real("fol")
    if not pre and not fol:
        return [False] * len(spans)
    cuts = sorted({*bounds, *(s for s, _ in real("term"))})
    out = []
    for label, start, end in spans:
        k = bisect_right(cuts, start)
        lo = cuts[k - 1] if k else 0
        hi = cuts[k] if k < len(cuts) else 1 << 30
        if end > hi:  # a span across a cut is read as its own segment's
            out.append(False)
            continue
        flag = any(lo <= s < hi and s < start for s, _ in pre) or (
            label not in NO_FOLLOWING_NEGATION and any(lo <= s < hi and e > end for s, e in fol)
        )
        out.append(flag)
    return out


def list_colons(lows: list[str], hits: Hits, bounds: list[int]) -> None:
    """Let a negation carry over a list announced by a colon ("We will NOT do this:
    refund, replacement, no return."): a colon after a negated clause, followed to the end
    of its sentence by short items (at most four words each, between commas, "and" or
    "or"), and the commas after it, stop ending the negation scope. A colon followed by a
    clause ("no need to escalate: it was a duplicate, which we refunded") still ends it."""
    terms = hits.get(("negated", "term"))
    pre = hits.get(("negated", "pre"))
    if not terms or not pre:
        return
    ends = [*bounds[1:], len(lows)]
    drop: set[int] = set()
    for s, _ in terms:
        if lows[s] != ":":
            continue
        begin = max((b for b in bounds if b <= s), default=0)
        stop = min((b for b in ends if b > s), default=len(lows))
        if not any(begin <= p < s for p, _ in pre):
            continue
        items, words = [], 0
        for t in range(s + 1, stop):
            if lows[t] in (",", "and", "or", ";"):
                items.append(words)
                words = 0
            elif lows[t][:1].isalnum():
                words += 1
        items.append(words)
        if all(0 < w <= 4 for w in items if w) and any(items):
            drop |= {t for t, _ in terms if s <= t < stop and lows[t] != ";"}
    if drop:
        hits[("negated", "term")] = [(s, e) for s, e in terms if s not in drop]
