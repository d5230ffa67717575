"""requirement moments: when a requirement was first committed and first started

Revision ID: 0010
Revises: 0009

The flow-efficiency metrics (queue wait, WIP over a window; issue 19) read these moments from the
requirement itself, in the clock its flows were given. Requirements committed or started before
this revision get them from the audit log: the time of their first `requirement.commit` and
`requirement.start` entries.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

MOMENTS = {"committed_at": "requirement.commit", "started_at": "requirement.start"}


def upgrade() -> None:
    from dataflywheel.store.types import UTCDateTime

    with op.batch_alter_table("requirements", schema=None) as batch_op:
        for column in MOMENTS:
            batch_op.add_column(sa.Column(column, UTCDateTime(timezone=True), nullable=True))
    for column, action in MOMENTS.items():
        op.execute(sa.text(
            f"UPDATE requirements SET {column} = (SELECT MIN(a.at) FROM audit_entries a "
            f"WHERE a.record_kind = 'requirement' AND a.record_id = requirements.id "
            f"AND a.action = :action)").bindparams(action=action))


def downgrade() -> None:
    with op.batch_alter_table("requirements", schema=None) as batch_op:
        for column in reversed(list(MOMENTS)):
            batch_op.drop_column(column)
