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
