"""Lexicon patterns compiled to token specs, and the matcher that finds them.

Pattern syntax: :mod:`caseops.domain.lexicon`. Every token is matched by its lookup
lemma (``spacy-lookups-data``) from its lower-case form; a wildcard never stands for a
negation word (the negation decides the polarity instead).
"""

from __future__ import annotations

from typing import Any

from caseops.domain.lexicon import TOPIC_NOUNS


class Lemmas(dict[str, str]):
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
    patterns that can start there (spaCy's own ``Matcher`` starts every pattern at every
    token, far slower on a reply: ``bench/judge_cost.py``, bench/README.md).
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
