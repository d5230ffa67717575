"""requirement order: indexes on the Demand Pool's keyset order

Revision ID: 0009
Revises: 0008

`requirements list` and `GET /api/v1/requirements` page on (priority, deadline, created_at, id),
alone or within one project; without an index every deep page sorted the whole table (issue 24).
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ORDER = ["priority", "deadline", "created_at", "id"]


def upgrade() -> None:
    with op.batch_alter_table("requirements", schema=None) as batch_op:
        batch_op.create_index("ix_requirements_order", ORDER, unique=False)
        batch_op.create_index("ix_requirements_project_order", ["project_id", *ORDER],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("requirements", schema=None) as batch_op:
        batch_op.drop_index("ix_requirements_project_order")
        batch_op.drop_index("ix_requirements_order")
