"""Re-grade across worker processes, for stores of thousands of episodes.

Re-grading (:mod:`caseops.statemachine.regrade`) is CPU-bound Python: orjson decodes the
payloads and the grader scores them. Threads cannot share that work (the GIL), worker
processes can. Each worker opens its own :class:`~caseops.eventstore.EventStore` on the
same URL and its own :class:`~caseops.statemachine.regrade.Regrader`, re-grades chunks of
:data:`CHUNK` streams (one bulk query each) and sends the results back; the caller gets
them in the order of the ids, as from one process.

Workers are forked (POSIX ``fork``), so they start with the code already imported: a
spawned worker would import it all again, seconds on a machine that writes no bytecode
cache. Before forking, the parent's objects are moved to the garbage collector's
permanent generation (:func:`gc.freeze`, as the ``gc`` module's documentation advises
for ``fork``): otherwise each worker's first full collection touches, and so copies,
every page of the parent's heap. On 10,000 stored episodes (100,000 events) that made
two workers no faster than one process; frozen, two re-grade 1.76x as fast as one
(``python -m bench.regrade_jobs``; README, Performance).

A pool costs some tens of milliseconds to start and stop, about half of what one process
spends re-grading 1,000 episodes. Two workers against one process here (two cores):
0.97x at 1,000 episodes, 1.19x at 2,000, 1.39x at 4,000, 1.76x at 10,000. So
:func:`auto_jobs` starts one worker per :data:`EPISODES_PER_WORKER` episodes, up to the
CPU count, and none below two workers' worth. Where ``fork`` is not available (Windows)
or the store lives in memory (a worker could not see it), the re-grade runs in the
calling process.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.util
import os
from collections.abc import Iterator, Sequence
from typing import Any

from caseops.eventstore import EventStore
from caseops.eventstore.store import is_memory_url
from caseops.statemachine.regrade import Regrader, RegradeResult

#: Streams per worker task: one bulk read (``EventStore.read_payloads``' batch).
CHUNK = 500

#: Episodes per worker (:func:`auto_jobs`); a pool of two breaks even near 1,500
#: episodes here (``python -m bench.regrade_jobs``, see the module's docstring).
EPISODES_PER_WORKER = 2000

#: The worker process's store and regrader (set by :func:`_start_worker`).
_worker: tuple[EventStore, Regrader] | None = None


def can_fork(url: str) -> bool:
    """Whether worker processes can re-grade the store at ``url``: ``fork`` exists on
    this platform and the database is not in this process's memory."""
    return "fork" in multiprocessing.get_all_start_methods() and not (
        url.startswith("sqlite") and is_memory_url(url)
    )


def auto_jobs(episodes: int, cpus: int | None = None) -> int:
    """How many worker processes to re-grade ``episodes`` episodes with: one per
    :data:`EPISODES_PER_WORKER` episodes, at most ``cpus`` (default: the CPUs this
    process may run on), and 1 (no workers) below two workers' worth."""
    if cpus is None:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
        cpus = cpus or os.cpu_count() or 1
    jobs = min(cpus, episodes // EPISODES_PER_WORKER)
    return jobs if jobs >= 2 else 1


def _start_worker(url: str) -> None:
    """Pool initializer: the worker's own store (no schema check: the parent read it),
    closed when the worker exits normally (its connections end cleanly)."""
    global _worker
    store = EventStore(url, create=False)
    multiprocessing.util.Finalize(store, store.dispose, exitpriority=10)
    _worker = (store, Regrader())


def _regrade_chunk(stream_ids: Sequence[str]) -> list[RegradeResult]:
    """Re-grade one chunk of streams in a worker."""
    assert _worker is not None, "the pool's initializer did not run"
    store, regrader = _worker
    return [regrader.regrade(sid, rows) for sid, rows in store.read_payloads(stream_ids)]


def regrade_in_workers(
    url: str, stream_ids: Sequence[str], jobs: int, chunk: int = CHUNK
) -> Iterator[RegradeResult]:
    """Re-grade ``stream_ids`` on the store at ``url`` in ``jobs`` forked worker
    processes, ``chunk`` streams per task; yields one result per id, in order (an
    unknown id gives ``problem="no events"``, as in one process).

    Call only where :func:`can_fork` holds. Closing the iterator early stops the
    workers.

    Raises:
        OperationalError: a worker could not read the store (raised here, in the caller).
        ValueError: ``jobs`` or ``chunk`` below 1.
    """
    if jobs < 1 or chunk < 1:
        raise ValueError(f"jobs and chunk must be at least 1 (got {jobs}, {chunk})")
    chunks = [stream_ids[i : i + chunk] for i in range(0, len(stream_ids), chunk)]
    if not chunks:
        return
    ctx: Any = multiprocessing.get_context("fork")
    gc.freeze()
    try:
        pool = ctx.Pool(min(jobs, len(chunks)), initializer=_start_worker, initargs=(url,))
    finally:
        gc.unfreeze()
    with pool:  # leaving early (an error, the iterator closed) terminates the workers
        for results in pool.imap(_regrade_chunk, chunks):
            yield from results
        pool.close()  # all done: let the workers exit and close their stores
        pool.join()
