"""identity: OS logins bound to people (who a workspace command acts as); consult requests

Revision ID: 0004
Revises: 0003

`login_bindings` maps a login (the OS login, or a CI login set by FLYWHEEL_LOGIN) to the person it
acts as; the audit log names that person. Offboarding removes a person's bindings.
`consultations` holds each request for a Consulted person's input on a decision, with its deadline,
answered by that person or recorded as unanswered once the deadline passes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dataflywheel.store.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_bindings",
        sa.Column("login", sa.String(length=128), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("bound_at", dataflywheel.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"],
                                name=op.f("fk_login_bindings_person_id_people"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("login", name=op.f("pk_login_bindings")),
    )
    with op.batch_alter_table("login_bindings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_bindings_person_id"), ["person_id"], unique=False)
    op.create_table(
        "consultations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("record_kind", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.String(length=200), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("requested_by_id", sa.String(length=64), nullable=False),
        sa.Column("requested_at", dataflywheel.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", dataflywheel.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("closed_at", dataflywheel.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["raci_items.id"],
                                name=op.f("fk_consultations_item_id_raci_items"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"],
                                name=op.f("fk_consultations_person_id_people"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["requested_by_id"], ["people.id"],
                                name=op.f("fk_consultations_requested_by_id_people"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultations")),
    )
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultations_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consultations_record_id"), ["record_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultations_record_id"))
        batch_op.drop_index(batch_op.f("ix_consultations_person_id"))
    op.drop_table("consultations")
    with op.batch_alter_table("login_bindings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_bindings_person_id"))
    op.drop_table("login_bindings")
