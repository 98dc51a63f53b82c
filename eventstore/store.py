"""The event store: append-only streams of events over one recorder.

``append`` is the one write: optimistic concurrency by expected version, checked against
the stream's head inside the recorder's one write transaction, which serialises writers
(so a stream is never half-written, never forked, and global positions follow commit
order); the ``recorded_at`` time is taken there too, so times follow positions. Appends
are idempotent by event id: retrying the same ids is answered with the stored records.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Engine

from caseops.canonical import canonical_json

from . import mapper
from .errors import ConcurrencyError, DataError, IntegrityError, StreamNotFound
from .factory import open_recorder
from .recorder import Head, Recorder
from .records import NewEvent, RecordedEvent, StreamSummary


def _has_nul(*ids: str) -> bool:
    """Whether any id holds a NUL character. PostgreSQL cannot store one in text, so
    every backend refuses such ids on append alike, and no stored id holds one: a read by
    such an id is answered "not found" without asking the database."""
    return any("\x00" in i for i in ids)


def _summary(r: Any) -> StreamSummary:
    return StreamSummary(
        r.stream_id, int(r.version), r.created_at, r.updated_at, json.loads(r.meta)
    )


class EventStore:
    """Append-only event streams in one SQL database.

    Args:
        url: a SQLAlchemy URL (``sqlite:///caseops.db``, ``sqlite://``,
            ``postgresql+psycopg://user@host/db``; ``postgresql://`` means psycopg 3).
        create: create or upgrade the tables (default true).
        lock_timeout_ms: how long a PostgreSQL append waits for the write lock.
        chain_key: the key of the hash chain (see :func:`~.mapper.chain_hash`); ``None``:
            the plain sha256 chain. A store verifies with the key it was given, so every
            process sharing a database must use the same one.

    ``recorder`` is the database behind the store (:mod:`~caseops.eventstore.recorder`).

    Raises:
        BadDatabaseURL: the URL names no database CaseOps can use.
        OperationalError: the database cannot be reached, or its schema is newer than
            this code.
    """

    def __init__(
        self,
        url: str,
        *,
        create: bool = True,
        lock_timeout_ms: int = 5000,
        chain_key: str | bytes | None = None,
    ) -> None:
        self.recorder: Recorder = open_recorder(url, lock_timeout_ms=lock_timeout_ms)
        key = chain_key.encode() if isinstance(chain_key, str) else chain_key
        self.chain_key: bytes | None = key or None
        if create:
            self.recorder.upgrade()

    @property
    def url(self) -> str:
        """The database URL (PostgreSQL forms normalised to psycopg 3)."""
        return self.recorder.url

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.recorder.dialect

    @property
    def engine(self) -> Engine:
        """The recorder's SQLAlchemy engine (for migrations and for tools beside the store)."""
        return self.recorder.engine

    def create_schema(self) -> None:
        """Create or upgrade the schema (:mod:`caseops.eventstore.migrate`).

        Raises:
            OperationalError: unreachable database, or a schema newer than this code.
        """
        self.recorder.upgrade()

    def dispose(self) -> None:
        """Close every connection (and stop the recorder's threads)."""
        self.recorder.dispose()

    # -- writing ----------------------------------------------------------------------
    def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        meta: dict[str, Any] | None = None,
    ) -> list[RecordedEvent]:
        """Append ``events`` to ``stream_id`` atomically.

        Args:
            stream_id: the stream.
            expected_version: the stream's current version as the caller last saw it
                (0 for a stream that must not exist yet).
            events: at least one event; their ids must be new (or all already stored in
                this stream, in which case the stored records are returned: a retry).
            meta: when given, replaces the stream's ``meta`` JSON in the same transaction.

        Returns:
            The stored records, in order.

        Raises:
            ValueError: no events.
            TypeError: a payload or ``meta`` that is not canonical JSON (a float, say).
            DataError: an id with a NUL character.
            ConcurrencyError: the stream's version is not ``expected_version``.
            IntegrityError: some but not all event ids are already stored, or stored in
                another stream.
            OperationalError: the database is unavailable (nothing was written).
        """
        if not events:
            raise ValueError("append needs at least one event")
        ids = [e.event_id for e in events]
        if _has_nul(stream_id, *ids):
            raise DataError("stream and event ids cannot contain NUL characters")
        if len(set(ids)) != len(ids):
            raise IntegrityError("duplicate event ids in one append")
        payloads = [canonical_json(e.payload) for e in events]
        meta_json = None if meta is None else canonical_json(meta)

        def seal(head: Head | None) -> list[mapper.Row]:
            version, prev = head or (0, mapper.GENESIS_HASH)
            if version != expected_version:
                raise ConcurrencyError(
                    f"stream {stream_id} is at version {version}, expected {expected_version}"
                )
            return mapper.chained(
                stream_id, version, prev, events, payloads, mapper.now(), self.chain_key
            )

        try:
            rows, positions = self.recorder.append(stream_id, seal, meta_json)
        except (ConcurrencyError, IntegrityError):
            # a retry of an append that already succeeded is answered with what it stored
            stored = [mapper.recorded(r) for r in self.recorder.events_by_id(ids)]
            if not stored:
                raise
            if len(stored) == len(ids) and all(r.stream_id == stream_id for r in stored):
                return stored
            raise IntegrityError("some of these event ids are already stored") from None
        return mapper.appended(rows, events, positions)

    # -- reading ----------------------------------------------------------------------
    def read(self, stream_id: str, from_version: int = 1) -> list[RecordedEvent]:
        """The events of ``stream_id`` from ``from_version`` on, in version order.

        Raises:
            StreamNotFound: the stream has no events (and ``from_version`` is at most 1).
        """
        rows = [] if _has_nul(stream_id) else self.recorder.events(stream_id, from_version)
        if not rows and from_version <= 1:
            raise StreamNotFound(f"no stream {stream_id!r}")
        return [mapper.recorded(r) for r in rows]

    def find(self, event_id: str) -> RecordedEvent | None:
        """The stored event with ``event_id``, or ``None``."""
        rows = [] if _has_nul(event_id) else self.recorder.events_by_id([event_id])
        return mapper.recorded(rows[0]) if rows else None

    def version(self, stream_id: str) -> int:
        """The stream's current version (0 when it does not exist)."""
        head = None if _has_nul(stream_id) else self.recorder.head(stream_id)
        return 0 if head is None else head.version

    def read_all(
        self, after_position: int = 0, limit: int = 1000, types: Sequence[str] | None = None
    ) -> list[RecordedEvent]:
        """Events of all streams in global (commit) order after ``after_position``,
        optionally only of ``types``; at most ``limit`` (1 to 100,000)."""
        limit = max(1, min(int(limit), 100_000))
        return [mapper.recorded(r) for r in self.recorder.all_events(after_position, limit, types)]

    def summary(self, stream_id: str) -> StreamSummary:
        """The stream's row: version, timestamps and ``meta``.

        Raises:
            StreamNotFound: there is no such stream.
        """
        row = None if _has_nul(stream_id) else self.recorder.stream(stream_id)
        if row is None:
            raise StreamNotFound(f"no stream {stream_id!r}")
        return _summary(row)

    def list_streams(self, limit: int = 50, offset: int = 0) -> tuple[int, list[StreamSummary]]:
        """``(total, page)``: streams newest first, ``limit`` (1 to 1,000) per page from
        ``offset``."""
        total, rows = self.recorder.streams(max(1, min(int(limit), 1000)), max(0, int(offset)))
        return total, [_summary(r) for r in rows]

    def stream_ids(self) -> list[str]:
        """Every stream id, oldest first."""
        return self.recorder.stream_ids()

    def read_payloads(
        self, stream_ids: Sequence[str], batch: int = 500
    ) -> Iterator[tuple[str, list[tuple[str, str, str]]]]:
        """Bulk read for re-grading: per stream of ``stream_ids`` (in that order), its
        events as ``(event_id, type, payload_json)`` in version order (an empty list for a
        stream that does not exist). One query per ``batch`` streams (at least 1);
        payloads stay undecoded text.

        Raises:
            OperationalError: the database is unavailable.
        """
        batch = max(1, int(batch))
        for start in range(0, len(stream_ids), batch):
            wanted = stream_ids[start : start + batch]
            chunk = [s for s in wanted if not _has_nul(s)]
            found: dict[str, list[tuple[str, str, str]]] = {s: [] for s in chunk}
            for sid, eid, typ, payload in self.recorder.payloads(chunk) if chunk else []:
                found[sid].append((eid, typ, payload))
            for sid in wanted:
                yield sid, found.get(sid, [])

    # -- auditing ---------------------------------------------------------------------
    def verify(self, stream_id: str) -> list[str]:
        """Check the stream's hash chain, its version sequence and its row; the problems
        found (empty when intact)."""
        try:
            records = self.read(stream_id)
        except StreamNotFound:
            return [f"{stream_id}: no events"]
        problems = mapper.chain_problems(stream_id, records, self.chain_key)
        head = self.recorder.stream(stream_id)
        if head is None or int(head.version) != records[-1].version:
            problems.append(f"{stream_id}: stream row version differs from its events")
        elif head.last_hash is not None and head.last_hash != records[-1].hash:
            problems.append(f"{stream_id}: stream row last_hash differs from its last event")
        return problems
