"""web sessions (issue 18): dashboard logins, a personal token exchanged for a session cookie

Revision ID: 0014
Revises: 0013

`web_sessions` keeps each browser session's SHA-256 (never the cookie), the token it was opened
with (checked again on every request, so revoking the token ends the session), the session's CSRF
secret, its expiry and when it was ended by logging out.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dataflywheel.store.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("token_id", sa.String(length=16), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", dataflywheel.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", dataflywheel.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", dataflywheel.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["token_id"], ["api_tokens.id"],
                                name=op.f("fk_web_sessions_token_id_api_tokens"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_sessions_token_id"), ["token_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_token_id"))
    op.drop_table("web_sessions")
