"""The SQLite recorder: a WAL database file (or one in memory) through ``sqlite3``.

Every append of a store runs on one writer connection, held open and used under a lock:
writers of one process queue on the lock rather than in SQLite's busy handler (whose
back-off sleeps of up to 100 ms made the tail latency of concurrent sessions); writers
of other processes meet ``BEGIN IMMEDIATE``'s busy wait. Reads take pooled connections.
"""

from __future__ import annotations

import os
import threading
from contextlib import suppress
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import PoolProxiedConnection, StaticPool

from .checkpoint import Checkpointer
from .errors import translate
from .mapper import Row
from .recorder import CoreRecorder, Seal, as_head


def is_memory_url(url: str) -> bool:
    """Whether an SQLite URL names an in-memory database (no file, no WAL)."""
    return url in ("sqlite://", "sqlite:///:memory:") or "mode=memory" in url


def sqlite_engine(url: str) -> Engine:
    """An engine for the SQLite ``url`` with CaseOps' settings: WAL (for a file),
    ``synchronous=NORMAL``, a 30 s busy timeout, and ``BEGIN IMMEDIATE`` for connections
    with the ``caseops_write`` execution option (plain ``BEGIN`` otherwise: the driver
    runs in autocommit mode and SQLAlchemy's transactions are these statements). An
    in-memory database is one connection shared (``StaticPool``)."""
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
        write = conn.get_execution_options().get("caseops_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


class SqliteRecorder(CoreRecorder):
    """Events and streams in one SQLite database (see the module's docstring).

    ``checkpointer`` runs the WAL's checkpoints off the append path for a file database
    (``None`` in memory; see :mod:`~caseops.eventstore.checkpoint`).
    """

    dialect = "sqlite"
    placeholder = "?"

    def __init__(self, url: str) -> None:
        super().__init__(url, sqlite_engine(url))
        self.checkpointer = None if is_memory_url(url) else Checkpointer(self.engine)
        self._lock = threading.Lock()
        #: the writer (a pool proxy held open) and its driver connection, opened by the
        #: process that uses them (a forked child opens its own)
        self._writer: PoolProxiedConnection | None = None
        self._writer_raw: Any = None
        self._writer_pid = os.getpid()

    def _writer_connection(self) -> Any:
        """The writer's driver connection, opened when there is none (call with the
        lock held)."""
        if self._writer_pid != os.getpid():
            # forget the parent's handle unclosed (closing would act on the parent's)
            self._writer, self._writer_raw, self._writer_pid = None, None, os.getpid()
        if self._writer_raw is None:
            self._writer = self.engine.raw_connection()
            self._writer_raw = self._writer.driver_connection
            if self.checkpointer is not None:
                # SQLite's own checkpoint stays, as a backstop (see ``checkpoint``)
                pages = self.checkpointer.backstop_pages
                self._writer_raw.execute(f"PRAGMA wal_autocheckpoint={pages}")
        return self._writer_raw

    def _drop_writer(self) -> None:
        """Discard the writer connection (after a failure it may not survive)."""
        writer, self._writer, self._writer_raw = self._writer, None, None
        if writer is not None:
            with suppress(Exception):  # closing a broken connection may fail too
                writer.invalidate()

    def append(self, stream_id: str, seal: Seal, meta: str | None) -> tuple[list[Row], list[int]]:
        """See :meth:`Recorder.append`: ``BEGIN IMMEDIATE`` on the writer connection,
        under the lock from the ``BEGIN`` to the end of ``COMMIT`` or ``ROLLBACK``. A
        connection that fails to begin, commit or roll back is discarded; the next append
        opens a new one."""
        with translate(), self._lock:
            raw = self._writer_connection()
            try:
                raw.execute("BEGIN IMMEDIATE")
            except BaseException:
                self._drop_writer()
                raise
            try:
                cur = raw.cursor()
                head = as_head(cur.execute(self.sql.head, (stream_id,)).fetchone())
                rows = seal(head)
                # the position is the rowid (an INTEGER PRIMARY KEY aliases it)
                positions = [int(cur.execute(self.sql.insert, r).lastrowid) for r in rows]
                cur.execute(*self.sql.stream_row(head, rows[-1], meta))
                raw.execute("COMMIT")
            except BaseException:
                try:
                    if raw.in_transaction:
                        raw.execute("ROLLBACK")
                except Exception:
                    self._drop_writer()
                raise
            if self.checkpointer is not None:
                self.checkpointer.appended()
        return rows, positions

    def dispose(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.close()
        with self._lock:
            writer, self._writer, self._writer_raw = self._writer, None, None
            if writer is not None:
                writer.close()
        self.engine.dispose()
