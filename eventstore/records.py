"""Record types crossing the store boundary (frozen dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to append: ``event_id`` (a uuid string, unique across the store),
    ``type``, ``schema_version`` and a JSON ``payload`` (no floats)."""

    event_id: str
    type: str
    payload: dict[str, Any]
    schema_version: int = 1


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """A stored event. ``position`` is global and commit-ordered (not necessarily
    contiguous); ``version`` is contiguous within the stream from 1; ``hash`` is
    sha256(prev_hash + canonical record), chaining the stream; ``recorded_at`` is an ISO
    8601 UTC timestamp written by the store."""

    position: int
    stream_id: str
    version: int
    event_id: str
    type: str
    schema_version: int
    payload: dict[str, Any]
    payload_json: str
    recorded_at: str
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class StreamSummary:
    """One stream's row: its version, timestamps and the small ``meta`` projection the
    appender keeps up to date (for episodes: task id, status, score...)."""

    stream_id: str
    version: int
    created_at: str
    updated_at: str
    meta: dict[str, Any] = field(default_factory=dict)
