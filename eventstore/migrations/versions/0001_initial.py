"""Initial event store: events, streams.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``caseops_events`` and ``caseops_streams``."""
    op.create_table(
        "caseops_events",
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("stream_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("stream_id", "version", name="uq_caseops_events_stream_version"),
    )
    op.create_index("ix_caseops_events_type_position", "caseops_events", ["type", "position"])
    op.create_table(
        "caseops_streams",
        sa.Column("stream_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("meta", sa.Text, nullable=False),
    )
    op.create_index("ix_caseops_streams_created", "caseops_streams", ["created_at", "stream_id"])


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("caseops_streams")
    op.drop_table("caseops_events")
