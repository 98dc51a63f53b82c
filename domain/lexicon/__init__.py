"""The shared lexicon of concepts that points and claims name (pure data).

``CONCEPTS[name]`` is a tuple of patterns; a text states the concept where any pattern
matches (the polarity of that statement is decided by the judge's negation, contrast and
conditional scopes, never here: write every pattern in the affirmative).

Pattern syntax (compiled by :mod:`caseops.domain.judge.matcher` into spaCy ``Matcher``
patterns over lookup lemmas, so "refunded", "refunds" and "Refunding" all match
``refund``):

- words separated by spaces, each matched by its lemma: ``money back``;
- ``a|b|c``: any of the words: ``refund|reimburse``; ``+`` joins the words of one
  alternative (``last|latest|most+recent``: "most recent" is one alternative; without
  the ``+``, ``most recent`` would be two positions);
- ``word?``: an optional word: ``send a? replacement``;
- ``~``: any one word, optional (``~ ~``: up to two): ``money ~ ~ back``;
- ``#``: a number (``5``, ``ten``, ``5-10`` is three tokens: ``# - #``).

Keep patterns meaning-level (lemmas and synonyms a support lead would accept as saying
the same thing), not lists of whole sentences. Concept names are lowercase snake case.
"""

from __future__ import annotations

from . import accounts, commerce, policy
from .say import SAY

#: Every concept's patterns, by name (the topic modules hold them).
CONCEPTS: dict[str, tuple[str, ...]] = {**commerce.CONCEPTS, **accounts.CONCEPTS, **policy.CONCEPTS}

#: Pairs of opposite concepts: a negated statement of one is an asserted statement of the
#: other ("does not violate" = "within the guidelines"), and the reverse. Symmetric.
OPPOSITES: dict[str, str] = {}
for _a, _b in (
    ("violation", "within_guidelines"),
    ("outside_window", "eligible"),
    ("out_of_stock", "in_stock"),
    ("identity_mismatch", "identity_matched"),
    ("compromised", "safe"),
    ("return", "keep_item"),
):
    OPPOSITES[_a] = _b
    OPPOSITES[_b] = _a


#: Nouns that make a concept word a topic rather than a statement: "refund window",
#: "refund policy" and "return request" say nothing about whether a refund is made. A
#: match directly followed by one of these (as a lemma) is dropped.
TOPIC_NOUNS: frozenset[str] = frozenset(
    {"window", "policy", "period", "request", "eligibility", "rule", "deadline", "form", "stock"}
)

#: Concepts a *following* negation cue does not reach: "I'm sorry the mug didn't survive
#: the trip" apologises (only a preceding cue, "not sorry", negates them).
NO_FOLLOWING_NEGATION: frozenset[str] = frozenset({"apology", "thanks"})

#: ``HIDES[a]``: concepts whose statement inside a longer statement of ``a`` is not one
#: ("the money is being returned to your card" is a refund, not a return of goods).
HIDES: dict[str, frozenset[str]] = {
    "refund": frozenset({"return"}),
    "precaution": frozenset({"safe"}),
}

__all__ = ["CONCEPTS", "HIDES", "NO_FOLLOWING_NEGATION", "OPPOSITES", "SAY", "TOPIC_NOUNS"]
