"""freeze every row a sealed version's manifest covers (hand-written; triggers on both backends)

Revision ID: 0003
Revises: 0002

0002 froze the `dataset_versions` row and its `version_batches`. The manifest also covers the
batches (all their fields), their files (name, sha256, size, rows, format), the dataset's identity
(id, name, purpose, sensitivity, project) and the pinned contract versions' documents. Once a
version is frozen, archived or withdrawn:
- `batches` rows of its batches refuse UPDATE and DELETE (a passed or failed batch never moves);
- `batch_files` rows of its batches refuse INSERT, UPDATE and DELETE;
- its `datasets` row refuses a change of id, name, purpose, sensitivity or project_id;
- a `contract_versions` row one of its batches pins refuses a change of id, contract_id, semver,
  document or document_sha256 (its state may still move: active → deprecated …).
Rows of batches in no sealed version, and every other column, stay free. Refusals are integrity
errors (SQLSTATE 23000 / SQLITE_CONSTRAINT_TRIGGER) whose message starts like 0002's.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SEALED = "('frozen', 'archived', 'withdrawn')"
MESSAGE = "dataset version is frozen: its manifest covers this {} row"
BATCH_COLUMNS = ("id", "dataset_id", "contract_version_id", "requirement_id",
                 "delivered_by_person_id", "delivered_by_vendor_id", "source", "annotator_ids",
                 "guide_version", "state", "report_sha256", "row_count", "nonconforming_count",
                 "quality_summary", "failure_reason", "received_at", "checked_at")
DATASET_COLUMNS = ("id", "name", "purpose", "sensitivity", "project_id")
CONTRACT_COLUMNS = ("id", "contract_id", "semver", "document", "document_sha256")
JSON_COLUMNS = ("annotator_ids", "quality_summary")
SQLITE_TRIGGERS = ("batches_sealed_update", "batches_sealed_delete", "batch_files_sealed_insert",
                   "batch_files_sealed_update", "batch_files_sealed_delete",
                   "datasets_sealed_update", "contract_versions_sealed_update")
PG_TRIGGERS = (("batches_sealed", "batches"), ("batch_files_sealed", "batch_files"),
               ("datasets_sealed", "datasets"), ("contract_versions_sealed", "contract_versions"))


def batch_sealed(batch_id: str) -> str:
    """SQL: the batch `batch_id` (an expression) belongs to a frozen/archived/withdrawn version."""
    return (f"EXISTS (SELECT 1 FROM version_batches vb JOIN dataset_versions v "
            f"ON v.id = vb.version_id WHERE vb.batch_id = {batch_id} AND v.state IN {SEALED})")


def dataset_sealed(dataset_id: str) -> str:
    return f"EXISTS (SELECT 1 FROM dataset_versions v WHERE v.dataset_id = {dataset_id} " \
           f"AND v.state IN {SEALED})"


def contract_sealed(contract_version_id: str) -> str:
    return (f"EXISTS (SELECT 1 FROM batches b JOIN version_batches vb ON vb.batch_id = b.id "
            f"JOIN dataset_versions v ON v.id = vb.version_id "
            f"WHERE b.contract_version_id = {contract_version_id} AND v.state IN {SEALED})")


def changed(columns: tuple[str, ...], postgres: bool) -> str:
    """SQL: one of `columns` differs between OLD and NEW."""
    if postgres:
        parts = [f"NEW.{c}{'::text' if c in JSON_COLUMNS else ''} IS DISTINCT FROM "
                 f"OLD.{c}{'::text' if c in JSON_COLUMNS else ''}" for c in columns]
    else:
        parts = [f"NEW.{c} IS NOT OLD.{c}" for c in columns]
    return "(" + " OR ".join(parts) + ")"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgres_up()
    else:
        _sqlite_up()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, table in PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS flywheel_{name}()")
        return
    for name in SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")


def _sqlite_trigger(name: str, event: str, table: str, condition: str) -> None:
    op.execute(f"""
    CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW WHEN {condition}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE.format(table)}'); END""")


def _sqlite_up() -> None:
    _sqlite_trigger("batches_sealed_update", "UPDATE", "batches",
                    f"{batch_sealed('OLD.id')} AND {changed(BATCH_COLUMNS, False)}")
    _sqlite_trigger("batches_sealed_delete", "DELETE", "batches", batch_sealed("OLD.id"))
    _sqlite_trigger("batch_files_sealed_insert", "INSERT", "batch_files",
                    batch_sealed("NEW.batch_id"))
    _sqlite_trigger("batch_files_sealed_update", "UPDATE", "batch_files",
                    f"{batch_sealed('OLD.batch_id')} OR {batch_sealed('NEW.batch_id')}")
    _sqlite_trigger("batch_files_sealed_delete", "DELETE", "batch_files",
                    batch_sealed("OLD.batch_id"))
    _sqlite_trigger("datasets_sealed_update", "UPDATE", "datasets",
                    f"{dataset_sealed('OLD.id')} AND {changed(DATASET_COLUMNS, False)}")
    _sqlite_trigger("contract_versions_sealed_update", "UPDATE", "contract_versions",
                    f"{contract_sealed('OLD.id')} AND {changed(CONTRACT_COLUMNS, False)}")


def _postgres_function(name: str, table: str, events: str, refuse: str) -> None:
    op.execute(f"""
    CREATE FUNCTION flywheel_{name}() RETURNS trigger AS $$
    BEGIN
      IF {refuse} THEN
        RAISE EXCEPTION '{MESSAGE.format(table)}' USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql""")
    op.execute(f"""
    CREATE TRIGGER {name} BEFORE {events} ON {table}
    FOR EACH ROW EXECUTE FUNCTION flywheel_{name}()""")


def _postgres_up() -> None:
    _postgres_function("batches_sealed", "batches", "UPDATE OR DELETE",
                       f"{batch_sealed('OLD.id')} AND (TG_OP = 'DELETE' OR "
                       f"{changed(BATCH_COLUMNS, True)})")
    _postgres_function("batch_files_sealed", "batch_files", "INSERT OR UPDATE OR DELETE",
                       f"(TG_OP <> 'INSERT' AND {batch_sealed('OLD.batch_id')}) OR "
                       f"(TG_OP <> 'DELETE' AND {batch_sealed('NEW.batch_id')})")
    _postgres_function("datasets_sealed", "datasets", "UPDATE",
                       f"{dataset_sealed('OLD.id')} AND {changed(DATASET_COLUMNS, True)}")
    _postgres_function("contract_versions_sealed", "contract_versions", "UPDATE",
                       f"{contract_sealed('OLD.id')} AND {changed(CONTRACT_COLUMNS, True)}")
