"""annotation guides (issue 23): guides, their versions with change records, FAQ entries, and
vendors' lifecycle evidence

Revision ID: 0013
Revises: 0012

A guide version keeps the sha256 of its file (a blob, byte for byte), the labels and example
library the file defines, and its change record: the change class the contract rules give it,
the changes, the examples that changed, who made it, why, and when it takes effect. FAQ entries
cite the version they clarify. Reviews gain the guide version the reviewer followed (nullable,
added with `ALTER TABLE … ADD COLUMN`: the table is not rebuilt, its triggers stay). Vendors'
lifecycle evidence (Table 24-21: onboarding, dispatch, monitoring, acceptance, feedback,
offboarding) is one new table.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


import dataflywheel.store.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

STAGES = "'onboarding', 'dispatch', 'monitoring', 'acceptance', 'feedback', 'offboarding'"
KINDS = ("'confidentiality', 'compliance', 'tool_training', 'test_task', 'task_dispatched', "
         "'calibration', 'process_metrics', 'drift_alert', 'accepted_batch', 'retraining', "
         "'grants_revoked', 'deliverables_archived', 'deletion_confirmed'")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"],
                                   name=op.f(f"fk_{table}_{column}_{target}"), ondelete="RESTRICT")


def _when(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, dataflywheel.store.types.UTCDateTime(timezone=True), nullable=False)


def upgrade() -> None:
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("guide_version", sa.String(length=64), nullable=True))
    op.create_table(
        "annotation_guides",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=True),
        sa.Column("registered_by", sa.String(length=64), nullable=False),
        _when("registered_at"),
        _fk("annotation_guides", "project_id", "projects"),
        _fk("annotation_guides", "registered_by", "people"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotation_guides")),
    )
    with op.batch_alter_table("annotation_guides", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_annotation_guides_project_id"), ["project_id"],
                              unique=False)
    op.create_table(
        "guide_versions",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("guide_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("examples", sa.JSON(), nullable=False),
        sa.Column("change_class", sa.String(length=16), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("examples_changed", sa.JSON(), nullable=False),
        sa.Column("previous_version_id", sa.String(length=100), nullable=True),
        sa.Column("author_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("notice_days", sa.Integer(), nullable=False),
        _when("created_at"),
        _when("effective_from"),
        sa.CheckConstraint("change_class IN ('initial', 'none', 'compatible', 'breaking')",
                           name=op.f("ck_guide_versions_change_class")),
        sa.CheckConstraint("notice_days >= 0", name=op.f("ck_guide_versions_notice_days")),
        _fk("guide_versions", "guide_id", "annotation_guides"),
        _fk("guide_versions", "previous_version_id", "guide_versions"),
        _fk("guide_versions", "author_id", "people"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guide_versions")),
        sa.UniqueConstraint("guide_id", "version", name=op.f("uq_guide_versions_guide_id_version")),
    )
    with op.batch_alter_table("guide_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guide_versions_guide_id"), ["guide_id"], unique=False)
    op.create_table(
        "guide_faq",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("guide_version_id", sa.String(length=100), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("asked_by", sa.String(length=64), nullable=True),
        sa.Column("answered_by", sa.String(length=64), nullable=False),
        _when("created_at"),
        _fk("guide_faq", "guide_version_id", "guide_versions"),
        _fk("guide_faq", "asked_by", "people"),
        _fk("guide_faq", "answered_by", "people"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guide_faq")),
    )
    with op.batch_alter_table("guide_faq", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guide_faq_guide_version_id"), ["guide_version_id"],
                              unique=False)

    op.create_table(
        "vendor_evidence",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("vendor_id", sa.String(length=64), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("guide_version", sa.String(length=100), nullable=True),
        sa.Column("task_id", sa.String(length=100), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        _when("recorded_at"),
        sa.CheckConstraint("stage IN (" + STAGES + ")",
                           name=op.f("ck_vendor_evidence_stage")),
        sa.CheckConstraint("kind IN (" + KINDS + ")",
                           name=op.f("ck_vendor_evidence_kind")),
        _fk("vendor_evidence", "vendor_id", "vendors"),
        _fk("vendor_evidence", "recorded_by", "people"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_evidence")),
    )
    with op.batch_alter_table("vendor_evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vendor_evidence_vendor_id"), ["vendor_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("vendor_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vendor_evidence_vendor_id"))
    op.drop_table("vendor_evidence")
    with op.batch_alter_table("guide_faq", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guide_faq_guide_version_id"))
    op.drop_table("guide_faq")
    with op.batch_alter_table("guide_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guide_versions_guide_id"))
    op.drop_table("guide_versions")
    with op.batch_alter_table("annotation_guides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_annotation_guides_project_id"))
    op.drop_table("annotation_guides")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_column("guide_version")
