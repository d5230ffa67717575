"""api tokens: personal bearer tokens for the team server, and its administrators

Revision ID: 0008
Revises: 0007

`api_tokens` keeps each personal token's SHA-256 (never the token), its person, state and expiry;
`server_admins` names the people who administer people and tokens. An upgraded workspace has no
administrator: the first bound person to run `flywheel admins grant` claims it (audited).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dataflywheel.store.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", dataflywheel.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", dataflywheel.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", dataflywheel.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"],
                                name=op.f("fk_api_tokens_person_id_people"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_api_tokens_state"), ["state"], unique=False)
    op.create_table(
        "server_admins",
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("granted_by", sa.String(length=64), nullable=False),
        sa.Column("granted_at", dataflywheel.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"],
                                name=op.f("fk_server_admins_person_id_people"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_server_admins")),
    )


def downgrade() -> None:
    op.drop_table("server_admins")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_state"))
        batch_op.drop_index(batch_op.f("ix_api_tokens_person_id"))
    op.drop_table("api_tokens")
