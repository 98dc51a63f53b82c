"""Database URLs, and the one place that picks a recorder for one."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

from .errors import BadDatabaseURL
from .postgres import PostgresRecorder, postgres_engine
from .recorder import Recorder
from .sqlite import SqliteRecorder, sqlite_engine

#: URL schemes that SQLAlchemy maps to psycopg2 (its default PostgreSQL driver), which
#: CaseOps does not install: they mean the installed psycopg 3 driver here
_POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def redact_url(url: str) -> str:
    """``url`` with its credentials (``user:password@``) replaced by ``***@``."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
    return url


def normalize_url(url: str) -> str:
    """``url`` with the standard PostgreSQL forms (``postgresql://…`` and the libpq/Heroku
    ``postgres://…``) rewritten to the installed psycopg 3 driver,
    ``postgresql+psycopg://…``; any other URL unchanged (SQLAlchemy documentation,
    "Engine Configuration: Database URLs": a scheme without ``+driver`` picks the
    dialect's default driver, psycopg2 for PostgreSQL)."""
    for scheme in _POSTGRES_SCHEMES:
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    return url


def _backend(url: str) -> str:
    """``sqlite`` or ``postgresql``: the backend a normalised URL names.

    Raises:
        BadDatabaseURL: an unparsable URL, or one naming another database or driver.
    """
    try:
        parsed = make_url(url)
        backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    except sa_exc.ArgumentError as e:
        raise BadDatabaseURL(f"unusable database URL {redact_url(url)!r}: {e}") from e
    except sa_exc.NoSuchModuleError:
        backend, driver = "", ""  # a dialect SQLAlchemy does not know: refused below
    if (backend, driver) in (("sqlite", "pysqlite"), ("postgresql", "psycopg")):
        return backend
    raise BadDatabaseURL(
        f"unusable database URL {redact_url(url)!r}: CaseOps stores its events in SQLite "
        "(sqlite:///path/file.db) or PostgreSQL (postgresql://user@host/db)"
    )


def open_recorder(url: str, *, lock_timeout_ms: int = 5000) -> Recorder:
    """The recorder for ``url`` (normalised by :func:`normalize_url`); PostgreSQL appends
    wait at most ``lock_timeout_ms`` for the table lock.

    Raises:
        BadDatabaseURL: the URL names no database CaseOps can use.
    """
    url = normalize_url(url)
    backend = _backend(url)
    try:
        if backend == "sqlite":
            return SqliteRecorder(url)
        return PostgresRecorder(url, lock_timeout_ms=lock_timeout_ms)
    except (sa_exc.ArgumentError, sa_exc.NoSuchModuleError, ImportError) as e:
        raise BadDatabaseURL(f"unusable database URL {redact_url(url)!r}: {e}") from e


def make_engine(url: str) -> Engine:
    """An engine with the settings CaseOps' recorder for ``url`` uses (for the benchmark's
    floor and tests that write beside the store).

    Raises:
        BadDatabaseURL: the URL names no database CaseOps can use.
    """
    url = normalize_url(url)
    return sqlite_engine(url) if _backend(url) == "sqlite" else postgres_engine(url)
