"""Event-store errors, and the one place where driver errors become them.

Named after PEP 249's exception classes, as the ``eventsourcing`` library does:
``OperationalError`` (the database is unreachable, locked or timed out: retry later,
HTTP 503), ``IntegrityError`` (a constraint the store relies on was broken), ``DataError``
(a value the database cannot hold). ``ConcurrencyError`` is the optimistic-concurrency
failure of :meth:`EventStore.append` (HTTP 409).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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


class IntegrityError(PersistenceError):
    """A store constraint was violated (for instance event ids reused across streams)."""

    http_status = 409


class DataError(PersistenceError):
    """A value the database cannot store. HTTP 422."""

    http_status = 422


@contextmanager
def translate() -> Iterator[None]:
    """Translate SQLAlchemy/driver exceptions raised inside the block to store errors.

    This is the only place in CaseOps that knows about driver exceptions.
    """
    try:
        yield
    except PersistenceError:
        raise
    except sa_exc.IntegrityError as e:
        raise IntegrityError(f"integrity error: {e.orig}") from e
    except sa_exc.DataError as e:
        raise DataError(f"data error: {e.orig}") from e
    except (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError) as e:
        raise OperationalError(f"database unavailable: {getattr(e, 'orig', e)}") from e
    except sa_exc.DBAPIError as e:
        raise OperationalError(f"database error: {e.orig}") from e
    except Exception as e:
        # A driver (PEP 249) exception raised by a cursor used directly (the append hot
        # path): the same mapping by the PEP's class names.
        kind = _pep249_kind(e)
        if kind is None:
            raise
        if kind == "IntegrityError":
            raise IntegrityError(f"integrity error: {e}") from e
        if kind == "DataError":
            raise DataError(f"data error: {e}") from e
        if kind in ("OperationalError", "InterfaceError"):
            raise OperationalError(f"database unavailable: {e}") from e
        raise OperationalError(f"database error: {e}") from e


_DRIVERS = ("sqlite3", "psycopg", "psycopg2")
_PEP249 = ("IntegrityError", "DataError", "OperationalError", "InterfaceError", "Error")


def _pep249_kind(e: BaseException) -> str | None:
    """The most specific PEP 249 class name of a driver exception, or ``None``."""
    for cls in type(e).__mro__:
        if cls.__module__.split(".")[0] in _DRIVERS and cls.__name__ in _PEP249:
            return cls.__name__
    return None
