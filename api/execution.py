"""Where a blocking step runs when an event loop serves it: on the loop itself, or on a
worker thread.

A CaseOps step is synchronous work (decide, grade, append and commit). On the embedded
SQLite store that work is a few hundred microseconds of CPU with a local commit, and
handing it to a thread costs about as much again in hand-offs and GIL switches
(bench/README.md), so it runs on the loop. On PostgreSQL a step waits on the network
(and, during an outage, on a connect timeout), so it runs on a thread and the loop keeps
serving other sessions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Literal, TypeVar

from anyio import to_thread

T = TypeVar("T")

#: ``CASEOPS_STEP_EXECUTOR``: ``auto`` (inline on SQLite, thread on PostgreSQL),
#: ``inline`` or ``thread``.
ExecutorMode = Literal["auto", "inline", "thread"]


@dataclass(frozen=True)
class StepRunner:
    """Runs a blocking call for async code: inline (``inline=True``) or on anyio's
    worker threads.

    Inline is right only when the call never waits long: a store that one server
    process owns (SQLite, the default). Several processes on one SQLite file make a
    writer wait for another's lock (up to the 30 s busy timeout) and would stall every
    session of the waiting process; use ``thread`` or PostgreSQL there.
    """

    inline: bool

    @classmethod
    def for_dialect(cls, mode: ExecutorMode, dialect: str) -> StepRunner:
        """The runner ``mode`` asks for on a store of ``dialect`` (``auto``: inline on
        ``sqlite``, thread otherwise)."""
        if mode == "auto":
            return cls(inline=dialect == "sqlite")
        return cls(inline=mode == "inline")

    async def __call__(self, fn: Callable[..., T], /, *args: object, **kwargs: object) -> T:
        """``fn(*args, **kwargs)``, inline or on a worker thread; its result or its
        exception."""
        if self.inline:
            return fn(*args, **kwargs)
        return await to_thread.run_sync(partial(fn, *args, **kwargs))
