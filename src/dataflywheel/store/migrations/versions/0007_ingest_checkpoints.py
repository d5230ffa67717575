"""ingest checkpoints: how far an interrupted bulk ingest of a file got, so a rerun resumes

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dataflywheel.store.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ingest_checkpoints",
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("updated_at", dataflywheel.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("file_sha256", name=op.f("pk_ingest_checkpoints")),
    )


def downgrade() -> None:
    op.drop_table("ingest_checkpoints")
