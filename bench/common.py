"""What every benchmark shares: the log on stderr, percentiles, and the repetitions'
summaries (median, min, max) with their ratios."""

from __future__ import annotations

import statistics
import sys
from collections.abc import Callable
from pathlib import Path

#: The repository root (the ``caseops`` package's directory).
ROOT = Path(__file__).resolve().parent.parent


def log(msg: str) -> None:
    """A progress line on stderr (stdout carries the JSON)."""
    print(msg, file=sys.stderr, flush=True)


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile of ``values`` (nearest rank; 0.0 when empty)."""
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] if s else 0.0


def summary(samples: list[float]) -> dict[str, float]:
    """Median, min and max of ``samples``, to 3 places."""
    return {
        "median": round(statistics.median(samples), 3),
        "min": round(min(samples), 3),
        "max": round(max(samples), 3),
    }


def repeat(n: int, fn: Callable[[], dict[str, float]]) -> dict[str, dict[str, float]]:
    """``fn()`` run ``n`` times: each figure's :func:`summary`."""
    runs = [fn() for _ in range(n)]
    return {k: summary([r[k] for r in runs]) for k in runs[0]}


Summary = dict[str, dict[str, float]]


def interleaved(n: int, *fns: Callable[[], dict[str, float]]) -> list[Summary]:
    """``repeat`` for a figure and its floors, their repetitions interleaved (f1, f2,
    ..., f1, f2, ...), so that a drift of the machine's speed during the run (this CI
    machine's figures swing by a third from minute to minute) lands on every side of a
    ratio; one summary per function, in order."""
    runs: list[list[dict[str, float]]] = [[] for _ in fns]
    for _ in range(n):
        for out, fn in zip(runs, fns, strict=True):
            out.append(fn())
    return [{k: summary([r[k] for r in rs]) for k in rs[0]} for rs in runs]


def ratio(num: Summary, den: Summary, num_key: str, den_key: str) -> float:
    """The ratio of two figures' medians, to 3 places."""
    return round(num[num_key]["median"] / den[den_key]["median"], 3)


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database that ``url`` names when it does not exist yet
    (through the server's ``postgres`` database), so ``--postgres`` works on a fresh
    machine."""
    from sqlalchemy import create_engine, make_url, text

    target = make_url(url)
    name = target.database
    if not name:
        return
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            found = c.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first()
            if found is None:
                quoted = '"' + name.replace('"', '""') + '"'
                c.execute(text(f"CREATE DATABASE {quoted}"))
                log(f"created database {name}")
    finally:
        admin.dispose()
