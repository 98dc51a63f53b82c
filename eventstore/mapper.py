"""The mapper: events to stored rows and stored rows back to records.

Everything the store writes or checks about an event's content lives here: the payload's
canonical JSON, the ``recorded_at`` text and the hash chain (each event's ``hash`` covers
the one before it, ``prev_hash``, and the event's content; the first event of a stream
chains to :data:`GENESIS_HASH`). The recorders only move rows (docs/architecture.md,
"Events and the store").
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Sequence
from typing import Any, NamedTuple

from caseops.canonical import canonical_json

from .records import NewEvent, RecordedEvent

#: The ``prev_hash`` of a stream's first event.
GENESIS_HASH = "0" * 64


class Row(NamedTuple):
    """One row of ``caseops_events`` as an append writes it (the insert's column order)."""

    stream_id: str
    version: int
    event_id: str
    type: str
    schema_version: int
    payload: str
    recorded_at: str
    prev_hash: str
    hash: str


def chain_hash(
    prev_hash: str,
    stream_id: str,
    version: int,
    ev: NewEvent | RecordedEvent,
    payload_json: str,
    recorded_at: str,
    key: bytes | None = None,
) -> str:
    """sha256 over ``prev_hash`` followed by the canonical JSON of the record's content (its
    event id, type, schema version, payload text, time, stream id and version), as 64 hex
    digits; with a ``key`` (``CASEOPS_CHAIN_KEY``), HMAC-SHA256 (RFC 2104) of the same
    bytes, so that nobody without the key can rehash an edited stream or copy events
    into another stream (the stream id and version are part of what is signed)."""
    content = {
        "event_id": ev.event_id,
        "payload": payload_json,
        "recorded_at": recorded_at,
        "schema_version": ev.schema_version,
        "stream_id": stream_id,
        "type": ev.type,
        "version": version,
    }
    body = (prev_hash + canonical_json(content)).encode("utf-8", "surrogatepass")
    if key is None:
        return hashlib.sha256(body).hexdigest()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def timestamp(microseconds: int) -> str:
    """``microseconds`` since the Unix epoch as the store's ``recorded_at`` text: ISO 8601
    in UTC with six decimals, ``YYYY-MM-DDTHH:MM:SS.ffffffZ``.

    Raises:
        OverflowError, ValueError: an instant outside what the C library can format.
    """
    seconds, fraction = divmod(microseconds, 1_000_000)
    return f"{time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(seconds))}.{fraction:06d}Z"


def now() -> str:
    """The wall clock now, as :func:`timestamp` writes it (only ``recorded_at`` reads the
    clock; nothing in the domain does)."""
    return timestamp(time.time_ns() // 1000)


def chained(
    stream_id: str,
    version: int,
    prev_hash: str,
    events: Sequence[NewEvent],
    payloads: Sequence[str],
    recorded_at: str,
    key: bytes | None = None,
) -> list[Row]:
    """The rows of ``events`` (their payloads' canonical JSON in ``payloads``) appended
    after ``version``, whose hash is ``prev_hash``: each chained to the one before."""
    rows: list[Row] = []
    for k, (ev, payload) in enumerate(zip(events, payloads, strict=True)):
        v = version + 1 + k
        h = chain_hash(prev_hash, stream_id, v, ev, payload, recorded_at, key)
        rows.append(
            Row(
                stream_id,
                v,
                ev.event_id,
                ev.type,
                ev.schema_version,
                payload,
                recorded_at,
                prev_hash,
                h,
            )
        )
        prev_hash = h
    return rows


def appended(
    rows: Sequence[Row], events: Sequence[NewEvent], positions: Sequence[int]
) -> list[RecordedEvent]:
    """The records of just-written ``rows`` (of ``events``) at their global ``positions``."""
    return [
        RecordedEvent(
            position=pos,
            stream_id=r.stream_id,
            version=r.version,
            event_id=r.event_id,
            type=r.type,
            schema_version=r.schema_version,
            payload=ev.payload,
            payload_json=r.payload,
            recorded_at=r.recorded_at,
            prev_hash=r.prev_hash,
            hash=r.hash,
        )
        for r, ev, pos in zip(rows, events, positions, strict=True)
    ]


def recorded(r: Any) -> RecordedEvent:
    """The record of a stored ``caseops_events`` row (a row with the table's columns)."""
    return RecordedEvent(
        position=int(r.position),
        stream_id=r.stream_id,
        version=int(r.version),
        event_id=r.event_id,
        type=r.type,
        schema_version=int(r.schema_version),
        payload=json.loads(r.payload),
        payload_json=r.payload,
        recorded_at=r.recorded_at,
        prev_hash=r.prev_hash,
        hash=r.hash,
    )


def chain_problems(
    stream_id: str, records: Sequence[RecordedEvent], key: bytes | None = None
) -> list[str]:
    """What is wrong with a stream's ``records`` (all of them, in version order): versions
    not contiguous from 1, a ``prev_hash`` that does not chain, a payload not in canonical
    form, a hash that does not match (or that was made without ``key``). Empty when the
    chain is intact."""
    problems: list[str] = []
    prev = GENESIS_HASH
    for i, r in enumerate(records, start=1):
        at = f"{stream_id} v{r.version}"
        if r.version != i:
            problems.append(f"{stream_id}: version {r.version} where {i} was expected")
        if r.prev_hash != prev:
            problems.append(f"{at}: prev_hash does not chain")
        if canonical_json(r.payload) != r.payload_json:
            problems.append(f"{at}: payload is not canonical")
        args = (prev, stream_id, r.version, r, r.payload_json, r.recorded_at)
        if chain_hash(*args, key) != r.hash:
            unkeyed = key is not None and chain_hash(*args) == r.hash
            why = "hashed without the chain key" if unkeyed else "hash mismatch (edited?)"
            problems.append(f"{at}: {why}")
        prev = r.hash
    return problems
