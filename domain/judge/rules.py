"""The rule judge: reads a reply or note as claims with a polarity (spaCy + negspacy).

A blank English spaCy pipeline (no model download) splits the text into tokens and
sentences; every token gets its lookup lemma (``spacy-lookups-data``) from its lower-case
form; one ``Matcher`` finds every statement of every lexicon concept
(:data:`caseops.domain.lexicon.CONCEPTS`); negspacy-style ``Negex`` scopes (NegEx,
Chapman et al. 2001, with the termsets below) mark each statement negated, contrasted
("rather than a refund"), conditional ("once the review is complete", "if needed") or
reported (the customer's own request: "you asked for a refund"). A statement inside none
of them is asserted. Rules added with the hand-written corpus
(``tests/data/judge_corpus/handwritten.jsonl``, tuned on its dev part only): a colon,
"if", "once", "until" and "unless" end a negation (a negated colon list carries it); a
wildcard never stands for a negation word; a following negation never reaches an
apology; a longer statement of one concept may hide another inside it
(:data:`~caseops.domain.lexicon.HIDES`).

What a text says is analysed once per text (:func:`analyse`, cached) for every concept at
once; a case's points and claims are then judged against that analysis
(:func:`judge_text`). Deterministic: the pipeline has no statistical component.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import spacy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.lookups import load_lookups
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from caseops.domain.claims import Claim, Point
from caseops.domain.lexicon import (
    CONCEPTS,
    HIDES,
    NO_FOLLOWING_NEGATION,
    OPPOSITES,
    TOPIC_NOUNS,
)

from .verdict import Finding, Verdict

#: The judge's id, recorded in verdicts and reports.
RULE_JUDGE_ID = "rule-2"

#: Negation cues (NegEx termset, support-desk wording). ``n't`` covers can't, won't,
#: don't, isn't...; phrases are matched on lower-case tokens.
NEGATION = {
    "pseudo_negations": [
        "no problem",
        "no worries",
        "no doubt",
        "not only",
        "not just",
        "no later than",
        "no matter",
        "without delay",
        "no extra cost",
        "no extra charge",
        "no additional cost",
        "no cost",
        "no charge",
        "at no",
        "no questions asked",
        "not sure",
        "nothing else",
        "not hesitate",
        "n't hesitate",
        "no question",
        "nothing stopping",
        "nothing stops",
        "nothing prevents",
        "nothing preventing",
        "no reason",
        "not a moment",
        "should n't have",
        "should not have",
        "should n't be there",
        "should not be there",
        "not responsible",
    ],
    "preceding_negations": [
        "not",
        "n't",
        "no",
        "never",
        "cannot",
        "without",
        "nothing",
        "none",
        "neither",
        "nor",
        "unable to",
        "no longer",
        "no need",
        "refuse",
        "refused",
        "decline",
        "declined",
        "deny",
        "denied",
        "reject",
        "rejected",
        "too early to",
        "too soon to",
    ],
    "following_negations": [
        "not",
        "n't",
        "never",
        "impossible",
        "unavailable",
        "declined",
        "denied",
        "rejected",
        "refused",
        "out of the question",
        "not an option",
        "no longer",
    ],
    "termination": [
        ",",
        ";",
        "but",
        "however",
        "although",
        "though",
        "so",
        "and",
        "which",
        "that",
        "who",
        "because",
        "since",
        "while",
        "instead",
        "yet",
        "-",
        "--",
        "—",
        "(",
        ")",
        ":",
        "until",
        "unless",
        "once",
        "if",
    ],
}


#: Contrast cues: what is named after them is set aside, not promised.
CONTRAST = {
    "pseudo_negations": [],
    "preceding_negations": [
        "rather than",
        "instead of",
        "in place of",
        "in lieu of",
        "as opposed to",
        "other than",
    ],
    "following_negations": [],
    "termination": [
        ",",
        ";",
        ":",
        "but",
        "we",
        "you",
        "i",
        "it",
        "they",
        "we'll",
        "and",
        "so",
        "-",
        "—",
    ],
}

#: Reported cues: what the customer asked for, wants or claims is quoted, not promised
#: ("you asked for a refund; we are sending a replacement"). Such a statement is neither
#: asserted nor negated (status ``reported``).
REPORTED = {
    "pseudo_negations": ["as requested", "as you requested", "as you asked", "as asked"],
    "preceding_negations": [
        "you asked for",
        "you asked about",
        "you asked us to",
        "you asked us",
        "you've asked for",
        "you have asked for",
        "you requested",
        "you want",
        "you wanted",
        "you'd like",
        "you would like",
        "you were hoping for",
        "you're asking for",
        "you are asking for",
        "you mentioned",
        "you said",
        "your request for",
        "customer wants",
        "customer asked",
        "customer asks",
        "customer requested",
        "customer requests",
        "customer demands",
        "customer demanding",
        "customer claims",
        "customer is asking",
        "asks for",
        "asked for",
        "asking for",
        "demanding",
        "demands",
        "wants",
    ],
    "following_negations": [],
    "termination": [
        ",",
        ";",
        ":",
        "but",
        "we",
        "i",
        "it",
        "they",
        "we'll",
        "and",
        "so",
        "-",
        "—",
        "(",
    ],
}

#: Conditional / hypothetical cues (ConText's hypothetical class): the statement depends
#: on something not yet known. The scope runs past commas ("If the review clears, we
#: will refund"), to the end of the sentence or a contrastive break.
CONDITIONAL = {
    "pseudo_negations": [
        "once again",
        "at once",
        "would like",
        "would love",
        "would you",
        "could you",
        "if you have any questions",
        "if you have questions",
        "if you need anything",
        "if anything",
        "even if",
        "if you can",
        "if you could",
        "if you have them",
        "if you have it",
        "if available",
        "depending on your bank",
        "depending on the bank",
        "depending on your card",
        "depending on your card issuer",
        "depending on your provider",
        "it would",
        "would help",
        "would be helpful",
        "would be great",
        "would appreciate",
        "would be grateful",
    ],
    "preceding_negations": [
        "if",
        "unless",
        "until",
        "once",
        "as soon as",
        "provided",
        "providing",
        "assuming",
        "in case",
        "in the event",
        "depending on",
        "subject to",
        "whether",
        "might",
        "may be able",
        "possibly",
        "perhaps",
        "maybe",
        "potentially",
        "would",
        "hopefully",
        "should we",
        "should the",
        "should you",
    ],
    "following_negations": [
        "if needed",
        "if necessary",
        "if possible",
        "if applicable",
        "if approved",
        "if eligible",
        "if confirmed",
        "if appropriate",
        "if it",
        "if the",
        "if we",
        "once the",
        "once we",
        "once your",
        "pending",
        "subject to",
        "depending on",
        "provided",
        "unless",
    ],
    "termination": [
        ";",
        "but",
        "however",
        "although",
        "though",
        "meanwhile",
        "in the meantime",
        "(",
        ")",
    ],
}


# --------------------------------------------------------------------------- pipeline


@dataclass(frozen=True, slots=True)
class _Pipeline:
    nlp: Any
    sentencizer: Any
    lemma: _Lemmas
    matcher: ConceptMatcher
    triggers: PhraseMatcher
    labels: dict[int, tuple[str, str]]


class _Lemmas(dict[str, str]):
    """Lookup lemmas by lower-case word, memoised (the lookups table is keyed by string
    hashes, so each word is hashed and looked up once per process)."""

    def __init__(self, table: Any) -> None:
        super().__init__()
        self._table = table

    def __missing__(self, word: str) -> str:
        found = self._table.get(word, word)
        self[word] = found
        return found

    def get(self, word: str, default: str | None = None) -> str:  # type: ignore[override]
        """The lemma of ``word`` (``default`` is ignored: a word is its own lemma)."""
        return self[word]


def _lemma_of(table: dict[str, str], word: str) -> str:
    low = word.lower()
    return table.get(low, low)


#: One compiled pattern: per position, the lemmas it accepts (``None``: any token, ``"#"``:
#: a number) and whether the position may be skipped.
_Spec = tuple[frozenset[str] | str | None, bool]


def compile_pattern(nlp: Any, lemma: dict[str, str], text: str) -> list[tuple[_Spec, ...]]:
    """A lexicon pattern (see :mod:`caseops.domain.lexicon`) as token specs: one tuple
    per variant (an alternative of several tokens, such as "re-ship" or "id", which the
    tokenizer splits, makes a variant of its own).

    Raises:
        ValueError: an empty pattern.
    """
    variants: list[list[_Spec]] = [[]]
    for word in text.split():
        if word in ("~", "~?"):
            choices: list[list[_Spec]] = [[(None, True)]]
        elif word == "#":
            choices = [[("#", False)]]
        else:
            optional = word.endswith("?") and len(word) > 1
            if optional:
                word = word[:-1]
            toks = [[t.text for t in nlp.make_doc(a.replace("+", " "))] for a in word.split("|")]
            single = frozenset(_lemma_of(lemma, t[0]) for t in toks if len(t) == 1)
            choices = [[(single, optional)]] if single else []
            for t in toks:
                if len(t) > 1:
                    choices.append([(frozenset({_lemma_of(lemma, x)}), False) for x in t])
            if optional and any(len(t) > 1 for t in toks):
                choices.append([])
        variants = [v + c for v in variants for c in choices]
    out = [tuple(v) for v in variants if v and not all(opt for _, opt in v)]
    if not out:
        raise ValueError(f"empty pattern {text!r}")
    return out


class ConceptMatcher:
    """Finds every concept's patterns over a doc's lemmas.

    A rule matcher in the manner of spaCy's ``Matcher`` (token specs with optional
    positions), indexed by the lemmas a pattern can start with, so a token tries only the
    patterns that can start there. spaCy's own ``Matcher`` with the lexicon (about 300
    patterns with lemma sets, 5,600 once expanded) took 7 ms (sets) or 21 ms (expanded)
    per typical reply, as it starts every pattern at every token (measured with
    ``bench/judge_cost.py``'s reply); this takes well under a tenth of a millisecond.
    """

    def __init__(self) -> None:
        self._by_first: dict[str, list[tuple[str, tuple[_Spec, ...]]]] = {}
        self._anywhere: list[tuple[str, tuple[_Spec, ...]]] = []

    def add(self, label: str, patterns: list[tuple[_Spec, ...]]) -> None:
        """Add ``patterns`` under ``label``."""
        for pat in patterns:
            firsts: set[str] = set()
            for spec, opt in pat:
                if isinstance(spec, frozenset):
                    firsts |= spec
                else:
                    firsts = set()
                    break
                if not opt:
                    break
            else:
                firsts = set()
            if firsts:
                for w in firsts:
                    self._by_first.setdefault(w, []).append((label, pat))
            else:
                self._anywhere.append((label, pat))

    def __call__(self, lemmas: list[str], nums: list[bool]) -> list[tuple[str, int, int]]:
        """``(label, start, end)`` of every match (the longest per label and start)."""
        out: list[tuple[str, int, int]] = []
        n = len(lemmas)
        for i in range(n):
            cands = self._by_first.get(lemmas[i], ())
            best: dict[str, int] = {}
            for label, pat in (*cands, *self._anywhere):
                end = _match(pat, 0, lemmas, nums, i, n)
                if end < n and lemmas[end] in TOPIC_NOUNS:  # "refund policy": a topic
                    continue
                if end > i and end > best.get(label, -1):
                    best[label] = end
            out.extend((label, i, end) for label, end in best.items())
        return out


#: Lemmas a wildcard (``~``) does not stand for: "the issue is not resolved" is no
#: statement of "be ~? resolved" (the negation decides its polarity instead).
_NEGATION_WORDS = frozenset({"not", "no", "never", "cannot", "nothing", "none", "nor", "neither"})


def _match(
    pat: tuple[_Spec, ...], k: int, lemmas: list[str], nums: list[bool], i: int, n: int
) -> int:
    """The end of the longest match of ``pat[k:]`` at token ``i`` (``-1``: none)."""
    if k == len(pat):
        return i
    spec, opt = pat[k]
    best = -1
    if i < n:
        if spec is None:
            ok = lemmas[i] not in _NEGATION_WORDS
        elif spec == "#":
            ok = nums[i]
        else:
            ok = lemmas[i] in spec  # type: ignore[operator]
        if ok:
            best = _match(pat, k + 1, lemmas, nums, i + 1, n)
    if opt:
        skip = _match(pat, k + 1, lemmas, nums, i, n)
        if skip > best:
            best = skip
    return best


#: The scopes, in the order their flags decide a polarity, with their termsets.
SCOPES: tuple[tuple[str, dict[str, list[str]]], ...] = (
    ("reported", REPORTED),
    ("contrasted", CONTRAST),
    ("negated", NEGATION),
    ("conditional", CONDITIONAL),
)
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
    lemma = _Lemmas(lookups.get_table("lemma_lookup"))
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


def _scoped(
    scope: str,
    hits: dict[tuple[str, str], list[tuple[int, int]]],
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


def _list_colons(
    lows: list[str], hits: dict[tuple[str, str], list[tuple[int, int]]], bounds: list[int]
) -> None:
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


# --------------------------------------------------------------------------- analysis


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


_WS = re.compile(r"\s+")


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
    hits: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for match_id, s, e in p.triggers(doc):
        hits.setdefault(p.labels[match_id], []).append((s, e))
    _list_colons(lows, hits, starts)
    flags = {scope: _scoped(scope, hits, starts, matches) for scope, _ in SCOPES}
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
    norm = _WS.sub(" ", text.lower())
    prose = (
        norm
        if not lists
        else _WS.sub(" ", " ".join(s.text for i, s in enumerate(sents) if i not in lists).lower())
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


# --------------------------------------------------------------------------- facts

_MONEY = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?(?![\d])")
_MONEY_FACT = re.compile(r"[^\w\s]{0,3}[A-Z]{0,3}[^\w\s]{0,2}\s?[\d,]+(\.\d{1,2})?")
#: Letters an amount fact may carry ("USD 86.40"); any other ("SOC 2") makes it text.
_CURRENCY_CODES = frozenset(
    {"USD", "EUR", "GBP", "CHF", "CAD", "AUD", "NZD", "JPY", "SEK", "NOK", "DKK", "PLN", "INR"}
)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]


@lru_cache(maxsize=4096)
def _fact_forms(fact: str) -> tuple[str, tuple[str, ...]]:
    """How a fact is matched: ``("money", (cents,))``, ``("date", spellings)`` or
    ``("text", (normalised,))``."""
    f = fact.strip()
    m = _ISO_DATE.match(f)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        name = _MONTHS[mo - 1]
        forms = {f, f"{name} {d}", f"{d} {name}", f"{name[:3]} {d}", f"{d} {name[:3]}"}
        forms |= {f"{name} {d}th", f"{d}th {name}", f"{name} {d}st", f"{name} {d}nd"}
        forms |= {f"{name} {d}rd", f"{d}/{mo}/{y}", f"{mo}/{d}/{y}", f"{d:02d}/{mo:02d}/{y}"}
        return "date", tuple(sorted(x.lower() for x in forms))
    letters = re.sub(r"[^A-Za-z]", "", f)
    if (
        any(ch.isdigit() for ch in f)
        and _MONEY_FACT.fullmatch(f)
        and (not letters or letters.upper() in _CURRENCY_CODES)
    ):
        whole, _, frac = re.sub(r"[^\d.]", "", f).partition(".")
        cents = int(whole or "0") * 100 + (int(frac.ljust(2, "0")) if frac else 0)
        return "money", (str(cents),)
    return "text", (_WS.sub(" ", f.lower()),)


def _money_values(norm: str) -> set[str]:
    out = set()
    for m in _MONEY.finditer(norm):
        whole = int(m[1].replace(",", ""))
        frac = int((m[2] or "0").ljust(2, "0"))
        out.add(str(whole * 100 + frac))
    return out


def fact_in(fact: str, norm: str) -> bool:
    """Whether the case fact ``fact`` appears in the normalised text ``norm``: amounts by
    value ("$1,204.50" = "1204.50" = "USD 1,204.5"), ISO dates in their usual spellings
    ("2026-03-20" = "March 20" = "20 Mar"), anything else as written (case and runs of
    whitespace ignored, on word boundaries)."""
    kind, forms = _fact_forms(fact)
    if kind == "money":
        return forms[0] in _money_values(norm)
    return any(_bounded(f).search(norm) is not None for f in forms)


@lru_cache(maxsize=4096)
def _bounded(form: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(form) + r"(?!\w)")


# --------------------------------------------------------------------------- judging

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
        norm = _WS.sub(" ", s.lower())
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
