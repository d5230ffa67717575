"""sensitivity levels (Table 24-20) and compliance exceptions that carry access (Table 24-9)

Revision ID: 0005
Revises: 0004

- `derivations`: a dataset is derived data, built from a version or a dataset by a method;
- `regrades`: approved re-grades of derived datasets (who, why, to which level, from which);
- `access_grants.exception_id`: the compliance exception a restricted grant rests on (its
  expiry revokes the grant);
- `exceptions.source_description`, `risk_level`, `access_list`: a compliance exception's
  required records.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dataflywheel.store.types


revision = '0005'
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('regrades',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('dataset_id', sa.String(length=64), nullable=False),
    sa.Column('level', sa.String(length=32), nullable=False),
    sa.Column('inherited', sa.String(length=32), nullable=False),
    sa.Column('approved_by_id', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('approved_at', dataflywheel.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("inherited IN ('public', 'internal', 'confidential', 'restricted')", name=op.f('ck_regrades_inherited')),
    sa.CheckConstraint("level IN ('public', 'internal', 'confidential', 'restricted')", name=op.f('ck_regrades_level')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['people.id'], name=op.f('fk_regrades_approved_by_id_people'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], name=op.f('fk_regrades_dataset_id_datasets'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regrades'))
    )
    with op.batch_alter_table('regrades', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_regrades_dataset_id'), ['dataset_id'], unique=False)

    op.create_table('derivations',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('dataset_id', sa.String(length=64), nullable=False),
    sa.Column('source_version_id', sa.String(length=64), nullable=True),
    sa.Column('source_dataset_id', sa.String(length=64), nullable=True),
    sa.Column('method', sa.String(length=200), nullable=False),
    sa.Column('recorded_by_id', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', dataflywheel.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(CASE WHEN source_version_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN source_dataset_id IS NULL THEN 0 ELSE 1 END) = 1', name=op.f('ck_derivations_one_source')),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], name=op.f('fk_derivations_dataset_id_datasets'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['people.id'], name=op.f('fk_derivations_recorded_by_id_people'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['source_dataset_id'], ['datasets.id'], name=op.f('fk_derivations_source_dataset_id_datasets'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['source_version_id'], ['dataset_versions.id'], name=op.f('fk_derivations_source_version_id_dataset_versions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_derivations'))
    )
    with op.batch_alter_table('derivations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_derivations_dataset_id'), ['dataset_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_derivations_source_dataset_id'), ['source_dataset_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_derivations_source_version_id'), ['source_version_id'], unique=False)

    with op.batch_alter_table('access_grants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('exception_id', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_access_grants_exception_id'), ['exception_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_access_grants_exception_id_exceptions'), 'exceptions', ['exception_id'], ['id'], ondelete='RESTRICT')

    with op.batch_alter_table('exceptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_description', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('risk_level', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('access_list', sa.JSON(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_exceptions_risk_level'),
            "risk_level IS NULL OR risk_level IN ('low', 'medium', 'high')")



def downgrade() -> None:
    with op.batch_alter_table('exceptions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_exceptions_risk_level'), type_='check')
        batch_op.drop_column('access_list')
        batch_op.drop_column('risk_level')
        batch_op.drop_column('source_description')

    with op.batch_alter_table('access_grants', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_access_grants_exception_id_exceptions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_access_grants_exception_id'))
        batch_op.drop_column('exception_id')

    with op.batch_alter_table('derivations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_derivations_source_version_id'))
        batch_op.drop_index(batch_op.f('ix_derivations_source_dataset_id'))
        batch_op.drop_index(batch_op.f('ix_derivations_dataset_id'))

    op.drop_table('derivations')
    with op.batch_alter_table('regrades', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_regrades_dataset_id'))

    op.drop_table('regrades')
