"""Re-grade across worker processes, for stores of thousands of episodes.

Re-grading (:mod:`caseops.domain.grading.regrade`) is CPU-bound Python: orjson decodes the
payloads and the grader scores them. Threads cannot share that work (the GIL), worker
processes can. Each worker opens its own :class:`~caseops.eventstore.EventStore` on the
same URL and its own :class:`~caseops.domain.grading.regrade.Regrader`, re-grades chunks of
:data:`CHUNK` streams (one bulk query each) and sends the results back; the caller gets
them in the order of the ids, as from one process.

Workers are forked (POSIX ``fork``), so they start with the code already imported: a
spawned worker would import it all again, seconds on a machine that writes no bytecode
cache. Forking is safe only from a process with one thread: a child gets a copy of every
lock, and one that another thread held at the fork (SQLite's own allocator mutex, under
a concurrent append, was seen to) stays held in the child for ever. So :func:`can_fork`
holds only on Linux (macOS lists ``fork``, but its system libraries are not fork-safe)
and only while this process runs one thread; otherwise the re-grade runs in the calling
process. A command-line ``caseops regrade`` has one thread; a server does not.

Before forking, the parent's objects are moved to the garbage collector's permanent
generation (:func:`gc.freeze`, as the ``gc`` module's documentation advises for
``fork``): otherwise each worker's first full collection touches, and so copies, every
page of the parent's heap.

A pool costs some tens of milliseconds to start and stop, so :func:`auto_jobs` starts
one worker per :data:`EPISODES_PER_WORKER` episodes, up to the CPU count and
:data:`MAX_AUTO_JOBS`, and none below two workers' worth (``python -m
bench.regrade_jobs``; bench/README.md).

The pool is :class:`concurrent.futures.ProcessPoolExecutor`: a worker that dies (the
out-of-memory killer, a crash) fails the re-grade with ``BrokenProcessPool`` instead of
leaving the caller waiting.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.util
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor

from caseops.domain.grading.regrade import Regrader, RegradeResult
from caseops.eventstore import EventStore
from caseops.eventstore.sqlite import is_memory_url

#: Streams per worker task: one bulk read (``EventStore.read_payloads``' batch).
CHUNK = 500

#: Episodes per worker (:func:`auto_jobs`); a pool of two breaks even near 1,500
#: episodes here (``python -m bench.regrade_jobs``, see the module's docstring).
EPISODES_PER_WORKER = 2000

#: The most workers :func:`auto_jobs` starts (each holds a database connection, and the
#: CPU count ignores a container's CPU quota).
MAX_AUTO_JOBS = 8

#: The worker process's store and regrader (set by :func:`_start_worker`).
_worker: tuple[EventStore, Regrader] | None = None


def can_fork(url: str) -> bool:
    """Whether worker processes can re-grade the store at ``url`` now: on Linux, from a
    process running one thread (see the module's docstring), for a database that is not
    in this process's memory."""
    return (
        sys.platform.startswith("linux")
        and threading.active_count() == 1
        and not (url.startswith("sqlite") and is_memory_url(url))
    )


def auto_jobs(episodes: int, cpus: int | None = None) -> int:
    """How many worker processes to re-grade ``episodes`` episodes with: one per
    :data:`EPISODES_PER_WORKER` episodes, at most ``cpus`` (default: the CPUs this
    process may run on) and :data:`MAX_AUTO_JOBS`, and 1 (no workers) below two
    workers' worth."""
    if cpus is None:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
        cpus = cpus or os.cpu_count() or 1
    jobs = min(cpus, MAX_AUTO_JOBS, episodes // EPISODES_PER_WORKER)
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
    url: str, stream_ids: Sequence[str], jobs: int, chunk: int | None = None
) -> Iterator[RegradeResult]:
    """Re-grade ``stream_ids`` on the store at ``url`` in ``jobs`` forked worker
    processes (at most one per chunk), ``chunk`` streams per task (default
    :data:`CHUNK`); yields one result per id, in order (an unknown id gives
    ``problem="no events"``, as in one process).

    Call only where :func:`can_fork` holds. Closing the iterator early cancels the
    chunks not yet started and does not wait for the workers.

    Raises:
        OperationalError: a worker could not read the store (raised here, in the caller).
        BrokenProcessPool: a worker died (killed, or crashed).
        ValueError: ``jobs`` or ``chunk`` below 1 (raised at the call).
    """
    size = CHUNK if chunk is None else chunk
    if jobs < 1 or size < 1:
        raise ValueError(f"jobs and chunk must be at least 1 (got {jobs}, {size})")
    chunks = [stream_ids[i : i + size] for i in range(0, len(stream_ids), size)]
    return _results(url, chunks, min(jobs, len(chunks))) if chunks else iter(())


def _results(url: str, chunks: list[Sequence[str]], workers: int) -> Iterator[RegradeResult]:
    """The pool's results, chunk by chunk in order (see :func:`regrade_in_workers`)."""
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_worker,
        initargs=(url,),
    )
    done = False
    try:
        # the workers are forked at the first submit, which ``map`` makes at once
        frozen_before = gc.get_freeze_count()
        gc.freeze()
        try:
            chunk_results = pool.map(_regrade_chunk, chunks)
        finally:
            if frozen_before == 0:  # leave a caller's own freeze as it was
                gc.unfreeze()
        for results in chunk_results:
            yield from results
        done = True
    finally:
        # all done: the workers exit normally and close their stores; otherwise do not
        # wait for chunks that nobody will read
        pool.shutdown(wait=done, cancel_futures=not done)
