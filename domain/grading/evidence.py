"""The evidence a step collects: one key per piece, derived here for both the case record
(:func:`caseops.statemachine.evolve`) and the grader's tally."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def evidence_key(kind: str, fields: Mapping[str, Any]) -> str | None:
    """The evidence an accepted step event collects, or ``None``.

    Args:
        kind: the event's type name (``TicketReviewed``, ``ArtifactInspected``, ...).
        fields: its fields (a live event's ``__dict__`` or a stored payload).

    Returns:
        ``"ticket"``, ``"artifact:<id>"``, ``"policy:<topic>"`` (a search that found a
        topic), or ``None`` for a step that collects nothing.

    Raises:
        KeyError: an ``ArtifactInspected`` payload without ``artifact_id``.
    """
    if kind == "TicketReviewed":
        return "ticket"
    if kind == "ArtifactInspected":
        return f"artifact:{fields['artifact_id']}"
    if kind == "PolicySearched":
        topic = fields.get("topic")
        return None if topic is None else f"policy:{topic}"
    return None
