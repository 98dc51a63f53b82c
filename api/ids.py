"""Event and episode ids: time-ordered UUIDv7 for new events and episodes, and
request-derived ids for idempotent steps."""

from __future__ import annotations

import hashlib
import os
import threading
import time
import uuid

_UUID7_LOCK = threading.Lock()
_uuid7_last = 0  # the last (milliseconds << 74 | random) handed out by this process


def uuid7() -> str:
    """A new UUID version 7 (RFC 9562, section 5.7) as text: 48 bits of Unix time in
    milliseconds, then 74 random bits (``os.urandom``), with the version and variant bits.
    Monotonic within a process (RFC 9562 section 6.2, method 2, with a random increment):
    an id made in the same millisecond as the last one, or after the clock stepped back,
    is the last one plus a random 1 to 2**32, so it still sorts after it.

    Time-ordered ids append at the right edge of the store's id indexes rather than at a
    random page (bench/README.md). Only ids are time-based; nothing in the domain reads
    them.
    """
    global _uuid7_last
    ms = time.time_ns() // 1_000_000
    with _UUID7_LOCK:
        candidate = ms << 74 | int.from_bytes(os.urandom(10), "big") >> 6
        if candidate <= _uuid7_last:
            candidate = _uuid7_last + 1 + int.from_bytes(os.urandom(4), "big")
        _uuid7_last = candidate
    ms, rand = candidate >> 74, candidate & (1 << 74) - 1
    value = ms << 80 | 0x7 << 76 | (rand >> 62) << 64 | 0x2 << 62 | rand & (1 << 62) - 1
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def request_event_id(episode_id: str, request_id: str, k: int) -> str:
    """The id of the ``k``-th event appended by step ``request_id`` of an episode: a uuid
    built from sha256, so a retried request maps to the ids it stored the first time."""
    digest = hashlib.sha256(f"{episode_id}\x1f{request_id}\x1f{k}".encode()).hexdigest()
    return str(uuid.UUID(digest[:32]))
