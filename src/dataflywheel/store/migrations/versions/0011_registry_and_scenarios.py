"""the registry's fields (issue 20) and each dataset's governance scenario (Table 24-29)

Revision ID: 0011
Revises: 0010

Projects gain their deliverables, registry role, whether they need extra human review or
governance control, and imported check results (`imported_checks_passed` of
`imported_checks_total`), which stand for "checks passed" where a project has no records of its
own. Datasets gain the Table 24-29 scenario that decides which control points their release gate
holds them to; a dataset registered before this revision gets the default its purpose and
sensitivity give (`domain/policies/governance_intensity.py:default_scenario`), so its gate is
unchanged: training and evaluation data stay High, exploratory restricted data too.

Columns are only added (SQLite `ALTER TABLE … ADD COLUMN`, no table rebuild), so the triggers of
0003 on `datasets` stay in place; the NOT NULL ones carry a server default for the rows already
there; the downgrade drops them the same way.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

PROJECT_COLUMNS = ("deliverables", "registry_role", "needs_human_review",
                   "needs_governance_control", "imported_checks_passed", "imported_checks_total")
BACKFILL = (
    "UPDATE datasets SET scenario = CASE "
    "WHEN purpose = 'evaluation' THEN 'critical_evaluation_set' "
    "WHEN purpose = 'exploration' AND sensitivity = 'restricted' "
    "THEN 'highly_sensitive_user_feedback' "
    "WHEN purpose = 'exploration' THEN 'exploratory_data' "
    "ELSE 'formal_training_corpus' END")


def upgrade() -> None:
    op.add_column("projects", sa.Column("deliverables", sa.JSON(), nullable=False,
                                        server_default=sa.text("'[]'")))
    op.add_column("projects", sa.Column("registry_role", sa.String(length=64), nullable=True))
    for flag in ("needs_human_review", "needs_governance_control"):
        op.add_column("projects", sa.Column(flag, sa.Boolean(), nullable=False,
                                            server_default=sa.false()))
    for count in ("imported_checks_passed", "imported_checks_total"):
        op.add_column("projects", sa.Column(count, sa.Integer(), nullable=True))
    op.add_column("datasets", sa.Column("scenario", sa.String(length=64), nullable=False,
                                        server_default="formal_training_corpus"))
    op.execute(sa.text(BACKFILL))


def downgrade() -> None:
    # Plain `ALTER TABLE … DROP COLUMN` (SQLite 3.35+), not a batch rebuild, which would drop
    # the 0003 triggers on `datasets` and trip the foreign keys into `projects`.
    op.execute("ALTER TABLE datasets DROP COLUMN scenario")
    for column in reversed(PROJECT_COLUMNS):
        op.execute(f"ALTER TABLE projects DROP COLUMN {column}")
