"""Parent records for the pool round-trip tests (people, projects, requirements, contracts, data).

Parents are written through their own repositories, as the flows would, one unit of work each.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError as DBIntegrityError
from sqlalchemy.orm import Session

# The pool tables refer to each other (and to the lead's and engineer D's); register them all
# before the `database` fixture runs create_all.
import dataflywheel.store.tables.data
import dataflywheel.store.tables.experiments
import dataflywheel.store.tables.feedback
import dataflywheel.store.tables.governance
import dataflywheel.store.tables.issues
import dataflywheel.store.tables.plans  # noqa: F401
from dataflywheel.errors import FlywheelError

from dataflywheel.domain.records.data import (
    Batch, BatchFile, Dataset, DatasetPurpose, DatasetVersion, FileFormat, VersionBatch,
)
from dataflywheel.domain.records.contract import (
    ChangeClass, ContractRecord, ContractVersionRecord,
)
from dataflywheel.domain.records.demand import Priority, Requirement, RequirementKind
from dataflywheel.domain.records.people import Person, Vendor
from dataflywheel.domain.records.project import Project
from dataflywheel.domain.records.raci import RaciItem
from dataflywheel.domain.roles import ROLE_TITLES, Role
from dataflywheel.domain.states import BatchState, ContractVersionState, VersionState
from dataflywheel.store.repositories.contracts import Contracts, ContractVersions
from dataflywheel.store.repositories.data import (
    Batches, BatchFiles, Datasets, DatasetVersions, VersionBatches,
)
from dataflywheel.store.repositories.people import (
    People, Projects, RaciItems, Requirements, Vendors,
)
from dataflywheel.store.session import Database
from dataflywheel.store.tables.people import RoleRow

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
SHA_A, SHA_B, SHA_R, SHA_M = "a" * 64, "b" * 64, "c" * 64, "d" * 64
CONTRACT_VERSION = "sft-pairs@1.0.0"
CONTRACT_VERSION_2 = "sft-pairs@1.1.0"


def seed_parents(db: Database) -> None:
    """Roles, two people, a vendor, two projects, a requirement, a RACI item, contract versions."""
    with db.unit_of_work() as s:
        for role in Role:
            s.add(RoleRow(id=role.value, title=ROLE_TITLES[role], duties=""))
        People(s).add(Person(id="ann", name="Ann", created_at=NOW))
        People(s).add(Person(id="bob", name="Bob", created_at=NOW))
        Vendors(s).add(Vendor(id="v-acme", name="Acme Annotation"))
        for pid, name in (("P-K12", "K-12 tutor"), ("P-ORAL", "Oral assessment")):
            Projects(s).add(Project(id=pid, name=name, owner_id="ann", created_at=NOW))
        Requirements(s).add(Requirement(
            id="REQ-0001", title="Geometry items", project_id="P-K12", requester_id="bob",
            kind=RequirementKind.NEW_DATA, priority=Priority.P1, created_at=NOW, updated_at=NOW))
        RaciItems(s).add(RaciItem(id="annotation_quality_review", title="Annotation QA"))
        Contracts(s).add(ContractRecord(
            id="sft-pairs", name="SFT pairs", raci_item_id="annotation_quality_review",
            producer_role=Role.ANNOTATION_ENGINEER, consumer_role=Role.ALGORITHM_ENGINEER,
            registered_by="ann", registered_at=NOW))
        for version_id in (CONTRACT_VERSION, CONTRACT_VERSION_2):
            ContractVersions(s).add(ContractVersionRecord(
                id=version_id, contract_id="sft-pairs", semver=version_id.split("@")[1],
                state=ContractVersionState.ACTIVE, document="apiVersion: v3.1.0",
                document_sha256="e" * 64, change_class=ChangeClass.INITIAL, proposed_by="ann",
                proposed_at=NOW, effective_from=NOW, notice_days=0))


def seed_data(db: Database) -> None:
    """Parents, then a dataset, two batches (one file), a frozen and a candidate version."""
    seed_parents(db)
    with db.unit_of_work() as s:
        Datasets(s).add(Dataset(id="ds-k12", name="k12-sft", project_id="P-K12", owner_id="ann",
                                purpose=DatasetPurpose.TRAINING, created_at=NOW))
        Batches(s).add(batch("B-0001", report_sha256=SHA_R, state=BatchState.PASSED,
                             delivered_by_person_id="ann", delivered_by_vendor_id=None))
        Batches(s).add(batch("B-0002"))
        BatchFiles(s).add(BatchFile(batch_id="B-0001", position=0, name="a.jsonl", sha256=SHA_A,
                                    size_bytes=10, row_count=2, format=FileFormat.JSONL))
        DatasetVersions(s).add(DatasetVersion(
            id="V-1", dataset_id="ds-k12", number=1, state=VersionState.FROZEN,
            manifest_sha256=SHA_M, created_by_id="ann", created_at=NOW, frozen_at=NOW))
        DatasetVersions(s).add(DatasetVersion(
            id="V-2", dataset_id="ds-k12", parent_version_id="V-1", created_by_id="bob",
            created_at=NOW))
        VersionBatches(s).add(VersionBatch(version_id="V-1", batch_id="B-0001",
                                           added_by_id="ann", added_at=NOW))


def batch(batch_id: str, **changes: object) -> Batch:
    """A batch delivered by the vendor against the first contract version, unless changed."""
    fields: dict[str, object] = dict(
        id=batch_id, dataset_id="ds-k12", contract_version_id=CONTRACT_VERSION,
        requirement_id="REQ-0001", delivered_by_vendor_id="v-acme", received_at=NOW,
    )
    return Batch.model_validate(fields | changes)


def refused(db: Database, write: Callable[[Session], Any]) -> str:
    """Run `write` in a unit of work; the database must refuse it. Returns the driver's message
    (the cause of the product error, which itself never shows the SQL)."""
    with pytest.raises(FlywheelError) as info:
        with db.unit_of_work() as s:
            write(s)
    cause = info.value.__cause__
    assert isinstance(cause, DBIntegrityError), repr(cause)
    assert "INSERT" not in str(info.value) and "UPDATE" not in str(info.value)
    return str(cause.orig)
