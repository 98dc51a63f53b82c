"""What a text states: every lexicon concept, with its sentence and polarity.

A blank English spaCy pipeline (no model download) splits the text into tokens and
sentences; every token gets its lookup lemma (``spacy-lookups-data``) from its lower-case
form; one :class:`~.matcher.ConceptMatcher` finds every statement of every lexicon
concept (:data:`caseops.domain.lexicon.CONCEPTS`); negspacy-style NegEx scopes
(:mod:`.negex`, with the termsets of :mod:`.cues`) mark each statement negated,
contrasted ("rather than a refund"), conditional ("once the review is complete", "if
needed") or reported (the customer's own request: "you asked for a refund"). A statement
inside none of them is asserted. Rules added with the hand-written corpus
(``tests/data/judge_corpus/handwritten.jsonl``, tuned on its dev part only): a colon,
"if", "once", "until" and "unless" end a negation (a negated colon list carries it); a
wildcard never stands for a negation word; a following negation never reaches an
apology; a longer statement of one concept may hide another inside it
(:data:`~caseops.domain.lexicon.HIDES`); a run of keywords that is not a sentence states
nothing.

A text is analysed once (:func:`analyse`, cached) for every concept at once.
Deterministic: the pipeline has no statistical component.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import spacy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.lookups import load_lookups
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from caseops.domain.lexicon import CONCEPTS, HIDES

from .cues import SCOPES
from .facts import normalise
from .matcher import ConceptMatcher, Lemmas, compile_pattern
from .negex import Hits, list_colons, scoped


@dataclass(frozen=True, slots=True)
class _Pipeline:
    """The judge's spaCy parts, built once (:func:`pipeline`)."""

    nlp: Any
    sentencizer: Any
    lemma: Lemmas
    matcher: ConceptMatcher
    triggers: PhraseMatcher
    labels: dict[int, tuple[str, str]]


_KINDS = {
    "pseudo_negations": "pseudo",
    "preceding_negations": "pre",
    "following_negations": "fol",
    "termination": "term",
}


@lru_cache(maxsize=1)
def pipeline() -> _Pipeline:
    """The judge's spaCy pipeline, built once per process (about 0.4 s)."""
    nlp = spacy.blank("en")
    sentencizer = nlp.add_pipe("sentencizer")
    lookups = load_lookups("en", ["lemma_lookup"])
    lemma = Lemmas(lookups.get_table("lemma_lookup"))
    matcher = ConceptMatcher()
    for name in sorted(CONCEPTS):
        matcher.add(name, [v for p in CONCEPTS[name] for v in compile_pattern(nlp, lemma, p)])
    triggers = PhraseMatcher(nlp.vocab, attr="LOWER")
    labels: dict[int, tuple[str, str]] = {}
    for scope, termset in SCOPES:
        for key, kind in _KINDS.items():
            label = f"{scope}:{kind}"
            labels[nlp.vocab.strings.add(label)] = (scope, kind)
            if termset[key]:
                triggers.add(label, [nlp.make_doc(t) for t in termset[key]])
    return _Pipeline(nlp, sentencizer, lemma, matcher, triggers, labels)


def _hidden(matches: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """``matches`` less those inside a longer match of a concept that hides them
    (:data:`~caseops.domain.lexicon.HIDES`: "the money is returned to your card" states a
    refund, not a return of goods)."""
    hiders = [(a, s, e) for a, s, e in matches if a in HIDES]
    if not hiders:
        return matches
    return [
        (b, s, e)
        for b, s, e in matches
        if not any(
            b in HIDES[a] and s2 <= s and e <= e2 and e2 - s2 > e - s for a, s2, e2 in hiders
        )
    ]


@lru_cache(maxsize=256)
def _phrase_matcher(phrases: tuple[str, ...]) -> Matcher:
    """A matcher for legacy surface phrases (pre-2.0.0 snapshots), one label per phrase."""
    p = pipeline()
    m = Matcher(p.nlp.vocab)
    for ph in phrases:
        pat = [{"LOWER": t.text.lower()} for t in p.nlp.make_doc(ph) if not t.is_space]
        if pat:
            m.add("phrase:" + ph, [pat])
    return m


@dataclass(frozen=True, slots=True)
class Mention:
    """One statement of a concept: its sentence (index from 0) and polarity
    (``asserted``, ``negated``, ``contrasted`` or ``conditional``)."""

    concept: str
    sentence: int
    polarity: str


@dataclass(frozen=True, slots=True)
class Analysis:
    """What a text states: its sentences, every mention, and its normalised text."""

    sentences: tuple[str, ...]
    mentions: tuple[Mention, ...]
    norm: str
    #: sentences read as a bare run of keywords (their mentions were dropped)
    lists: tuple[int, ...] = ()
    #: the normalised text of the other sentences (where facts are looked for)
    prose: str = ""


def _is_keyword_run(
    lows: list[str], words: list[bool], stops: list[bool], lo: int, hi: int, concepts: int
) -> bool:
    """A "sentence" (tokens ``lo:hi``) that is a run of keywords rather than prose.

    Two shapes (measured on the keyword stuffers of ``tests/test_baselines.py`` and the
    hand-written corpus, ``tests/data/judge_corpus/handwritten.jsonl``): a long stretch
    of words with no punctuation and few function words (the stuffers: 60-170 words, a
    stop-word share near 0.15, at most one mark; prose has a share near 0.45 and a comma
    every dozen words), or a list that names a concept every word or two (``refund,
    replacement, receipt, business days, sorry``). A terse but punctuated note
    ("Clear ATO: unrecognised device, Tor exit node, new address.") is neither.
    """
    ws = [i for i in range(lo, hi) if words[i]]
    n = len(ws)
    if n < 7:
        return False
    stop = sum(1 for i in ws if stops[i]) / n
    longest = run = 0
    for i in range(lo, hi):
        if words[i]:
            run += 1
            longest = max(longest, run)
        elif not lows[i][:1].isalnum() and lows[i] not in _NOT_BREAKS:
            run = 0
    if longest >= 40 or (stop < 0.1 and longest >= 9) or (stop < 0.2 and longest >= 12):
        return True
    return stop < 0.15 and n >= 10 and concepts >= 5 and n < 2.5 * concepts


#: Tokens that do not break a stretch of words (a currency sign, a joining symbol).
_NOT_BREAKS = frozenset({"$", "€", "£", "+", "&", "/", "%", "#", "'s", "'"})


@lru_cache(maxsize=8192)
def analyse(text: str, phrases: tuple[str, ...] = ()) -> Analysis:
    """Every concept (and legacy phrase) ``text`` states, with its sentence and polarity."""
    p = pipeline()
    doc: Doc = p.nlp.make_doc(text)
    p.sentencizer(doc)
    table = p.lemma
    lows: list[str] = []
    nums: list[bool] = []
    words: list[bool] = []
    stops: list[bool] = []
    for tok in doc:
        low = tok.lower_
        lows.append(low)
        nums.append(tok.like_num)
        words.append(tok.is_alpha or tok.like_num)
        stops.append(low in STOP_WORDS)
        # a line break also ends a sentence
        if ("\n" in low or "\n" in tok.whitespace_) and tok.i + 1 < len(doc):
            doc[tok.i + 1].is_sent_start = True
    lemmas = [table[w] for w in lows]
    sents = list(doc.sents)
    starts = [s.start for s in sents]
    matches = p.matcher(lemmas, nums)
    if phrases:
        strings = p.nlp.vocab.strings
        matches += [(strings[m], s, e) for m, s, e in _phrase_matcher(phrases)(doc)]
    matches = _hidden(matches)
    matches.sort(key=lambda m: (m[1], m[2], m[0]))
    hits: Hits = {}
    for match_id, s, e in p.triggers(doc):
        hits.setdefault(p.labels[match_id], []).append((s, e))
    list_colons(lows, hits, starts)
    flags = {scope: scoped(scope, hits, starts, matches) for scope, _ in SCOPES}
    per_sent: dict[int, set[str]] = {}
    located: list[tuple[str, int, str]] = []
    for k, (label, start, _) in enumerate(matches):
        idx = _sent_index(starts, start)
        pol = next((scope for scope, _ in SCOPES if flags[scope][k]), "asserted")
        located.append((label, idx, pol))
        per_sent.setdefault(idx, set()).add(label)
    bounds = [*starts, len(doc)]
    lists = tuple(
        i
        for i in range(len(sents))
        if _is_keyword_run(lows, words, stops, bounds[i], bounds[i + 1], len(per_sent.get(i, ())))
    )
    mentions = tuple(Mention(c, i, pol) for c, i, pol in located if i not in lists)
    norm = normalise(text)
    prose = (
        norm
        if not lists
        else normalise(" ".join(s.text for i, s in enumerate(sents) if i not in lists))
    )
    return Analysis(
        sentences=tuple(s.text.strip() for s in sents),
        mentions=mentions,
        norm=norm,
        lists=lists,
        prose=prose,
    )


def _sent_index(starts: list[int], token: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= token:
            lo = mid
        else:
            hi = mid - 1
    return lo
