"""Event-store errors, and the one place where driver errors become them.

Named after PEP 249's exception classes, as the ``eventsourcing`` library does:
``OperationalError`` (the database is unreachable, locked or timed out: nothing was
written, try again later), ``IntegrityError`` (a constraint the store relies on was
broken), ``DataError`` (a value the database cannot hold). ``ConcurrencyError`` is the
optimistic-concurrency failure of an append. The errors name what happened to streams
and events; what a caller makes of them (a domain error, an HTTP status) is the caller's.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from types import TracebackType

from sqlalchemy import exc as sa_exc

from caseops.errors import CaseOpsError


class PersistenceError(CaseOpsError):
    """Root of the store's errors."""


class ConcurrencyError(PersistenceError):
    """The stream moved on since the expected version; nothing was written."""


class StreamNotFound(PersistenceError):
    """No stream has that id."""


class OperationalError(PersistenceError):
    """The database is unavailable, locked or timed out; nothing was written."""


class BadDatabaseURL(PersistenceError):
    """A database URL that names no usable database: unparsable, an unknown scheme, or a
    driver that is not installed. Raised when the store is created."""


class IntegrityError(PersistenceError):
    """A store constraint was violated (for instance event ids reused across streams)."""


class DataError(PersistenceError):
    """A value the database cannot store (for instance a NUL character in an id)."""


#: PEP 249 exception class names, most specific first, and the store error each becomes.
_PEP249: dict[str, tuple[type[PersistenceError], str]] = {
    "IntegrityError": (IntegrityError, "integrity error"),
    "DataError": (DataError, "data error"),
    "OperationalError": (OperationalError, "database unavailable"),
    "InterfaceError": (OperationalError, "database unavailable"),
    "Error": (OperationalError, "database error"),
}
_DRIVERS = ("sqlite3", "psycopg")


def _translated(e: Exception) -> PersistenceError | None:
    """The store error a SQLAlchemy or driver exception stands for (``None``: not a
    database error, raised as it is)."""
    if isinstance(e, sa_exc.IntegrityError):
        return IntegrityError(f"integrity error: {e.orig}")
    if isinstance(e, sa_exc.DataError):
        return DataError(f"data error: {e.orig}")
    if isinstance(e, sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.TimeoutError):
        return OperationalError(f"database unavailable: {getattr(e, 'orig', e)}")
    if isinstance(e, sa_exc.DBAPIError):
        return OperationalError(f"database error: {e.orig}")
    # a driver's own exception (the recorders' append runs the driver's cursor)
    for cls in type(e).__mro__:
        if cls.__module__.split(".")[0] in _DRIVERS and cls.__name__ in _PEP249:
            kind, words = _PEP249[cls.__name__]
            return kind(f"{words}: {e}")
    return None


class translate(AbstractContextManager[None]):
    """Raise SQLAlchemy and driver exceptions of the block as store errors (``with
    translate(): ...``); store errors and everything else pass unchanged. The only place
    in CaseOps that knows driver exceptions. (A class, as ``contextlib.suppress`` is.)"""

    def __exit__(
        self,
        typ: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if isinstance(exc, Exception) and not isinstance(exc, PersistenceError):
            mapped = _translated(exc)
            if mapped is not None:
                raise mapped from exc
