"""The recorder seam: what the event store asks of a database.

A recorder (the ``eventsourcing`` library's name) owns one database's connections, SQL
and transactions. :class:`Recorder` is the interface the store uses;
:class:`~caseops.eventstore.sqlite.SqliteRecorder` and
:class:`~caseops.eventstore.postgres.PostgresRecorder` implement it (both on
:class:`CoreRecorder`, whose reads are SQLAlchemy Core and so the same on either), and
:func:`~caseops.eventstore.factory.open_recorder` picks one by URL. The append
algorithm is the store's: it hands :meth:`Recorder.append` the function that checks the
stream's head and makes the rows.

Rows come back as the driver or SQLAlchemy gives them (attributes named after the
columns of :mod:`~caseops.eventstore.schema`); :mod:`~caseops.eventstore.mapper` turns
them into records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar, NamedTuple, Protocol

from sqlalchemy import Connection, Engine, bindparam, func, select

from . import schema
from .errors import translate
from .mapper import GENESIS_HASH, Row


class Head(NamedTuple):
    """A stream's row as an append reads it: its version and its last event's hash."""

    version: int
    last_hash: str


def as_head(row: Any) -> Head | None:
    """The head of a ``(version, last_hash)`` row (``None`` for no row); a stream written
    before its row kept ``last_hash`` (schema revision 0002 fills it in) chains to
    :data:`~caseops.eventstore.mapper.GENESIS_HASH`."""
    return None if row is None else Head(int(row[0]), row[1] or GENESIS_HASH)


#: What an append writes, given the stream's head (``None``: no such stream yet): the
#: rows, contiguous after the head. It raises to write nothing.
Seal = Callable[[Head | None], list[Row]]


class Recorder(Protocol):
    """One database's events and streams (see the module's docstring). Every method
    raises the store's errors (:mod:`~caseops.eventstore.errors`), never a driver's."""

    url: str
    #: the SQLAlchemy dialect's name (``sqlite``, ``postgresql``)
    dialect: ClassVar[str]
    engine: Engine

    def append(self, stream_id: str, seal: Seal, meta: str | None) -> tuple[list[Row], list[int]]:
        """In one transaction, serialised with every other writer of the database (so
        positions follow commit order): read the stream's head, insert the rows
        ``seal(head)`` makes and move the stream's row to the last of them (replacing its
        ``meta`` JSON unless ``meta`` is ``None``). Returns the rows and their global
        positions; when anything raises, nothing is written."""
        ...

    def head(self, stream_id: str) -> Head | None:
        """The stream's head now (``None``: no such stream)."""
        ...

    def events(self, stream_id: str, from_version: int) -> Sequence[Any]:
        """The stream's event rows from ``from_version`` on, in version order."""
        ...

    def events_by_id(self, event_ids: Sequence[str]) -> Sequence[Any]:
        """The event rows with these ids, in position order."""
        ...

    def all_events(
        self, after_position: int, limit: int, types: Sequence[str] | None
    ) -> Sequence[Any]:
        """Event rows of every stream after ``after_position`` (of ``types`` when given),
        in position order, at most ``limit``."""
        ...

    def stream(self, stream_id: str) -> Any | None:
        """The stream's row, or ``None``."""
        ...

    def streams(self, limit: int, offset: int) -> tuple[int, Sequence[Any]]:
        """The number of streams, and a page of their rows, newest first."""
        ...

    def stream_ids(self) -> list[str]:
        """Every stream id, oldest first."""
        ...

    def payloads(self, stream_ids: Sequence[str]) -> list[tuple[str, str, str, str]]:
        """``(stream_id, event_id, type, payload)`` of these streams' events, by stream id
        then version."""
        ...

    def upgrade(self) -> None:
        """Create or upgrade the schema (:mod:`~caseops.eventstore.migrate`)."""
        ...

    def dispose(self) -> None:
        """Close every connection."""
        ...


class Statements:
    """The append's SQL in one driver's parameter style (``?`` or ``%s``)."""

    def __init__(self, ph: str) -> None:
        ev, st = schema.events.name, schema.streams.name
        self.head = f"SELECT version, last_hash FROM {st} WHERE stream_id = {ph}"
        self.insert = (
            f"INSERT INTO {ev} (stream_id, version, event_id, type, schema_version, payload, "
            f"recorded_at, prev_hash, hash) VALUES ({', '.join([ph] * 9)})"
        )
        self.insert_returning = self.insert + " RETURNING position"
        self.new_stream = (
            f"INSERT INTO {st} (stream_id, version, created_at, updated_at, meta, last_hash) "
            f"VALUES ({', '.join([ph] * 6)})"
        )
        self.move = (
            f"UPDATE {st} SET version = {ph}, updated_at = {ph}, meta = COALESCE({ph}, meta), "
            f"last_hash = {ph} WHERE stream_id = {ph}"
        )

    def stream_row(self, head: Head | None, last: Row, meta: str | None) -> tuple[str, tuple]:
        """The statement and parameters that move a stream's row to ``last``."""
        if head is None:
            return self.new_stream, (
                last.stream_id,
                last.version,
                last.recorded_at,
                last.recorded_at,
                meta or "{}",
                last.hash,
            )
        return self.move, (last.version, last.recorded_at, meta, last.hash, last.stream_id)


class CoreRecorder:
    """The reads every dialect shares (SQLAlchemy Core), and the schema's upgrade; a
    dialect's recorder adds its connections and :meth:`Recorder.append`."""

    dialect: ClassVar[str]
    #: the driver's parameter placeholder
    placeholder: ClassVar[str]
    #: the statement that serialises schema upgrades (``None``: the write lock does)
    upgrade_lock: ClassVar[str | None] = None

    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        self.engine = engine
        self.sql = Statements(self.placeholder)
        st = schema.streams
        self._q_stream = select(st).where(st.c.stream_id == bindparam("sid"))
        self._q_head = select(st.c.version, st.c.last_hash).where(
            st.c.stream_id == bindparam("sid")
        )

    def head(self, stream_id: str) -> Head | None:
        with self._reading() as conn:
            row = conn.execute(self._q_head, {"sid": stream_id}).first()
        return as_head(row)

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        with translate(), self.engine.connect() as conn, conn.begin():
            yield conn

    def events(self, stream_id: str, from_version: int) -> Sequence[Any]:
        t = schema.events
        q = select(t).where(t.c.stream_id == stream_id, t.c.version >= from_version)
        with self._reading() as conn:
            return conn.execute(q.order_by(t.c.version)).all()

    def events_by_id(self, event_ids: Sequence[str]) -> Sequence[Any]:
        t = schema.events
        q = select(t).where(t.c.event_id.in_(list(event_ids))).order_by(t.c.position)
        with self._reading() as conn:
            return conn.execute(q).all()

    def all_events(
        self, after_position: int, limit: int, types: Sequence[str] | None
    ) -> Sequence[Any]:
        t = schema.events
        q = select(t).where(t.c.position > after_position)
        if types:
            q = q.where(t.c.type.in_(list(types)))
        with self._reading() as conn:
            return conn.execute(q.order_by(t.c.position).limit(limit)).all()

    def stream(self, stream_id: str) -> Any | None:
        with self._reading() as conn:
            return conn.execute(self._q_stream, {"sid": stream_id}).first()

    def streams(self, limit: int, offset: int) -> tuple[int, Sequence[Any]]:
        s = schema.streams
        q = select(s).order_by(s.c.created_at.desc(), s.c.stream_id).limit(limit).offset(offset)
        with self._reading() as conn:
            total = int(conn.execute(select(func.count()).select_from(s)).scalar_one())
            return total, conn.execute(q).all()

    def stream_ids(self) -> list[str]:
        s = schema.streams
        with self._reading() as conn:
            return [r[0] for r in conn.execute(select(s.c.stream_id).order_by(s.c.created_at))]

    def payloads(self, stream_ids: Sequence[str]) -> list[tuple[str, str, str, str]]:
        ph = ", ".join([self.placeholder] * len(stream_ids))
        sql = (
            f"SELECT stream_id, event_id, type, payload FROM {schema.events.name} "
            f"WHERE stream_id IN ({ph}) ORDER BY stream_id, version"
        )
        return self._driver_rows(sql, list(stream_ids))

    def _driver_rows(self, sql: str, params: Sequence[Any]) -> list[Any]:
        """``sql``'s rows through the driver's cursor: re-grading reads rows by the ten
        thousand, and Core's row objects cost more than the query (bench/README.md)."""
        with self._reading() as conn:
            cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            try:
                cur.execute(sql, params)
                return list(cur.fetchall())
            finally:
                cur.close()

    def upgrade(self) -> None:
        from .migrate import upgrade

        upgrade(self.engine, self.upgrade_lock)
