"""The event store: append-only streams on SQLAlchemy Core (SQLite default, PostgreSQL by
URL). One stream per episode; atomic appends with an expected version; idempotent by
event id; a sha256 hash chain per stream (docs/architecture.md, "Events and the store")."""

from .errors import (
    BadDatabaseURL,
    ConcurrencyError,
    DataError,
    IntegrityError,
    OperationalError,
    PersistenceError,
    StreamNotFound,
)
from .records import NewEvent, RecordedEvent, StreamSummary
from .store import EventStore, normalize_url

__all__ = [
    "BadDatabaseURL",
    "ConcurrencyError",
    "DataError",
    "EventStore",
    "IntegrityError",
    "NewEvent",
    "OperationalError",
    "PersistenceError",
    "RecordedEvent",
    "StreamNotFound",
    "StreamSummary",
    "normalize_url",
]
