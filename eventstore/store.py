"""The SQLAlchemy Core event store.

``append`` is atomic: the expected-version check, the inserts and the stream row update
happen in one transaction, so a stream is never half-written. Writers are serialised so
that global positions follow commit order: on PostgreSQL with a table lock taken under a
``lock_timeout``; on SQLite with ``BEGIN IMMEDIATE`` (WAL journal). Appends are
idempotent by event id: retrying the same ids is answered with the stored records.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from types import TracebackType
from typing import Any

import orjson
from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.pool import PoolProxiedConnection, StaticPool

from caseops.domain.canonical import canonical_json, sha256_hex

from . import schema
from .checkpoint import Checkpointer
from .errors import (
    BadDatabaseURL,
    ConcurrencyError,
    DataError,
    IntegrityError,
    StreamNotFound,
    translate,
)
from .records import NewEvent, RecordedEvent, StreamSummary

GENESIS_HASH = "0" * 64
_LOCK_EVENTS = "LOCK TABLE caseops_events IN EXCLUSIVE MODE"
#: How many stream heads (version, last hash) a store remembers for the known-head path.
_HEADS_KEPT = 4096


class _StaleHead(Exception):
    """The stream row is not at the head this process remembered (internal)."""


def chain_hash(
    prev_hash: str,
    stream_id: str,
    version: int,
    ev: NewEvent | RecordedEvent,
    payload_json: str,
    recorded_at: str,
    key: bytes | None = None,
) -> str:
    """sha256 over ``prev_hash`` and the canonical JSON of the record's content (its
    event id, type, schema version, payload, time, stream id and version), as 64 hex
    digits; with a ``key`` (``CASEOPS_CHAIN_KEY``), HMAC-SHA256 (RFC 2104) of the same
    bytes, so that nobody without the key can rehash an edited stream or copy events
    into another stream (the stream id and version are part of what is signed).

    The content is coerced to its types (str and int) here, so it is canonical by
    construction and skips :func:`canonical_json`'s walk for floats (the same bytes),
    and its keys are written in sorted order, so orjson need not sort them
    (``tests/test_eventstore_contract.py`` holds the hash to the definition).
    """
    content = {  # keys in sorted order: the canonical form's
        "event_id": str(ev.event_id),
        "payload": str(payload_json),
        "recorded_at": str(recorded_at),
        "schema_version": int(ev.schema_version),
        "stream_id": str(stream_id),
        "type": str(ev.type),
        "version": int(version),
    }
    try:
        body = orjson.dumps(content)
    except TypeError:  # what orjson refuses (lone surrogates): the reference encoder
        if key is None:
            return sha256_hex(prev_hash + canonical_json(content))
        body = canonical_json(content).encode("utf-8", "surrogatepass")
    if key is not None:
        return hmac.new(key, prev_hash.encode() + body, hashlib.sha256).hexdigest()
    return hashlib.sha256(prev_hash.encode() + body).hexdigest()


#: One row of ``caseops_events`` as the append writes it: stream_id, version, event_id,
#: type, schema_version, payload, recorded_at, prev_hash, hash (the insert's order).
_Row = tuple[str, int, str, str, int, str, str, str, str]


def _chained(
    stream_id: str,
    current: int,
    prev: str,
    events: Sequence[NewEvent],
    payloads: Sequence[str],
    now: str,
    key: bytes | None = None,
) -> list[_Row]:
    """The rows of ``events`` appended after version ``current`` whose hash is ``prev``,
    each chained to the one before (keyed by ``key`` when given)."""
    rows: list[_Row] = []
    for k, (ev, pj) in enumerate(zip(events, payloads, strict=True)):
        version = current + 1 + k
        h = chain_hash(prev, stream_id, version, ev, pj, now, key)
        rows.append((stream_id, version, ev.event_id, ev.type, ev.schema_version, pj, now, prev, h))
        prev = h
    return rows


def _recorded(
    rows: Sequence[_Row], events: Sequence[NewEvent], positions: Sequence[int]
) -> list[RecordedEvent]:
    """The stored records of appended ``rows`` at their global ``positions``."""
    return [
        RecordedEvent(
            position=positions[i],
            stream_id=r[0],
            version=r[1],
            event_id=r[2],
            type=r[3],
            schema_version=r[4],
            payload=events[i].payload,
            payload_json=r[5],
            recorded_at=r[6],
            prev_hash=r[7],
            hash=r[8],
        )
        for i, r in enumerate(rows)
    ]


#: The last second :func:`timestamp` formatted, and its text (one tuple, swapped whole,
#: so threads never see the second of one and the text of another).
_second_text: tuple[int, str] = (-1, "")


def timestamp(microseconds: int) -> str:
    """``microseconds`` since the Unix epoch as the store's ``recorded_at`` text: ISO 8601
    in UTC with six decimals, ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (what
    ``datetime.strftime("%Y-%m-%dT%H:%M:%S.%fZ")`` writes for the same instant).

    The text up to the second is formatted once per second and reused: ``strftime`` on
    every append was 4% of a step's time (README, Performance).

    Raises:
        OverflowError, ValueError: an instant outside what the C library can format.
    """
    global _second_text
    second, fraction = divmod(microseconds, 1_000_000)
    cached = _second_text
    if cached[0] != second:
        cached = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
        _second_text = cached
    return f"{cached[1]}.{fraction:06d}Z"


def _now() -> str:
    """The wall clock now, as :func:`timestamp` writes it (only ``recorded_at`` reads
    the clock; nothing in the domain does)."""
    return timestamp(time.time_ns() // 1000)


def _broken(conn: Connection) -> bool:
    """Whether the driver connection under ``conn`` is closed or broken (psycopg's
    ``broken``/``closed``, psycopg2's ``closed``); a connection SQLAlchemy already
    invalidated counts as broken."""
    if conn.invalidated:
        return True
    try:
        raw = conn.connection.driver_connection
    except Exception:
        return True
    return bool(getattr(raw, "broken", False) or getattr(raw, "closed", False))


def is_memory_url(url: str) -> bool:
    """Whether an SQLite URL names an in-memory database (no file, no WAL)."""
    return url in ("sqlite://", "sqlite:///:memory:") or "mode=memory" in url


#: URL schemes that SQLAlchemy maps to psycopg2 (its default PostgreSQL driver), which
#: CaseOps does not install; they mean the installed psycopg 3 driver here
_POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def redact_url(url: str) -> str:
    """``url`` with its credentials (``user:password@``) replaced by ``***@``."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
    return url


def normalize_url(url: str) -> str:
    """``url`` with the standard PostgreSQL forms (``postgresql://…`` and the libpq/Heroku
    ``postgres://…``) rewritten to the installed psycopg 3 driver,
    ``postgresql+psycopg://…``; any other URL unchanged (SQLAlchemy documentation,
    "Engine Configuration: Database URLs": a scheme without ``+driver`` picks the
    dialect's default driver, psycopg2 for PostgreSQL)."""
    for scheme in _POSTGRES_SCHEMES:
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    return url


def make_engine(url: str, *, lock_timeout_ms: int = 5000, pre_ping: bool = True) -> Engine:
    """An engine for ``url`` with CaseOps' connection settings.

    SQLite: WAL, ``synchronous=NORMAL``, a 30 s busy timeout, and ``BEGIN IMMEDIATE`` for
    write transactions (plain ``BEGIN`` for reads). An in-memory SQLite URL shares one
    connection (``StaticPool``). PostgreSQL: pooled connections pinged on check-out
    (``pre_ping``; the store's append pool does without, see ``EventStore._write``), a
    5 s connect timeout, TCP keepalives and a session ``lock_timeout`` of
    ``lock_timeout_ms``.
    """
    url = normalize_url(url)
    if url.startswith("sqlite"):
        memory = is_memory_url(url)
        kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
        if memory:
            kwargs["poolclass"] = StaticPool
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            if not memory:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            if conn.get_execution_options().get("caseops_write"):
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.exec_driver_sql("BEGIN")

        return engine
    return create_engine(
        url,
        pool_pre_ping=pre_ping,
        pool_size=10,
        max_overflow=20,
        # libpq TCP keepalives: a silent network partition fails a pooled connection in
        # about 10 + 3 x 5 s instead of hanging it until the kernel gives up (hours).
        connect_args={
            "connect_timeout": 5,
            # session-wide (one round trip less per append than SET LOCAL); reads take no
            # lock that the appends' EXCLUSIVE table lock conflicts with
            "options": f"-c lock_timeout={int(lock_timeout_ms)}",
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 5,
            "keepalives_count": 3,
        },
    )


class _SqliteWrite:
    """One SQLite write transaction on the store's writer connection (see
    :meth:`EventStore._write`): the write mutex is held from ``BEGIN IMMEDIATE`` to the
    end of ``COMMIT`` or ``ROLLBACK``. A class rather than a ``contextlib`` generator: it
    wraps every append, where the generator's set-up showed in the profile (README,
    Performance).
    """

    __slots__ = ("_raw", "_store")

    def __init__(self, store: EventStore) -> None:
        self._store = store
        self._raw: Any = None

    def __enter__(self) -> Any:
        store = self._store
        store._write_mutex.__enter__()
        try:
            raw = store._writer_connection()
            try:
                raw.execute("BEGIN IMMEDIATE")
            except BaseException:
                store._drop_writer()
                raise
        except BaseException:
            store._write_mutex.__exit__(None, None, None)
            raise
        self._raw = raw
        return raw

    def __exit__(
        self,
        typ: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        store, raw = self._store, self._raw
        try:
            if exc is None:
                try:
                    raw.execute("COMMIT")
                except BaseException:
                    self._roll_back()
                    raise
                if store.checkpointer is not None:
                    store.checkpointer.appended()
            else:
                self._roll_back()
        finally:
            store._write_mutex.__exit__(None, None, None)

    def _roll_back(self) -> None:
        """Roll the open transaction back; a connection that cannot is discarded."""
        try:
            if self._raw.in_transaction:
                self._raw.execute("ROLLBACK")
        except Exception:
            self._store._drop_writer()


class EventStore:
    """Append-only event streams in one SQL database.

    Args:
        url: a SQLAlchemy URL (``sqlite:///caseops.db``, ``sqlite://``,
            ``postgresql+psycopg://user@host/db``).
        create: create the tables when missing (default true).
        lock_timeout_ms: PostgreSQL lock timeout for appends, in milliseconds.
        chain_key: the key of the hash chain (see :func:`chain_hash`); ``None``: the
            plain sha256 chain. A store verifies with the key it was given, so every
            process sharing a database must use the same one.

    Raises:
        OperationalError: when the database cannot be reached.
    """

    def __init__(
        self,
        url: str,
        *,
        create: bool = True,
        lock_timeout_ms: int = 5000,
        chain_key: str | bytes | None = None,
    ) -> None:
        url = normalize_url(url)
        self.url = url
        self.chain_key: bytes | None = (
            chain_key.encode() if isinstance(chain_key, str) else chain_key
        ) or None
        self.dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
        if not url.startswith(("sqlite:", "postgresql")):
            raise BadDatabaseURL(
                f"unusable database URL {redact_url(url)!r}: CaseOps stores its events in "
                "SQLite (sqlite:///path/file.db) or PostgreSQL (postgresql://user@host/db)"
            )
        try:
            self.engine = make_engine(url, lock_timeout_ms=lock_timeout_ms)
        except (sa_exc.ArgumentError, sa_exc.NoSuchModuleError, ImportError) as e:
            raise BadDatabaseURL(f"unusable database URL {redact_url(url)!r}: {e}") from e
        #: PostgreSQL appends' own pool, without the check-out ping (one round trip of
        #: the five an append made); ``_write`` takes its place (see there)
        self._append_engine = (
            self.engine
            if self.dialect == "sqlite"
            else make_engine(url, lock_timeout_ms=lock_timeout_ms, pre_ping=False)
        )
        self._write_mutex: AbstractContextManager[Any] = (
            threading.Lock() if self.dialect == "sqlite" else nullcontext()
        )
        #: SQLite's writer connection (a pool proxy held open; see ``_write``)
        self._writer: PoolProxiedConnection | None = None
        #: its driver connection (read through the pool proxy once, not per append)
        self._writer_raw: Any = None
        self._writer_pid = os.getpid()
        #: WAL checkpoints off the append path (SQLite files; see ``checkpoint``)
        self.checkpointer = (
            Checkpointer(self.engine)
            if self.dialect == "sqlite" and not is_memory_url(url)
            else None
        )
        ev, st = schema.events, schema.streams
        # Statements built once (SQLAlchemy caches their compiled form).
        self._q_head = select(st.c.version, st.c.last_hash).where(
            st.c.stream_id == bindparam("sid")
        )
        self._q_version = select(st.c.version).where(st.c.stream_id == bindparam("sid"))
        # The append's statements as driver SQL (its hot path runs the driver's cursor).
        ph = "?" if self.dialect == "sqlite" else "%s"
        self._sql_head = f"SELECT version, last_hash FROM {st.name} WHERE stream_id = {ph}"
        self._sql_insert = (
            f"INSERT INTO {ev.name} (stream_id, version, event_id, type, schema_version, "
            f"payload, recorded_at, prev_hash, hash) VALUES ({', '.join([ph] * 9)}) "
            "RETURNING position"
        )
        self._sql_new_stream = (
            f"INSERT INTO {st.name} (stream_id, version, created_at, updated_at, meta, "
            f"last_hash) VALUES ({', '.join([ph] * 6)})"
        )
        self._sql_move = (
            f"UPDATE {st.name} SET version = {ph}, updated_at = {ph}, last_hash = {ph} "
            f"WHERE stream_id = {ph}"
        )
        self._sql_move_meta = (
            f"UPDATE {st.name} SET version = {ph}, updated_at = {ph}, meta = {ph}, "
            f"last_hash = {ph} WHERE stream_id = {ph}"
        )
        # The known-head path: the stream row moves only if it is still at the version
        # and hash this process last wrote (a guard instead of a read).
        self._sql_move_guarded = (
            f"UPDATE {st.name} SET version = {ph}, updated_at = {ph}, meta = {ph}, "
            f"last_hash = {ph} WHERE stream_id = {ph} AND version = {ph} AND last_hash = {ph}"
        )
        self._sql_insert_plain = self._sql_insert.removesuffix(" RETURNING position")
        #: stream id -> (version, last hash) as this process last appended it
        self._heads: OrderedDict[str, tuple[int, str]] = OrderedDict()
        self._heads_lock = threading.Lock()
        # the PostgreSQL side of that path needs psycopg 3's pipeline mode
        self._known_head_path = self.dialect == "sqlite" or self.engine.dialect.driver == "psycopg"
        if create:
            self.create_schema()

    # -- schema -----------------------------------------------------------------------
    def create_schema(self) -> None:
        """Create or upgrade the schema (Alembic, see :mod:`caseops.eventstore.migrate`).

        Raises:
            OperationalError: unreachable database, or a schema newer than this code.
        """
        from .migrate import upgrade

        upgrade(self.engine)

    def dispose(self) -> None:
        """Stop the checkpoint thread; close the writer connection and all pooled
        connections."""
        if self.checkpointer is not None:
            self.checkpointer.close()
        with self._write_mutex:
            writer, self._writer, self._writer_raw = self._writer, None, None
            if writer is not None:
                writer.close()
        if self._append_engine is not self.engine:
            self._append_engine.dispose()
        self.engine.dispose()

    def _write(self) -> AbstractContextManager[Any]:
        """A write transaction: a context manager that yields the driver's (PEP 249)
        connection, commits when the block ends and rolls back when it raises.

        SQLite: one writer connection per store, held open and used under the write mutex
        (writers of this process queue on the mutex rather than in SQLite's busy handler,
        whose back-off sleeps of up to 100 ms made the tail latency of concurrent
        sessions; other processes still meet ``BEGIN IMMEDIATE``'s busy wait). Holding it
        saves the pool check-out, reset and SQLAlchemy's transaction bookkeeping, which
        cost more than the append's statements (README, Performance). A connection that
        fails to begin, commit or roll back is discarded; the next append opens a new one.
        See :class:`_SqliteWrite`.

        PostgreSQL: see :meth:`_pg_write`.
        """
        if self.dialect != "sqlite":
            return self._pg_write()
        return _SqliteWrite(self)

    def _writer_connection(self) -> Any:
        """The SQLite writer's driver connection, opened when there is none (call with
        the write mutex held)."""
        if self._writer_pid != os.getpid():
            # a forked child must not share its parent's connection: forget it
            # (unclosed: closing would act on the parent's handle) and open its own
            self._writer, self._writer_raw, self._writer_pid = None, None, os.getpid()
        raw = self._writer_raw
        if raw is None:  # set and cleared with ``_writer``
            self._writer = self.engine.raw_connection()
            raw = self._writer_raw = self._writer.driver_connection
            assert raw is not None
            if self.checkpointer is not None:
                # the automatic checkpoint only as a backstop (see ``checkpoint``)
                raw.execute(f"PRAGMA wal_autocheckpoint={self.checkpointer.backstop_pages}")
        return raw

    @contextmanager
    def _pg_write(self) -> Iterator[Any]:
        """A PostgreSQL write transaction holding the events table lock; yields the
        driver's connection, commits when the block ends, rolls back when it raises.

        The transaction's first round trip begins it and takes the lock (one pipeline
        with psycopg 3). The append pool does not ping a connection on check-out: that
        first round trip is the ping. When it fails on a connection the driver reports
        broken or closed (the server restarted while the connection sat in the pool),
        nothing was sent that could commit, so the connection is discarded with every
        idle one (they are likely dead alike) and the transaction starts once more on a
        fresh connection; a second failure propagates (an outage: HTTP 503). A
        connection that fails later in the transaction is discarded too (SQLAlchemy's
        optimistic disconnect handling, done here because the append talks to the
        driver directly).
        """
        pipelined = self._append_engine.dialect.driver == "psycopg"
        for attempt in (1, 2):
            c = self._append_engine.connect()
            try:
                c.begin()
                driver = c.connection.driver_connection
                if pipelined:
                    with driver.pipeline():  # type: ignore[union-attr]
                        driver.cursor().execute(_LOCK_EVENTS)  # type: ignore[union-attr]
                else:
                    driver.cursor().execute(_LOCK_EVENTS)  # type: ignore[union-attr]
            except Exception:
                dead = _broken(c)
                if dead:
                    c.invalidate()
                c.close()
                if not dead or attempt == 2:
                    raise
                self._append_engine.pool.dispose()  # the other idle ones
                continue
            break
        try:
            yield driver
            c.commit()
        except BaseException:
            if _broken(c):
                c.invalidate()
            else:
                with suppress(Exception):
                    c.rollback()
            raise
        finally:
            c.close()

    def _drop_writer(self) -> None:
        """Discard the SQLite writer connection (after a failure it may not survive)."""
        writer, self._writer, self._writer_raw = self._writer, None, None
        if writer is not None:
            with suppress(Exception):  # closing a broken connection may fail too
                writer.invalidate()

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

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
            stream_id: the stream (an episode id).
            expected_version: the stream's current version as the caller last saw it
                (0 for a stream that must not exist yet).
            events: at least one event; their ids must be new (or all already stored in
                this stream, in which case the stored records are returned: a retry).
            meta: when given, replaces the stream's ``meta`` projection in the same
                transaction.

        Returns:
            The stored records, in order.

        Raises:
            ConcurrencyError: the stream's version is not ``expected_version``.
            IntegrityError: some but not all event ids are already stored, or stored in
                another stream.
            OperationalError: the database is unavailable (nothing was written).
        """
        if not events:
            raise ValueError("append needs at least one event")
        if "\x00" in stream_id or any("\x00" in e.event_id for e in events):
            # PostgreSQL cannot store NUL in text; refused on every backend alike (and so
            # no stored id contains one: reads answer "not found" for such ids).
            raise DataError("stream and event ids cannot contain NUL characters")
        ids = [e.event_id for e in events]
        if len(set(ids)) != len(ids):
            raise IntegrityError("duplicate event ids in one append")
        try:
            return self._append(stream_id, expected_version, events, meta)
        except (ConcurrencyError, IntegrityError):
            # A retry of an append that already succeeded is answered with what it stored.
            stored = self._stored(ids)
            if stored:
                if len(stored) == len(ids) and all(r.stream_id == stream_id for r in stored):
                    return stored
                raise IntegrityError("some of these event ids are already stored") from None
            raise

    def _stored(self, ids: list[str]) -> list[RecordedEvent]:
        t = schema.events
        with translate(), self._read() as conn:
            rows = conn.execute(select(t).where(t.c.event_id.in_(ids)).order_by(t.c.position)).all()
        return [self._row(r) for r in rows]

    def _append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        meta: dict[str, Any] | None,
    ) -> list[RecordedEvent]:
        payloads = [canonical_json(e.payload) for e in events]
        meta_json = canonical_json(meta) if meta is not None else None
        with self._heads_lock:
            known = self._heads.get(stream_id)
        if (
            known is not None
            and known[0] == expected_version
            and meta_json is not None
            and self._known_head_path
        ):
            try:
                return self._append_at_head(stream_id, known, events, payloads, meta_json)
            except (_StaleHead, IntegrityError):
                # another process moved the stream (or the ids are a retry): forget the
                # head and let the reading path below give the precise answer
                self._forget_head(stream_id)
        with translate(), self._write() as driver:
            # The hot path talks to the driver's cursor directly, inside the transaction
            # that ``_write`` began (SQLAlchemy's per-statement machinery cost more than
            # the statements; see the README's Performance section).
            cur = driver.cursor()
            try:
                cur.execute(self._sql_head, (stream_id,))
                row = cur.fetchone()
                current = 0 if row is None else int(row[0])
                if current != expected_version:
                    raise ConcurrencyError(
                        f"stream {stream_id} is at version {current}, expected {expected_version}"
                    )
                prev = GENESIS_HASH if row is None else (row[1] or GENESIS_HASH)
                now = _now()
                records = _chained(stream_id, current, prev, events, payloads, now, self.chain_key)
                positions: list[int] = []
                for rec in records:
                    cur.execute(self._sql_insert, rec)
                    positions.append(int(cur.fetchone()[0]))
                new_version = current + len(events)
                prev = records[-1][8]
                if row is None:
                    cur.execute(
                        self._sql_new_stream,
                        (stream_id, new_version, now, now, meta_json or "{}", prev),
                    )
                elif meta_json is not None:
                    cur.execute(self._sql_move_meta, (new_version, now, meta_json, prev, stream_id))
                else:
                    cur.execute(self._sql_move, (new_version, now, prev, stream_id))
            finally:
                cur.close()
        self._remember_head(stream_id, new_version, prev)
        return _recorded(records, events, positions)

    def _remember_head(self, stream_id: str, version: int, last_hash: str) -> None:
        with self._heads_lock:
            self._heads[stream_id] = (version, last_hash)
            self._heads.move_to_end(stream_id)
            while len(self._heads) > _HEADS_KEPT:
                self._heads.popitem(last=False)

    def _forget_head(self, stream_id: str) -> None:
        with self._heads_lock:
            self._heads.pop(stream_id, None)

    def _append_at_head(
        self,
        stream_id: str,
        head: tuple[int, str],
        events: Sequence[NewEvent],
        payloads: list[str],
        meta_json: str,
    ) -> list[RecordedEvent]:
        """Append after a head this process wrote: no read of the stream row; its
        guarded update (version and hash) is the expected-version check. On PostgreSQL
        the transaction's start and the table lock travel in one pipeline, the update
        and the inserts in a second one. The timestamp is taken once the write lock is
        held, so timestamps follow positions as on the reading path.

        Raises:
            _StaleHead: the stream row is no longer at ``head`` (nothing written).
        """
        current, head_hash = head
        new_version = current + len(events)
        positions: list[int] = []
        with translate(), self._write() as driver:
            pg = self.dialect == "postgresql"
            now = _now()
            records = _chained(stream_id, current, head_hash, events, payloads, now, self.chain_key)
            last_hash = records[-1][8]
            guard = (new_version, now, meta_json, last_hash, stream_id, current, head_hash)
            if pg:
                with driver.pipeline():  # type: ignore[union-attr]
                    move = driver.cursor()  # type: ignore[union-attr]
                    move.execute(self._sql_move_guarded, guard)
                    inserts = []
                    for rec in records:
                        c = driver.cursor()  # type: ignore[union-attr]
                        c.execute(self._sql_insert, rec)
                        inserts.append(c)
                # The commit is not pipelined with them: a COMMIT already queued on the
                # server commits even when this client dies while the update waits on a
                # lock, and the caller would get an error for a stored step.
                if move.rowcount != 1:
                    raise _StaleHead(stream_id)
                positions = [int(c.fetchone()[0]) for c in inserts]
            else:
                cur = driver.cursor()  # type: ignore[union-attr]
                try:
                    cur.execute(self._sql_move_guarded, guard)
                    if cur.rowcount != 1:
                        raise _StaleHead(stream_id)
                    for rec in records:
                        cur.execute(self._sql_insert_plain, rec)
                        positions.append(int(cur.lastrowid))
                finally:
                    cur.close()
        self._remember_head(stream_id, new_version, last_hash)
        return _recorded(records, events, positions)

    # -- reading ----------------------------------------------------------------------
    @staticmethod
    def _row(r: Any) -> RecordedEvent:
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

    def read(self, stream_id: str, from_version: int = 1) -> list[RecordedEvent]:
        """The events of ``stream_id`` from ``from_version`` on, in version order.

        Raises:
            StreamNotFound: when the stream has no events.
        """
        if "\x00" in stream_id:
            raise StreamNotFound(f"no episode {stream_id!r}")
        t = schema.events
        with translate(), self._read() as conn:
            rows = conn.execute(
                select(t)
                .where(t.c.stream_id == stream_id, t.c.version >= from_version)
                .order_by(t.c.version)
            ).all()
            if not rows and from_version <= 1:
                raise StreamNotFound(f"no episode {stream_id!r}")
        return [self._row(r) for r in rows]

    def find(self, event_id: str) -> RecordedEvent | None:
        """The stored event with ``event_id``, or ``None``."""
        if "\x00" in event_id:
            return None
        t = schema.events
        with translate(), self._read() as conn:
            r = conn.execute(select(t).where(t.c.event_id == event_id)).first()
        return None if r is None else self._row(r)

    def version(self, stream_id: str) -> int:
        """The stream's current version (0 when it does not exist)."""
        if "\x00" in stream_id:
            return 0
        with translate(), self._read() as conn:
            row = conn.execute(self._q_version, {"sid": stream_id}).first()
        return 0 if row is None else int(row[0])

    def read_all(
        self, after_position: int = 0, limit: int = 1000, types: Sequence[str] | None = None
    ) -> list[RecordedEvent]:
        """Events of all streams in global (commit) order after ``after_position``,
        optionally only of ``types``; at most ``limit``."""
        t = schema.events
        q = select(t).where(t.c.position > after_position)
        if types:
            q = q.where(t.c.type.in_(list(types)))
        q = q.order_by(t.c.position).limit(max(1, min(int(limit), 100_000)))
        with translate(), self._read() as conn:
            rows = conn.execute(q).all()
        return [self._row(r) for r in rows]

    def summary(self, stream_id: str) -> StreamSummary:
        """The stream row of ``stream_id``.

        Raises:
            StreamNotFound: when there is no such stream.
        """
        if "\x00" in stream_id:
            raise StreamNotFound(f"no episode {stream_id!r}")
        s = schema.streams
        with translate(), self._read() as conn:
            r = conn.execute(select(s).where(s.c.stream_id == stream_id)).first()
        if r is None:
            raise StreamNotFound(f"no episode {stream_id!r}")
        return StreamSummary(
            r.stream_id, int(r.version), r.created_at, r.updated_at, json.loads(r.meta)
        )

    def list_streams(self, limit: int = 50, offset: int = 0) -> tuple[int, list[StreamSummary]]:
        """``(total, page)``: streams newest first, ``limit`` per page from ``offset``."""
        s = schema.streams
        with translate(), self._read() as conn:
            total = int(conn.execute(select(func.count()).select_from(s)).scalar_one())
            rows = conn.execute(
                select(s)
                .order_by(s.c.created_at.desc(), s.c.stream_id)
                .limit(max(1, min(int(limit), 1000)))
                .offset(max(0, int(offset)))
            ).all()
        return total, [
            StreamSummary(
                r.stream_id, int(r.version), r.created_at, r.updated_at, json.loads(r.meta)
            )
            for r in rows
        ]

    def stream_ids(self) -> list[str]:
        """Every stream id, oldest first."""
        s = schema.streams
        with translate(), self._read() as conn:
            return [r[0] for r in conn.execute(select(s.c.stream_id).order_by(s.c.created_at))]

    def read_payloads(
        self, stream_ids: Sequence[str], batch: int = 500
    ) -> Iterator[tuple[str, list[tuple[str, str, str]]]]:
        """Bulk read for re-grading: per stream of ``stream_ids`` (in that order), its
        events as ``(event_id, type, payload_json)`` in version order (an empty list for
        a stream that does not exist). One query per ``batch`` streams (at least 1);
        payloads stay undecoded text.

        Raises:
            OperationalError: the database is unavailable.
        """
        batch = max(1, int(batch))
        ph = "?" if self.dialect == "sqlite" else "%s"
        for start in range(0, len(stream_ids), batch):
            wanted = stream_ids[start : start + batch]
            chunk = [s for s in wanted if "\x00" not in s]
            found: dict[str, list[tuple[str, str, str]]] = {}
            if chunk:
                sql = (
                    f"SELECT stream_id, event_id, type, payload FROM {schema.events.name} "
                    f"WHERE stream_id IN ({', '.join([ph] * len(chunk))}) "
                    "ORDER BY stream_id, version"
                )
                with translate(), self._read() as conn:
                    # the driver's cursor: this path reads rows by the ten thousand
                    cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
                    try:
                        cur.execute(sql, chunk)
                        fetched = cur.fetchall()
                    finally:
                        cur.close()
                for sid, eid, typ, payload in fetched:
                    rows = found.get(sid)
                    if rows is None:
                        rows = found[sid] = []
                    rows.append((eid, typ, payload))
            for sid in wanted:
                yield sid, found.get(sid, [])

    # -- auditing ---------------------------------------------------------------------
    def verify(self, stream_id: str) -> list[str]:
        """Check the stream's hash chain and version sequence; the list of problems found
        (empty when intact)."""
        problems: list[str] = []
        prev = GENESIS_HASH
        try:
            records = self.read(stream_id)
        except StreamNotFound:
            return [f"{stream_id}: no events"]
        for i, r in enumerate(records, start=1):
            if r.version != i:
                problems.append(f"{stream_id}: version {r.version} where {i} was expected")
            if r.prev_hash != prev:
                problems.append(f"{stream_id} v{r.version}: prev_hash does not chain")
            if canonical_json(r.payload) != r.payload_json:
                problems.append(f"{stream_id} v{r.version}: payload is not canonical")
            h = chain_hash(
                prev, stream_id, r.version, r, r.payload_json, r.recorded_at, self.chain_key
            )
            if h != r.hash:
                unkeyed = self.chain_key is not None and r.hash == chain_hash(
                    prev, stream_id, r.version, r, r.payload_json, r.recorded_at
                )
                why = "hashed without the chain key" if unkeyed else "hash mismatch (edited?)"
                problems.append(f"{stream_id} v{r.version}: {why}")
            prev = r.hash
        if records:
            with translate(), self._read() as conn:
                head = conn.execute(self._q_head, {"sid": stream_id}).first()
            if head is None or int(head[0]) != records[-1].version:
                problems.append(f"{stream_id}: stream row version differs from its events")
            elif head[1] is not None and head[1] != records[-1].hash:
                problems.append(f"{stream_id}: stream row last_hash differs from its last event")
        return problems
