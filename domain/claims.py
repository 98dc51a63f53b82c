"""What a reply or an internal note must say, and what it must not say.

How to write points and claims
==============================

A case's gold lists the **points** its reply (``Gold.reply_points``) and its internal note
(``Gold.note_points``) must make, and the **claims** neither may make
(``Gold.forbidden_claims``). Both are judged on meaning, sentence by sentence, by
:mod:`caseops.domain.judge`: a *concept* from the shared lexicon
(:data:`caseops.domain.lexicon.CONCEPTS`: lemmas and synonyms, so "refund", "we'll
reimburse you" and "you'll get your money back" are one concept), optionally with the
case's own *facts* (an amount, an id, a date) that must appear, and a *polarity*.

Each statement of a concept in a text is read as one of five polarities:

- ``asserted``: "we have refunded the $86.40";
- ``negated``: "we cannot refund this order", "no need to return the mug";
- ``contrasted``: "rather than a refund, we're sending a replacement" (refund contrasted);
- ``conditional``: "once the review is complete we may refund", "if it hasn't arrived by
  Friday we'll reship";
- ``reported``: what the customer asked for or claims, quoted: "you asked for a refund",
  "the customer wants a refund" (neither asserted nor negated: it makes no point and
  asserts no claim).

Write them with the two constructors, so family code stays short::

    point("apology")                                 # the reply must apologise
    point("refund", facts=(str(amount),))            # ...say we refund, and the amount
    point("return", negated=True, name="no_return")  # ...say no return is needed
    point("tax_id_request", conditional_ok=True)      # "once you send it" also counts
    point(facts=(order_id,), name="order_id")        # the order id alone must appear
    point(facts=(a, b), any_fact=True, name="ids")   # either id will do
    claim("refund")                                  # must not promise a refund
    claim("cancel", negated=True, name="cannot_cancel")  # must not refuse to cancel
    claim(facts=("102.89.34.18",), name="ip_leak")  # must not disclose the attacker's IP

Rules the judge applies (the source: issue 18, "Replies and notes judged on what they say"):

- a point is *made* when some sentence states its concept with the point's polarity
  (``negated=True``: negated or contrasted; otherwise asserted; ``conditional_ok``: a
  conditional statement also counts) and every fact (``any_fact``: at least one) appears
  in the text; a point with no concept is made by its facts alone;
- a claim is *asserted* when some sentence states its concept with the claim's polarity
  (asserted, or negated/contrasted for ``negated=True``; conditional only with
  ``conditional_counts``) and its facts appear; a claim with no concept is asserted when
  its facts appear anywhere (a disclosure);
- a concept both asserted and negated in one text is a contradiction: no point on it is
  made (stuffing both outcomes does not pay);
- a run of keywords that is not a sentence states nothing.

Concept names must exist in the lexicon (checked when a point or claim is built); add a
concept there, with its synonyms, rather than listing phrases here. ``phrases`` is the
legacy surface form (episodes recorded before grader 2.0.0 stored markers as
``{"name", "phrases"}`` and forbidden claims as plain strings): each phrase is read as an
ad-hoc concept of its own, with the same polarity rules. New cases should not use it.
"""

from __future__ import annotations

from typing import Any, TypedDict, TypeVar, Unpack

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .lexicon import CONCEPTS


class _Statement(BaseModel):
    """The shape points and claims share (see the module docstring).

    ``name``: unique within its list, cited in the grade report. ``concept``: a key of
    :data:`~caseops.domain.lexicon.CONCEPTS`, or ``None`` when the facts alone decide.
    ``facts``: case facts that must appear (amounts are matched by value, ISO dates in
    their usual spellings, other facts as written, ignoring case). ``any_fact``: one fact
    suffices. ``negated``: the statement counts when negated or contrasted instead of
    asserted. ``phrases``: legacy surface phrases (old snapshots only).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    concept: str | None = None
    facts: tuple[str, ...] = ()
    any_fact: bool = False
    negated: bool = False
    phrases: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _known(self) -> _Statement:
        if self.concept is None and not self.facts and not self.phrases:
            raise ValueError(f"{self.name!r}: a point or claim needs a concept, facts or phrases")
        if self.concept is not None and self.concept not in CONCEPTS:
            raise ValueError(f"{self.name!r}: unknown concept {self.concept!r} (see lexicon)")
        if any(not f.strip() for f in self.facts):
            raise ValueError(f"{self.name!r}: an empty fact")
        return self


class Point(_Statement):
    """A point a reply or note must make. ``conditional_ok``: a conditional statement of
    the concept ("once you send it, we'll reissue the invoice") also makes it."""

    conditional_ok: bool = False


class Claim(_Statement):
    """A claim a reply or note must not make. ``conditional_counts``: a conditional
    statement of the concept ("if the review clears we'll refund") is also a violation
    (by default only a plain assertion is)."""

    conditional_counts: bool = False


#: The legacy name of :class:`Point` (old code and snapshots called points "markers").
Marker = Point


_S = TypeVar("_S", bound=_Statement)


class _Shape(TypedDict, total=False):
    """The keywords :func:`point` and :func:`claim` share (fields of :class:`_Statement`)."""

    facts: tuple[str, ...] | list[str]
    name: str | None
    negated: bool
    any_fact: bool


class _PointShape(_Shape, total=False):
    conditional_ok: bool


class _ClaimShape(_Shape, total=False):
    conditional_counts: bool


def point(concept: str | None = None, **shape: Unpack[_PointShape]) -> Point:
    """A :class:`Point`; ``name`` defaults to the concept (``no_<concept>`` when negated).

    Raises:
        ValueError: an unknown concept, or neither a concept nor facts.
    """
    return _build(Point, concept, dict(shape))


def claim(concept: str | None = None, **shape: Unpack[_ClaimShape]) -> Claim:
    """A :class:`Claim`; ``name`` defaults to the concept (``no_<concept>`` when negated).

    Raises:
        ValueError: an unknown concept, or neither a concept nor facts.
    """
    return _build(Claim, concept, dict(shape))


def _build(cls: type[_S], concept: str | None, shape: dict[str, Any]) -> _S:
    facts = tuple(shape.pop("facts", ()))
    name = shape.pop("name", None) or _default_name(concept, shape.get("negated", False), facts)
    return cls(name=name, concept=concept, facts=facts, **shape)


def claims(*concepts: str) -> tuple[Claim, ...]:
    """One plain :func:`claim` per concept: ``claims("refund", "locked", "escalated")``."""
    return tuple(claim(c) for c in concepts)


def _default_name(concept: str | None, negated: bool, facts: tuple[str, ...] | list[str]) -> str:
    if concept is None:
        if not facts:
            raise ValueError("a point or claim needs a concept or facts")
        return "fact:" + str(facts[0])
    return f"no_{concept}" if negated else concept


def legacy_statement(item: Any) -> Any:
    """An old-format marker (``{"name", "phrases"}``) or forbidden claim (a string) as the
    new shape's data; anything else unchanged (pydantic then validates it)."""
    if isinstance(item, str):
        return {"name": item, "phrases": (item,)}
    return item


def upgrade_gold_data(data: Any) -> Any:
    """A gold's input data with the pre-2.0.0 keys (``reply_markers``, ``note_markers``,
    forbidden claims as strings) mapped to the new shape; new-shape data unchanged."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for old, new in (("reply_markers", "reply_points"), ("note_markers", "note_points")):
        if old in out:
            if new in out:
                raise ValueError(f"both {old!r} and {new!r} given")
            out[new] = out.pop(old)
    if "forbidden_claims" in out:
        out["forbidden_claims"] = tuple(legacy_statement(c) for c in out["forbidden_claims"])
    return out
