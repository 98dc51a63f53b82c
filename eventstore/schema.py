"""Table definitions (SQLAlchemy Core). Changes go through an Alembic migration in
``migrations/versions`` as well."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

events = Table(
    "caseops_events",
    metadata,
    # INTEGER (not BIGINT) on SQLite so the column aliases the rowid and autoincrements.
    Column(
        "position",
        BigInteger().with_variant(Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("stream_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("type", String(64), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("payload", Text, nullable=False),
    Column("recorded_at", String(40), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("stream_id", "version", name="uq_caseops_events_stream_version"),
    Index("ix_caseops_events_type_position", "type", "position"),
)

streams = Table(
    "caseops_streams",
    metadata,
    Column("stream_id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("meta", Text, nullable=False, default="{}"),
    Column("last_hash", String(64), nullable=True),
    Index("ix_caseops_streams_created", "created_at", "stream_id"),
)
