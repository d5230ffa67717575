"""reviews: reviewers' verdicts on sampled records (spot checks through review, final spot checks)

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dataflywheel.store.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reviews",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("version_id", sa.String(length=64), nullable=True),
        sa.Column("record_id", sa.String(length=200), nullable=False),
        sa.Column("reviewer_id", sa.String(length=64), nullable=False),
        sa.Column("verdict", sa.String(length=8), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=1024), nullable=False),
        sa.Column("taken_at", dataflywheel.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("verdict IN ('pass', 'fail')", name=op.f("ck_reviews_verdict")),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], name=op.f("fk_reviews_batch_id_batches"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["version_id"], ["dataset_versions.id"],
                                name=op.f("fk_reviews_version_id_dataset_versions"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["reviewer_id"], ["people.id"],
                                name=op.f("fk_reviews_reviewer_id_people"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
    )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index("ix_reviews_batch_record", ["batch_id", "record_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reviews_version_id"), ["version_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reviews_reviewer_id"), ["reviewer_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviews_reviewer_id"))
        batch_op.drop_index(batch_op.f("ix_reviews_version_id"))
        batch_op.drop_index("ix_reviews_batch_record")
    op.drop_table("reviews")
