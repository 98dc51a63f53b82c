"""Keep the last event's hash on the stream row (one read fewer per append).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``caseops_streams.last_hash`` and fill it from each stream's last event."""
    with op.batch_alter_table("caseops_streams") as batch:
        batch.add_column(sa.Column("last_hash", sa.String(64), nullable=True))
    op.execute(
        "UPDATE caseops_streams SET last_hash = (SELECT e.hash FROM caseops_events e "
        "WHERE e.stream_id = caseops_streams.stream_id "
        "AND e.version = caseops_streams.version)"
    )


def downgrade() -> None:
    """Drop ``caseops_streams.last_hash``."""
    with op.batch_alter_table("caseops_streams") as batch:
        batch.drop_column("last_hash")
