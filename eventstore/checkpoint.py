"""SQLite WAL checkpoints off the append path.

In WAL mode every commit appends its pages to the ``-wal`` file, and by default the
commit that takes the file past 1,000 pages copies them back into the database and
fsyncs it (SQLite's automatic checkpoint, https://sqlite.org/wal.html#ckpt): a stall of
several milliseconds inside one unlucky append, every ~150 appends.

:class:`Checkpointer` runs ``PRAGMA wal_checkpoint(PASSIVE)`` on its own connection and
thread every ``every`` appends instead (300: about 2,000 pages, 8 MB of WAL). A passive
checkpoint takes no lock that writers or readers wait for, and ``sqlite3`` releases the
GIL while it runs, so appends go on meanwhile. The writer connection keeps the automatic
checkpoint as a backstop at ``backstop_pages`` (4,000 pages, 16 MB), which only fires
when the thread falls behind. Kept because it cut the file store's stalled appends and
its mean step by about a quarter (bench/README.md).
"""

from __future__ import annotations

import os
import threading
from typing import Any

from sqlalchemy import Engine


class Checkpointer:
    """Passive WAL checkpoints of one SQLite file database on a daemon thread.

    Args:
        engine: the store's engine (a file database in WAL mode).
        every: appends between two checkpoint requests (at least 1).
        backstop_pages: the ``wal_autocheckpoint`` the store sets on its writer
            connection (WAL pages past which SQLite checkpoints inline).

    ``checkpoints`` counts the checkpoints run; ``failures`` those that raised (a busy or
    unavailable database: the next request tries again, and the automatic checkpoint
    remains). Not shared across ``fork``: a child starts its own thread when it appends.
    """

    def __init__(self, engine: Engine, every: int = 300, backstop_pages: int = 4000) -> None:
        self.engine = engine
        self.every = max(1, int(every))
        self.backstop_pages = max(1, int(backstop_pages))
        self.checkpoints = 0
        self.failures = 0
        self._pending = 0
        self._wake = threading.Event()
        self._stop = False
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        self._lock = threading.Lock()

    def appended(self) -> None:
        """Count one committed append; every ``every``-th wakes the thread (call with the
        recorder's write lock held)."""
        self._pending += 1
        if self._pending < self.every:
            return
        self._pending = 0
        if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
            self._start()
        self._wake.set()

    def _start(self) -> None:
        with self._lock:
            self._pid = os.getpid()
            self._stop = False
            self._wake = threading.Event()
            self._thread = threading.Thread(
                target=self._run, args=(self._wake,), name="caseops-wal-checkpoint", daemon=True
            )
            self._thread.start()

    def _run(self, wake: threading.Event) -> None:
        conn: Any = None
        try:
            while True:
                wake.wait()
                wake.clear()
                if self._stop:
                    return
                try:
                    if conn is None:
                        conn = self.engine.raw_connection()
                    conn.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self.checkpoints += 1
                except Exception:
                    self.failures += 1
                    if conn is not None:
                        conn.invalidate()
                        conn = None
        finally:
            if conn is not None:
                conn.close()

    def close(self, timeout: float = 5.0) -> None:
        """Stop the thread (after the checkpoint it may be running) and close its
        connection."""
        with self._lock:
            thread, self._thread = self._thread, None
            self._stop = True
            self._wake.set()
        if thread is not None and thread.is_alive() and self._pid == os.getpid():
            thread.join(timeout)
