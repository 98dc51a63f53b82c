"""The event store: append-only streams of events in SQLite (default) or PostgreSQL.

Atomic appends with an expected version; idempotent by event id; a sha256 hash chain
per stream. :class:`EventStore` runs the one append algorithm; the mapper
(:mod:`.mapper`) turns events into rows and back; a recorder per database
(:mod:`.recorder`, :mod:`.sqlite`, :mod:`.postgres`) owns connections, SQL and
transactions (docs/architecture.md, "Events and the store").
"""

from .errors import (
    BadDatabaseURL,
    ConcurrencyError,
    DataError,
    IntegrityError,
    OperationalError,
    PersistenceError,
    StreamNotFound,
)
from .factory import make_engine, normalize_url
from .mapper import GENESIS_HASH, chain_hash
from .records import NewEvent, RecordedEvent, StreamSummary
from .store import EventStore

__all__ = [
    "GENESIS_HASH",
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
    "chain_hash",
    "make_engine",
    "normalize_url",
]
