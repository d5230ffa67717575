"""runs of the flywheel: the stage plan's gates, outputs and owners, milestones' evidence, and runs

Revision ID: 0012
Revises: 0011

The assembly layer (issue 20) gives `stages` and `milestones` their flows: a stage names its entry
gate, its outputs and the RACI item whose people own it; a milestone names the evidence that marks
it done. `flywheel_runs` keeps each revolution of the flywheel: every stage's status and score as
the records gave them when the run was recorded. (Written on a branch after 0010; chained after
0011, the registry's fields and datasets' scenarios, at the merge of both branches.)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dataflywheel.store.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gate", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("outputs", sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column("raci_item", sa.String(length=64), nullable=True))
    with op.batch_alter_table("stages", schema=None) as batch_op:
        batch_op.alter_column("outputs", server_default=None)
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.add_column(sa.Column("evidence", sa.JSON(), nullable=True))
    op.create_table(
        "flywheel_runs",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("since", dataflywheel.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("until", dataflywheel.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stages", sa.JSON(), nullable=False),
        sa.Column("completion_rate", sa.Float(), nullable=False),
        sa.Column("average_score", sa.Float(), nullable=False),
        sa.Column("recorded_by_id", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", dataflywheel.store.types.UTCDateTime(timezone=True),
                  nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"],
                                name=op.f("fk_flywheel_runs_project_id_projects"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["people.id"],
                                name=op.f("fk_flywheel_runs_recorded_by_id_people"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flywheel_runs")),
    )
    with op.batch_alter_table("flywheel_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_flywheel_runs_project_id"), ["project_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_flywheel_runs_recorded_at"), ["recorded_at"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("flywheel_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flywheel_runs_recorded_at"))
        batch_op.drop_index(batch_op.f("ix_flywheel_runs_project_id"))
    op.drop_table("flywheel_runs")
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.drop_column("evidence")
    with op.batch_alter_table("stages", schema=None) as batch_op:
        batch_op.drop_column("raci_item")
        batch_op.drop_column("outputs")
        batch_op.drop_column("gate")
