"""Phrase matching: whether a phrase occurs in a text, on word boundaries, ignoring case
and runs of whitespace. Used to route a policy search to its topic
(:mod:`caseops.statemachine.decide`) and by checks that look for gold phrases in text."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """``text`` lower-cased, with every run of whitespace made one space, stripped."""
    return re.sub(r"\s+", " ", text.lower()).strip()


@lru_cache(maxsize=4096)
def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(normalise(phrase)) + r"(?!\w)")


def phrase_in(phrase: str, text: str) -> bool:
    """True when ``phrase`` occurs in ``text`` on word boundaries, ignoring case and
    runs of whitespace."""
    return _phrase_pattern(phrase).search(normalise(text)) is not None
