"""Data Pool records through the store on both backends: round trips, lineage queries, and the
database refusing what the domain would never write (missing parents, two deliverers, bad enums)."""

from __future__ import annotations

from typing import Any

import pytest
from pools_seed import (
    CONTRACT_VERSION_2, NOW, SHA_A, SHA_B, SHA_M, SHA_R, batch, refused, seed_data, seed_parents,
)
from sqlalchemy import delete, insert, text, update
from sqlalchemy.orm import Session

from dataflywheel.domain.records.data import (
    BatchFile, ComplianceStatus, Dataset, Datasheet, DatasetVersion, FileFormat, VersionBatch,
)
from dataflywheel.domain.records.governance import Sensitivity
from dataflywheel.domain.records.issue import Issue
from dataflywheel.domain.states import BatchState, VersionState
from dataflywheel.errors import AlreadyExists, NotFound
from dataflywheel.store.repositories.data import (
    Batches, BatchFiles, Datasets, DatasetVersions, VersionBatches,
)
from dataflywheel.store.repositories.issues import Issues
from dataflywheel.store.session import Database
from dataflywheel.store.tables.data import BatchRow, DatasetRow, DatasetVersionRow


def test_every_data_record_round_trips(database: Database) -> None:
    seed_parents(database)
    sheet = Datasheet(objective="geometry SFT", sources=["acme"], sample_size=2, known_defects=[])
    records = [
        (Datasets, Dataset(id="ds-k12", name="k12-sft", project_id="P-K12", owner_id="ann",
                           sensitivity=Sensitivity.CONFIDENTIAL, description="d", created_at=NOW)),
        (Batches, batch("B-0001", annotator_ids=["a1", "a2"], guide_version="g-2.1", source="acme",
                        state=BatchState.PASSED, report_sha256=SHA_R, row_count=5,
                        nonconforming_count=1, quality_summary={"dup_rate": 0.01, "checks": ["x"]},
                        checked_at=NOW)),
        (BatchFiles, BatchFile(batch_id="B-0001", position=0, name="é-part 1.jsonl", sha256=SHA_A,
                               size_bytes=2**40, row_count=5, format=FileFormat.JSONL)),
        (DatasetVersions, DatasetVersion(
            id="V-1", dataset_id="ds-k12", number=1, state=VersionState.FROZEN,
            manifest_sha256=SHA_M, datasheet=sheet, quality_summary={"rows": 5},
            compliance=ComplianceStatus.APPROVED, experimental=True, baseline=True,
            created_by_id="bob", approved_by_id="ann", compliance_by_id="ann", created_at=NOW,
            frozen_at=NOW)),
        (VersionBatches, VersionBatch(version_id="V-1", batch_id="B-0001", added_by_id="bob",
                                      added_at=NOW)),
    ]
    for repo_type, record in records:
        with database.unit_of_work() as s:
            repo_type(s).add(record)  # type: ignore[arg-type]
        with database.session() as s:
            repo = repo_type(s)
            assert repo.get(repo.key_of(record)) == record  # type: ignore[arg-type]
    with database.session() as s:
        version = DatasetVersions(s).get("V-1")
        assert version.datasheet.known_defects == [] and version.frozen_at == NOW
        assert Batches(s).get("B-0001").quality_summary == {"dup_rate": 0.01, "checks": ["x"]}


def test_every_batch_and_version_state_is_kept(database: Database) -> None:
    seed_data(database)
    with database.unit_of_work() as s:
        Issues(s).add(Issue(id="ISS-0001", title="defect", severity="P1", source="manual",
                            opened_at=NOW))
        for n, state in enumerate(BatchState):
            Batches(s).add(batch(f"B-01{n}", state=state, report_sha256=SHA_R))
        for n, vstate in enumerate(VersionState):
            extra: dict[str, Any] = {}
            if vstate not in (VersionState.CANDIDATE, VersionState.ABANDONED):
                extra = dict(number=10 + n, frozen_at=NOW, manifest_sha256=f"{n}" * 64)
            if vstate is VersionState.WITHDRAWN:
                extra |= {"withdrawn_at": NOW, "withdrawn_reason": "defect",
                          "withdrawn_issue_id": "ISS-0001"}
            DatasetVersions(s).add(DatasetVersion(id=f"V-1{n}", dataset_id="ds-k12", state=vstate,
                                                  created_by_id="ann", created_at=NOW, **extra))
    with database.session() as s:
        kept_batches = [Batches(s).get(f"B-01{n}").state for n in range(len(BatchState))]
        assert kept_batches == list(BatchState)
        kept = [DatasetVersions(s).get(f"V-1{n}").state for n in range(len(VersionState))]
        assert kept == list(VersionState)
        assert DatasetVersions(s).get("V-13").withdrawn_issue_id == "ISS-0001"


def test_lineage_queries(database: Database) -> None:
    seed_data(database)
    with database.unit_of_work() as s:
        VersionBatches(s).add(VersionBatch(version_id="V-2", batch_id="B-0001", added_by_id="bob"))
        VersionBatches(s).add(VersionBatch(version_id="V-2", batch_id="B-0002", added_by_id="bob"))
        Batches(s).add(batch("B-0003", contract_version_id=CONTRACT_VERSION_2, guide_version="g-3"))
    with database.session() as s:
        versions = DatasetVersions(s)
        assert [b.id for b in versions.batches_of("V-2")] == ["B-0001", "B-0002"]
        assert [v.id for v in versions.containing("B-0001")] == ["V-1", "V-2"]
        assert versions.containing("B-0003") == []
        assert versions.next_number("ds-k12") == 2 and versions.by_number("ds-k12", 1).id == "V-1"
        assert [v.id for v in versions.frozen()] == ["V-1"]
        assert [v.id for v in versions.frozen("ds-k12")] == ["V-1"]
        assert [b.id for b in Batches(s).list(contract_version_id=CONTRACT_VERSION_2)] == ["B-0003"]
        assert [b.id for b in Batches(s).list(guide_version="g-3")] == ["B-0003"]
        assert [f.name for f in Batches(s).files("B-0001")] == ["a.jsonl"]
        assert Datasets(s).by_name("k12-sft").id == "ds-k12"


def test_lookups_of_missing_records_say_what_is_missing(database: Database) -> None:
    seed_data(database)
    with database.session() as s:
        with pytest.raises(NotFound) as info:
            Datasets(s).by_name("nope")
        assert str(info.value) == "dataset 'nope' does not exist. Next: flywheel datasets list"
        with pytest.raises(NotFound, match="dataset version ds-k12@5 does not exist"):
            DatasetVersions(s).by_number("ds-k12", 5)
        with pytest.raises(NotFound, match="batch B-0404 does not exist"):
            Batches(s).get("B-0404")


def _sqlite_fk_targets(db: Database, table: str) -> set[str]:
    with db.session() as s:
        return {row[2] for row in s.execute(text(f"PRAGMA foreign_key_list({table})"))}


def test_the_current_pointer_links_to_a_real_version(database: Database) -> None:
    seed_data(database)
    if database.is_sqlite:
        assert "dataset_versions" in _sqlite_fk_targets(database, "datasets")
    with database.unit_of_work() as s:
        ds = Datasets(s).get("ds-k12")
        Datasets(s).update(ds.model_copy(update={"current_version_id": "V-1"}))
    with database.session() as s:
        assert Datasets(s).get("ds-k12").current_version_id == "V-1"
    refused(database, lambda s: s.execute(
        update(DatasetRow).where(DatasetRow.id == "ds-k12").values(current_version_id="V-404")))
    with database.session() as s:
        assert Datasets(s).get("ds-k12").current_version_id == "V-1"


def test_a_batch_naming_a_missing_parent_is_refused(database: Database) -> None:
    seed_data(database)
    for changes in ({"dataset_id": "ds-ghost"}, {"contract_version_id": "ghost@9.9.9"},
                    {"requirement_id": "REQ-9999"}, {"delivered_by_vendor_id": "v-ghost"},
                    {"delivered_by_vendor_id": None, "delivered_by_person_id": "ghost"}):
        refused(database, lambda s, c=changes: Batches(s).add(batch("B-0404", **c)))
    with database.session() as s:
        assert [b.id for b in Batches(s).list()] == ["B-0001", "B-0002"]


def test_membership_and_files_need_real_batches_and_versions(database: Database) -> None:
    seed_data(database)
    refused(database, lambda s: VersionBatches(s).add(
        VersionBatch(version_id="V-2", batch_id="B-0404", added_by_id="ann")))
    refused(database, lambda s: VersionBatches(s).add(
        VersionBatch(version_id="V-404", batch_id="B-0001", added_by_id="ann")))
    refused(database, lambda s: BatchFiles(s).add(BatchFile(
        batch_id="B-0404", position=0, name="x.jsonl", sha256=SHA_A, size_bytes=1, format="json")))
    refused(database, lambda s: DatasetVersions(s).add(DatasetVersion(
        id="V-3", dataset_id="ds-k12", parent_version_id="V-404", created_by_id="ann")))
    with database.session() as s:
        assert len(VersionBatches(s).list()) == 1 and len(BatchFiles(s).list()) == 1
        assert [v.id for v in DatasetVersions(s).list()] == ["V-1", "V-2"]


def test_the_database_refuses_what_the_domain_refuses(database: Database) -> None:
    seed_data(database)
    row = Batches(Session()).to_row_values(batch("B-0005"))
    refused(database, lambda s: s.execute(
        insert(BatchRow).values(**(row | {"delivered_by_person_id": "ann"}))))
    refused(database, lambda s: s.execute(
        insert(BatchRow).values(**(row | {"delivered_by_vendor_id": None}))))
    refused(database, lambda s: s.execute(
        update(DatasetRow).where(DatasetRow.id == "ds-k12").values(purpose="fun")))
    refused(database, lambda s: s.execute(
        update(DatasetRow).where(DatasetRow.id == "ds-k12").values(sensitivity="secret")))
    refused(database, lambda s: s.execute(
        update(DatasetVersionRow).where(DatasetVersionRow.id == "V-2").values(compliance="maybe")))
    with database.session() as s:
        assert Datasets(s).get("ds-k12").purpose.value == "training"
        assert [b.id for b in Batches(s).list()] == ["B-0001", "B-0002"]


def test_numbers_and_manifests_are_unique(database: Database) -> None:
    seed_data(database)
    refused(database, lambda s: DatasetVersions(s).add(DatasetVersion(
        id="V-3", dataset_id="ds-k12", number=1, state="frozen", manifest_sha256=SHA_B,
        frozen_at=NOW, created_by_id="ann")))
    refused(database, lambda s: DatasetVersions(s).add(DatasetVersion(
        id="V-3", dataset_id="ds-k12", number=2, state="frozen", manifest_sha256=SHA_M,
        frozen_at=NOW, created_by_id="ann")))
    refused(database, lambda s: Datasets(s).add(Dataset(
        id="ds-other", name="k12-sft", project_id="P-K12", owner_id="ann")))
    with pytest.raises(AlreadyExists, match="batch B-0001 already exists"):
        with database.unit_of_work() as s:
            Batches(s).add(batch("B-0001"))


def test_nothing_is_deleted_out_from_under_a_record(database: Database) -> None:
    seed_data(database)
    refused(database, lambda s: s.execute(delete(DatasetRow).where(DatasetRow.id == "ds-k12")))
    refused(database, lambda s: s.execute(delete(BatchRow).where(BatchRow.id == "B-0001")))
    with database.session() as s:
        assert Datasets(s).get("ds-k12").name == "k12-sft"
        assert len(Batches(s).files("B-0001")) == 1


POOL_RECORDS = {
    "data": ["Dataset", "Batch", "BatchFile", "DatasetVersion", "VersionBatch"],
    "experiments": ["Experiment", "ExperimentVersion", "ErrorSample"],
    "issues": ["Issue", "IssueLink", "PostMortem"],
    "feedback": ["FeedbackEvent", "FeedbackRejection", "Theme"],
    "governance": ["ExceptionRecord", "ExceptionCover", "ExceptionApproval", "Asset", "AssetUse",
                   "AccessGrant", "Derivation", "Regrade"],
    "plans": ["Stage", "Milestone", "FlywheelRun"],
}
# ids in other systems, inside delivered data, or as a feedback event claimed them (an unknown
# project is kept as reported and the event goes to triage; the routed project is the FK)
NOT_LINKS = {"mlflow_run_id", "record_id", "reported_project_id"}


def _repositories() -> list[Any]:
    import importlib

    from dataflywheel.store.repositories.base import Repository

    found = []
    for module in POOL_RECORDS:
        mod = importlib.import_module(f"dataflywheel.store.repositories.{module}")
        found += [v for v in vars(mod).values() if isinstance(v, type)
                  and issubclass(v, Repository) and v is not Repository
                  and v.__module__ == mod.__name__]
    return found


def test_every_pool_record_has_a_repository_and_matching_columns() -> None:
    repos = _repositories()
    by_record = {r.record_type.__name__: r for r in repos}
    assert sorted(by_record) == sorted(n for names in POOL_RECORDS.values() for n in names)
    for name, repo in by_record.items():
        fields = set(repo.record_type.model_fields)
        columns = {c.key for c in repo.row_type.__table__.columns}
        assert fields == columns, f"{name}: record-only {fields - columns}, table-only {columns - fields}"


def test_every_link_column_is_a_restrict_foreign_key() -> None:
    for repo in _repositories():
        table = repo.row_type.__table__
        for column in table.columns:
            if column.key == "id" or not column.key.endswith("_id") or column.key in NOT_LINKS:
                continue
            fks = list(column.foreign_keys)
            assert len(fks) == 1, f"{table.name}.{column.key} is not a foreign key"
            assert fks[0].ondelete == "RESTRICT", f"{table.name}.{column.key} is not RESTRICT"
