"""The PostgreSQL recorder, through psycopg 3.

Appends are serialised by a lock on the events table (``EXCLUSIVE``: reads go on), taken
under the session's ``lock_timeout``, so that positions follow commit order. An append
is three round trips: the transaction's start, the lock and the stream's head in one
pipeline; the inserts and the stream row in a second; the commit.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from sqlalchemy import Connection, Engine, create_engine

from .errors import translate
from .mapper import Row
from .recorder import CoreRecorder, Head, Seal, as_head

_LOCK_EVENTS = "LOCK TABLE caseops_events IN EXCLUSIVE MODE"


def postgres_engine(url: str, *, lock_timeout_ms: int = 5000, pre_ping: bool = True) -> Engine:
    """An engine for the PostgreSQL ``url`` with CaseOps' settings: pooled connections
    pinged on check-out (``pre_ping``), a 5 s connect timeout, TCP keepalives (a silent
    network partition fails a connection in about 10 + 3 x 5 s, not hours) and a session
    ``lock_timeout`` of ``lock_timeout_ms`` (reads take no lock the appends' table lock
    conflicts with)."""
    return create_engine(
        url,
        pool_pre_ping=pre_ping,
        pool_size=10,
        max_overflow=20,
        connect_args={
            "connect_timeout": 5,
            "options": f"-c lock_timeout={int(lock_timeout_ms)}",
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 5,
            "keepalives_count": 3,
        },
    )


def _broken(conn: Connection) -> bool:
    """Whether the driver connection under ``conn`` is closed or broken (a connection
    SQLAlchemy already invalidated counts as broken)."""
    if conn.invalidated:
        return True
    try:
        raw = conn.connection.driver_connection
    except Exception:
        return True
    return bool(getattr(raw, "broken", False) or getattr(raw, "closed", False))


class PostgresRecorder(CoreRecorder):
    """Events and streams in one PostgreSQL database (see the module's docstring).

    Args:
        url: a ``postgresql+psycopg://`` URL.
        lock_timeout_ms: how long an append waits for the table lock, in milliseconds.
    """

    dialect = "postgresql"
    placeholder = "%s"
    upgrade_lock = f"SELECT pg_advisory_xact_lock({0x6361_7365_6F70})"  # "caseop"

    def __init__(self, url: str, lock_timeout_ms: int = 5000) -> None:
        super().__init__(url, postgres_engine(url, lock_timeout_ms=lock_timeout_ms))
        #: the appends' own pool, without the check-out ping: an append's first round
        #: trip is the ping (see :meth:`_begin`)
        self._append_engine = postgres_engine(url, lock_timeout_ms=lock_timeout_ms, pre_ping=False)

    def _begin(self, stream_id: str) -> tuple[Connection, Head | None]:
        """A connection in a transaction holding the table lock, and the stream's head.

        A pooled connection the server has since closed fails this first round trip,
        which sent nothing that could commit: it is discarded with every idle one (they
        are likely dead alike) and the transaction starts once more on a fresh
        connection; a second failure propagates.
        """
        for attempt in (1, 2):
            c = self._append_engine.connect()
            try:
                c.begin()
                driver: Any = c.connection.driver_connection
                with driver.pipeline():
                    driver.execute(_LOCK_EVENTS)
                    cur = driver.execute(self.sql.head, (stream_id,))
                return c, as_head(cur.fetchone())
            except Exception:
                dead = _broken(c)
                if dead:
                    c.invalidate()
                c.close()
                if not dead or attempt == 2:
                    raise
                self._append_engine.pool.dispose()
        raise AssertionError("unreachable")

    def append(self, stream_id: str, seal: Seal, meta: str | None) -> tuple[list[Row], list[int]]:
        """See :meth:`Recorder.append`. The commit is not pipelined with the writes: a
        ``COMMIT`` already queued on the server commits even when this client dies while
        the stream row waits on a lock, and the caller would get an error for a stored
        append. A connection that fails in the transaction is discarded."""
        with translate():
            c, head = self._begin(stream_id)
            try:
                rows = seal(head)
                driver: Any = c.connection.driver_connection
                with driver.pipeline():
                    inserts = [driver.execute(self.sql.insert_returning, r) for r in rows]
                    driver.execute(*self.sql.stream_row(head, rows[-1], meta))
                positions = [int(cur.fetchone()[0]) for cur in inserts]
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
        return rows, positions

    def dispose(self) -> None:
        self._append_engine.dispose()
        self.engine.dispose()
