"""The storage floor: one bare SQLAlchemy Core single-row insert-and-commit.

The benchmark measures it on its own (``bench.__main__.floor_insert``, the denominator of
the in-process ratios) and inside the persisted echo server (``bench.echo_server``,
``echo-persisted``), where every step makes exactly this write and nothing else: what
an environment that stores each step with one SQLAlchemy Core write pays on top of
openenv-core.

Two forms of the same write:

- :meth:`FloorTable.write`, the floor of every round so far: the statement is built on
  each call (``conn.execute(insert(t).values(payload=...))``), as Core code usually
  writes it;
- :meth:`FloorTable.write_prepared`: one statement object built once and executed on
  every call, which skips SQLAlchemy's statement construction and cache-key work (about
  1.4x the rate of ``write`` on SQLite here): the cheapest Core insert-and-commit.

And one form below SQLAlchemy: :meth:`FloorTable.write_driver`, the same row through the
driver's own connection, held open (PEP 249 calls only: ``BEGIN IMMEDIATE``, ``INSERT``,
``COMMIT`` on SQLite; ``INSERT`` and ``commit()`` on PostgreSQL), as CaseOps' recorders
run an append's SQL. It is what the write itself costs, with no library around it: the least an
environment that commits each step can pay on this database.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import Column, Engine, Insert, Integer, MetaData, Table, Text, insert

from caseops.eventstore import make_engine

#: The row every floor write stores: about the size of one CaseOps event payload.
PAYLOAD = json.dumps({"x": "y" * 200})

#: The forms of the write (:meth:`FloorTable.writer`).
FORMS = ("per-call", "prepared", "driver")


class FloorTable:
    """A scratch table ``bench_floor_<hex>`` on ``url`` (created on construction, dropped
    by :meth:`drop`), through CaseOps' own engine settings (:func:`make_engine`: WAL and
    ``synchronous=NORMAL`` on SQLite)."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = make_engine(url)
        self._md = MetaData()
        self.table = Table(
            f"bench_floor_{uuid.uuid4().hex[:8]}",
            self._md,
            Column("id", Integer, primary_key=True),
            Column("payload", Text),
        )
        self._md.create_all(self.engine)
        self._prepared = insert(self.table).values(payload=PAYLOAD)
        self._held: Any = None  # the pooled connection write_driver keeps checked out
        self._sqlite = self.engine.dialect.name == "sqlite"
        ph = "?" if self._sqlite else "%s"
        self._driver_sql = f"INSERT INTO {self.table.name} (payload) VALUES ({ph})"

    def _commit(self, statement: Insert) -> None:
        """``statement`` in its own transaction, committed (a pool check-out, ``BEGIN``,
        ``INSERT``, ``COMMIT``)."""
        with self.engine.connect() as c:
            conn = c.execution_options(caseops_write=True)
            with conn.begin():
                conn.execute(statement)

    def write(self) -> None:
        """One single-row insert-and-commit, the statement built for this call."""
        self._commit(insert(self.table).values(payload=PAYLOAD))

    def write_prepared(self) -> None:
        """:meth:`write` with one statement object reused for every call."""
        self._commit(self._prepared)

    def write_driver(self) -> None:
        """:meth:`write`'s row through the driver's connection, held open across calls:
        one transaction of one ``INSERT``, committed (no SQLAlchemy on the path)."""
        if self._held is None:
            self._held = self.engine.raw_connection()
        raw = self._held.driver_connection
        try:
            if self._sqlite:  # CaseOps' engine puts sqlite3 in autocommit mode
                raw.execute("BEGIN IMMEDIATE")
                raw.execute(self._driver_sql, (PAYLOAD,))
                raw.execute("COMMIT")
            else:
                with raw.cursor() as cur:
                    cur.execute(self._driver_sql, (PAYLOAD,))
                raw.commit()
        except BaseException:
            if not self._sqlite:
                raw.rollback()
            elif raw.in_transaction:  # a failed COMMIT may already have ended it
                raw.execute("ROLLBACK")
            raise

    def writer(self, form: str) -> Callable[[], None]:
        """The write of one of :data:`FORMS`: ``per-call`` (:meth:`write`), ``prepared``
        (:meth:`write_prepared`) or ``driver`` (:meth:`write_driver`).

        Raises:
            ValueError: an unknown form.
        """
        if form not in FORMS:
            raise ValueError(f"form must be one of {sorted(FORMS)}, not {form!r}")
        return {
            "per-call": self.write,
            "prepared": self.write_prepared,
            "driver": self.write_driver,
        }[form]

    def drop(self) -> None:
        """Drop the table and dispose of the engine."""
        if self._held is not None:
            self._held.close()
            self._held = None
        try:
            self._md.drop_all(self.engine)
        finally:
            self.engine.dispose()
