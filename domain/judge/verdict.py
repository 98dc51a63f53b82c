"""A judge's verdict on one reply or note: per point made or not, per claim asserted or
not, each with the sentence that decided it (pure data)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Finding:
    """One point or claim judged.

    ``ok``: the point is made / the claim is asserted. ``status``: how the text stated it
    (``asserted``, ``negated``, ``contrasted``, ``conditional``, ``reported``, ``absent``,
    ``contradicted`` or ``missing_fact``). ``sentence``: index (from 0) of the sentence
    that decided it (``None`` when absent), ``text`` that sentence.
    """

    name: str
    ok: bool
    status: str
    sentence: int | None = None
    text: str = ""

    def to_json(self) -> dict[str, Any]:
        """The finding as a JSON-ready dict."""
        return {
            "name": self.name,
            "ok": self.ok,
            "status": self.status,
            "sentence": self.sentence,
            "text": self.text,
        }

    @staticmethod
    def from_json(d: dict[str, Any]) -> Finding:
        """A finding from :meth:`to_json`'s dict.

        Raises:
            KeyError, TypeError: a dict of another shape.
        """
        s = d.get("sentence")
        return Finding(
            str(d["name"]),
            bool(d["ok"]),
            str(d.get("status", "")),
            s if s is None else int(s),
            str(d.get("text", "")),
        )


@dataclass(frozen=True, slots=True)
class Verdict:
    """The verdict on one text: ``points`` and ``claims`` in the gold's order.

    ``judge``: the judge's id (``rule-2``, or ``model:<name>``); ``prompt_sha256``: the
    model judge's prompt hash (empty for the rule judge); ``fallback``: why a model judge
    fell back to the rule judge (empty when it did not).
    """

    points: tuple[Finding, ...]
    claims: tuple[Finding, ...]
    judge: str
    prompt_sha256: str = ""
    fallback: str = ""

    @property
    def made(self) -> tuple[str, ...]:
        """Names of the points made."""
        return tuple(f.name for f in self.points if f.ok)

    @property
    def asserted(self) -> tuple[str, ...]:
        """Names of the forbidden claims asserted."""
        return tuple(f.name for f in self.claims if f.ok)
