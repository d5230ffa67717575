"""immutability of frozen dataset versions (hand-written; triggers on SQLite and PostgreSQL)

Revision ID: 0002
Revises: 0001

A frozen, archived or withdrawn `dataset_versions` row refuses every UPDATE except the allowed
state moves (frozen → archived | withdrawn, withdrawn → archived) with their set-once fields
(`archived_at`, `withdrawn_at`, `withdrawn_reason`, `withdrawn_issue_id`: NULL → a value, only
together with that state move), and refuses DELETE. `version_batches` rows of such a version
refuse INSERT, UPDATE and DELETE. Both backends raise an integrity error (SQLSTATE 23000 on
PostgreSQL, SQLITE_CONSTRAINT on SQLite) that names the rule.
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

if not (Path(__file__).with_name("0001_initial_schema.py")).exists():
    # scripts/regen_initial_migration.py deletes 0001 while it regenerates it; alembic then
    # cannot place this revision. Say what to do instead of failing with KeyError('0001').
    raise RuntimeError(
        "0002_immutability.py needs 0001: while regenerating 0001, move it aside: "
        "mv src/dataflywheel/store/migrations/versions/0002_immutability.py /tmp/ && "
        ".venv/bin/python scripts/regen_initial_migration.py && "
        "mv /tmp/0002_immutability.py src/dataflywheel/store/migrations/versions/")

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SEALED = "('frozen', 'archived', 'withdrawn')"
FIXED = ("id", "dataset_id", "number", "manifest_sha256", "datasheet", "quality_summary",
         "compliance", "experimental", "baseline", "parent_version_id", "created_by_id",
         "approved_by_id", "compliance_by_id", "created_at", "frozen_at")
SET_ONCE = ("archived_at", "withdrawn_at", "withdrawn_reason", "withdrawn_issue_id")
JSON_COLUMNS = ("datasheet", "quality_summary")
MOVES = ("NEW.state = OLD.state OR (OLD.state = 'frozen' AND NEW.state IN ('archived', "
         "'withdrawn')) OR (OLD.state = 'withdrawn' AND NEW.state = 'archived')")
VERSION_MESSAGE = "dataset version is frozen: only frozen->archived|withdrawn may change it"
MEMBERS_MESSAGE = "dataset version is frozen: its batches cannot change"


def _differs(column: str, postgres: bool) -> str:
    if postgres:
        cast = "::text" if column in JSON_COLUMNS else ""
        return f"NEW.{column}{cast} IS DISTINCT FROM OLD.{column}{cast}"
    return f"NEW.{column} IS NOT OLD.{column}"


def violation(postgres: bool) -> str:
    """The SQL condition under which an UPDATE of a sealed version is refused."""
    parts = [_differs(c, postgres) for c in FIXED]
    parts.append(f"NOT ({MOVES})")
    for c in SET_ONCE:
        parts.append(f"(OLD.{c} IS NOT NULL AND {_differs(c, postgres)})")
        parts.append(f"(NEW.state = OLD.state AND {_differs(c, postgres)})")
    return "\n        OR ".join(parts)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgres_up()
    else:
        _sqlite_up()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS version_batches_sealed ON version_batches")
        op.execute("DROP TRIGGER IF EXISTS dataset_versions_sealed ON dataset_versions")
        op.execute("DROP FUNCTION IF EXISTS flywheel_version_batches_sealed()")
        op.execute("DROP FUNCTION IF EXISTS flywheel_dataset_versions_sealed()")
        return
    for name in ("dataset_versions_sealed_update", "dataset_versions_sealed_delete",
                 "version_batches_sealed_insert", "version_batches_sealed_update",
                 "version_batches_sealed_delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")


def _sqlite_up() -> None:
    op.execute(f"""
    CREATE TRIGGER dataset_versions_sealed_update BEFORE UPDATE ON dataset_versions
    FOR EACH ROW WHEN OLD.state IN {SEALED} AND (
        {violation(postgres=False)})
    BEGIN SELECT RAISE(ABORT, '{VERSION_MESSAGE}'); END""")
    op.execute(f"""
    CREATE TRIGGER dataset_versions_sealed_delete BEFORE DELETE ON dataset_versions
    FOR EACH ROW WHEN OLD.state IN {SEALED}
    BEGIN SELECT RAISE(ABORT, 'dataset version is frozen: it is never deleted'); END""")
    state_of = "(SELECT state FROM dataset_versions WHERE id = {}.version_id)"
    for event, rows in (("insert", ("NEW",)), ("update", ("NEW", "OLD")), ("delete", ("OLD",))):
        condition = " OR ".join(f"{state_of.format(r)} IN {SEALED}" for r in rows)
        op.execute(f"""
        CREATE TRIGGER version_batches_sealed_{event} BEFORE {event.upper()} ON version_batches
        FOR EACH ROW WHEN {condition}
        BEGIN SELECT RAISE(ABORT, '{MEMBERS_MESSAGE}'); END""")


def _postgres_up() -> None:
    op.execute(f"""
    CREATE FUNCTION flywheel_dataset_versions_sealed() RETURNS trigger AS $$
    BEGIN
      IF OLD.state IN {SEALED} THEN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'dataset version is frozen: it is never deleted'
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF {violation(postgres=True)} THEN
          RAISE EXCEPTION '{VERSION_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql""")
    op.execute("""
    CREATE TRIGGER dataset_versions_sealed BEFORE UPDATE OR DELETE ON dataset_versions
    FOR EACH ROW EXECUTE FUNCTION flywheel_dataset_versions_sealed()""")
    op.execute(f"""
    CREATE FUNCTION flywheel_version_batches_sealed() RETURNS trigger AS $$
    BEGIN
      IF (TG_OP <> 'INSERT' AND (SELECT state FROM dataset_versions WHERE id = OLD.version_id)
            IN {SEALED})
         OR (TG_OP <> 'DELETE' AND (SELECT state FROM dataset_versions WHERE id = NEW.version_id)
            IN {SEALED}) THEN
        RAISE EXCEPTION '{MEMBERS_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql""")
    op.execute("""
    CREATE TRIGGER version_batches_sealed BEFORE INSERT OR UPDATE OR DELETE ON version_batches
    FOR EACH ROW EXECUTE FUNCTION flywheel_version_batches_sealed()""")
