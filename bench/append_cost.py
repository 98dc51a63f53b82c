"""What one append costs, layer by layer, on an SQLite file: ``python -m bench.append_cost``.

The benchmark's driver floor (``bench.floor``, ``write_driver``) commits one row of one
column into a table with no secondary index. CaseOps' append writes more: an event row
with three indexes (``stream_id, version`` and ``event_id`` unique, ``type, position``)
and the stream's head, in one transaction. This measures, each ``--appends`` times
(``--reps`` repetitions, interleaved; microseconds per append, median, min, max):

- ``driver_one_row``: the driver floor's write;
- ``append_sql``: the SQL of CaseOps' append (``BEGIN IMMEDIATE``, the stream head's
  ``SELECT``, the ``INSERT ... RETURNING position``, the stream ``UPDATE``, ``COMMIT``)
  through sqlite3, on CaseOps' schema, with UUIDv7 event ids as the service makes them;
- ``append_sql_without_type_index``: the same on a schema without the ``type, position``
  index (which reading events by type, the audit of rejected transitions, uses);
- ``event_store_append``: :meth:`caseops.eventstore.EventStore.append` of one event of
  the same payload (adds the hash chain, canonical JSON, the record objects and the
  recorder's write lock).

Prints one JSON document. Each figure runs on a fresh database file in a temporary
directory, with ``synchronous=NORMAL`` and WAL as CaseOps sets them.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from .common import interleaved

#: One step event's payload, about the size of a CaseOps step event.
STEP_PAYLOAD = {
    "step": 1,
    "score": "0.500000000000",
    "action": {"action_type": "review_ticket"},
    "note": "y" * 150,
}


def _schema_file(directory: Path, drop_type_index: bool) -> Path:
    """A fresh CaseOps store file (the schema through the store's own migration)."""
    from caseops.eventstore import EventStore

    path = directory / f"store-{time.perf_counter_ns()}.db"
    EventStore(f"sqlite:///{path}").dispose()
    if drop_type_index:
        with sqlite3.connect(path) as c:
            c.execute("DROP INDEX ix_caseops_events_type_position")
    return path


def append_sql(directory: Path, n: int, drop_type_index: bool = False) -> dict[str, float]:
    """``n`` known-head appends of one event through sqlite3; microseconds each."""
    from caseops.api.ids import uuid7

    c = sqlite3.connect(_schema_file(directory, drop_type_index), isolation_level=None)
    c.execute("PRAGMA synchronous=NORMAL")
    payload = json.dumps(STEP_PAYLOAD)
    now = "2026-12-03T00:00:00.000000Z"
    c.execute(
        "INSERT INTO caseops_streams (stream_id, version, created_at, updated_at, meta, "
        "last_hash) VALUES ('s', 0, ?, ?, '{}', ?)",
        (now, now, f"{0:064x}"),
    )
    t0 = time.perf_counter()
    for v in range(n):
        c.execute("BEGIN IMMEDIATE")
        head = c.execute(
            "SELECT version, last_hash FROM caseops_streams WHERE stream_id = ?", ("s",)
        ).fetchone()
        c.execute(
            "INSERT INTO caseops_events (stream_id, version, event_id, type, schema_version, "
            "payload, recorded_at, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "RETURNING position",
            ("s", v + 1, uuid7(), "TicketReviewed", 1, payload, now, f"{v:064x}", f"{v + 1:064x}"),
        ).fetchall()
        c.execute(
            "UPDATE caseops_streams SET version = ?, updated_at = ?, "
            "meta = COALESCE(?, meta), last_hash = ? WHERE stream_id = ?",
            (v + 1, now, "{}", f"{v + 1:064x}", "s"),
        )
        c.execute("COMMIT")
        if head != (v, f"{v:064x}"):
            raise RuntimeError("the stream's head is not where the appends left it")
    wall = time.perf_counter() - t0
    c.close()
    return {"us_per_append": wall / n * 1e6}


def store_append(directory: Path, n: int) -> dict[str, float]:
    """``n`` appends of one event through ``EventStore.append``; microseconds each."""
    from caseops.api.ids import uuid7
    from caseops.eventstore import EventStore
    from caseops.eventstore.records import NewEvent

    store = EventStore(f"sqlite:///{_schema_file(directory, False)}")
    try:
        store.append("s", 0, [NewEvent(uuid7(), "TicketReviewed", STEP_PAYLOAD)])
        t0 = time.perf_counter()
        for v in range(1, n + 1):
            store.append("s", v, [NewEvent(uuid7(), "TicketReviewed", STEP_PAYLOAD)])
        wall = time.perf_counter() - t0
    finally:
        store.dispose()
    return {"us_per_append": wall / n * 1e6}


def driver_one_row(directory: Path, n: int) -> dict[str, float]:
    """``n`` of the driver floor's one-row commits; microseconds each."""
    from .floor import FloorTable

    floor = FloorTable(f"sqlite:///{directory / f'floor-{time.perf_counter_ns()}.db'}")
    try:
        floor.write_driver()  # the held connection is opened here, outside the timing
        t0 = time.perf_counter()
        for _ in range(n):
            floor.write_driver()
        wall = time.perf_counter() - t0
    finally:
        floor.drop()
    return {"us_per_append": wall / n * 1e6}


def main(argv: list[str] | None = None) -> int:
    """Measure and print the JSON document; 0 on success."""
    p = argparse.ArgumentParser(prog="python -m bench.append_cost", description=__doc__)
    p.add_argument("--appends", type=int, default=5000, help="appends per repetition (5,000)")
    p.add_argument("--reps", type=int, default=3, help="repetitions (3)")
    a = p.parse_args(argv)
    if a.appends < 1 or a.reps < 1:
        p.error("--appends and --reps must be at least 1")
    with tempfile.TemporaryDirectory(prefix="caseops-append-cost-") as tmp:
        d, n = Path(tmp), a.appends
        names = (
            "driver_one_row",
            "append_sql",
            "append_sql_without_type_index",
            "event_store_append",
        )
        figures = interleaved(
            a.reps,
            lambda: driver_one_row(d, n),
            lambda: append_sql(d, n),
            lambda: append_sql(d, n, drop_type_index=True),
            lambda: store_append(d, n),
        )
    doc = {"appends": n, "reps": a.reps}
    doc.update({k: f["us_per_append"] for k, f in zip(names, figures, strict=True)})
    print(json.dumps(doc, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
