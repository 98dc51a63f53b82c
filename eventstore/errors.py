"""Event-store errors, and the one place where driver errors become them.

Named after PEP 249's exception classes, as the ``eventsourcing`` library does:
``OperationalError`` (the database is unreachable, locked or timed out: retry later,
HTTP 503), ``IntegrityError`` (a constraint the store relies on was broken), ``DataError``
(a value the database cannot hold). ``ConcurrencyError`` is the optimistic-concurrency
failure of :meth:`EventStore.append` (HTTP 409).
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import exc as sa_exc

from caseops.domain.errors import CaseOpsError


class PersistenceError(CaseOpsError):
    """Root of the store's errors."""

    http_status = 500


class ConcurrencyError(PersistenceError):
    """The stream moved on since ``expected_version``; nothing was written. HTTP 409."""

    http_status = 409


class StreamNotFound(PersistenceError):
    """No stream has that id. HTTP 404."""

    http_status = 404


class OperationalError(PersistenceError):
    """The database is unavailable, locked or timed out; nothing was written. HTTP 503."""

    http_status = 503


class BadDatabaseURL(PersistenceError):
    """A database URL that names no usable database: unparsable, an unknown scheme, or a
    driver that is not installed. Raised when the store is created; a configuration
    error, so HTTP 500 if it ever reached a request."""

    http_status = 500


class IntegrityError(PersistenceError):
    """A store constraint was violated (for instance event ids reused across streams)."""

    http_status = 409


class DataError(PersistenceError):
    """A value the database cannot store. HTTP 422."""

    http_status = 422


def _translated(e: BaseException) -> PersistenceError | None:
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
    # A driver (PEP 249) exception raised by a cursor used directly (the append hot
    # path): the same mapping by the PEP's class names.
    kind = _pep249_kind(e)
    if kind is None:
        return None
    if kind == "IntegrityError":
        return IntegrityError(f"integrity error: {e}")
    if kind == "DataError":
        return DataError(f"data error: {e}")
    if kind in ("OperationalError", "InterfaceError"):
        return OperationalError(f"database unavailable: {e}")
    return OperationalError(f"database error: {e}")


class translate:
    """Translate SQLAlchemy/driver exceptions raised inside the block to store errors
    (``with translate(): ...``); store errors and everything else pass unchanged.

    This is the only place in CaseOps that knows about driver exceptions. A class rather
    than a ``contextlib.contextmanager`` generator: it wraps every append, and the
    generator's set-up cost more than the mapping (README, Performance).
    """

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        typ: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None or isinstance(exc, PersistenceError) or not isinstance(exc, Exception):
            return
        mapped = _translated(exc)
        if mapped is not None:
            raise mapped from exc


_DRIVERS = ("sqlite3", "psycopg", "psycopg2")
_PEP249 = ("IntegrityError", "DataError", "OperationalError", "InterfaceError", "Error")


def _pep249_kind(e: BaseException) -> str | None:
    """The most specific PEP 249 class name of a driver exception, or ``None``."""
    for cls in type(e).__mro__:
        if cls.__module__.split(".")[0] in _DRIVERS and cls.__name__ in _PEP249:
            return cls.__name__
    return None
