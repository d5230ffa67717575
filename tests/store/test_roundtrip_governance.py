"""Governance records through the store on both backends: exceptions with covers and approvals,
assets, uses and grants; expiry queries; and the database refusing what has no owner or no end."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pools_seed import NOW, refused, seed_data
from sqlalchemy import update

from dataflywheel.domain.records.governance import (
    AccessGrant, ApprovalDecision, Asset, AssetKind, AssetUse, ExceptionApproval, ExceptionCover,
    ExceptionRecord, ExceptionType, Sensitivity,
)
from dataflywheel.domain.roles import Role
from dataflywheel.domain.states import ExceptionState, GrantState
from dataflywheel.store.repositories.governance import (
    AccessGrants, Assets, AssetUses, ExceptionApprovals, ExceptionCovers, Exceptions,
)
from dataflywheel.store.session import Database
from dataflywheel.store.tables.governance import AccessGrantRow, AssetRow, ExceptionRow

WEEK = timedelta(days=7)


def _exception(exc_id: str = "EXC-0001", **changes: Any) -> ExceptionRecord:
    fields: dict[str, Any] = dict(
        id=exc_id, type=ExceptionType.TIME, scope="batch B-0002 of k12-sft",
        reason="vendor delivered 2 days late", usage_restriction="exploratory experiments only",
        isolation_label="exc-0001", outstanding_checks=["iaa", "spot_check"], project_id="P-K12",
        requested_by_id="bob", requested_at=NOW, expires_at=NOW + WEEK,
    )
    return ExceptionRecord.model_validate(fields | changes)


def _grant(grant_id: str = "GRT-0001", **changes: Any) -> AccessGrant:
    fields: dict[str, Any] = dict(
        id=grant_id, asset_id="A-K12", grantee_id="bob", sensitivity=Sensitivity.CONFIDENTIAL,
        purpose="offline eval", requested_by_id="bob", requested_at=NOW, expires_at=NOW + WEEK,
    )
    return AccessGrant.model_validate(fields | changes)


def _asset(**changes: Any) -> Asset:
    fields: dict[str, Any] = dict(
        id="A-K12", name="k12-sft", kind=AssetKind.DATASET, dataset_id="ds-k12",
        project_id="P-K12", owner_id="ann", sensitivity=Sensitivity.CONFIDENTIAL,
        registered_at=NOW,
    )
    return Asset.model_validate(fields | changes)


def test_every_governance_record_round_trips(database: Database) -> None:
    seed_data(database)
    records: list[tuple[Any, Any]] = [
        (Exceptions, _exception(state=ExceptionState.APPROVED, decided_at=NOW)),
        (ExceptionCovers, ExceptionCover.of("EXC-0001", batch_id="B-0002")),
        (ExceptionCovers, ExceptionCover.of("EXC-0001", version_id="V-2")),
        (ExceptionCovers, ExceptionCover.of("EXC-0001", dataset_id="ds-k12")),
        (ExceptionApprovals, ExceptionApproval(exception_id="EXC-0001", approver_id="ann",
                                               role=Role.DATA_OWNER,
                                               decision=ApprovalDecision.APPROVED,
                                               note="ok for a week", decided_at=NOW)),
        (Assets, _asset(description="SFT pairs", discoverable=True, requestable=False)),
        (AssetUses, AssetUse(asset_id="A-K12", project_id="P-ORAL", purpose="reuse", since=NOW)),
        (AccessGrants, _grant(state=GrantState.ACTIVE, approved_by_id="ann", granted_at=NOW)),
    ]
    for repo_type, record in records:
        with database.unit_of_work() as s:
            repo_type(s).add(record)
        with database.session() as s:
            repo = repo_type(s)
            assert repo.get(repo.key_of(record)) == record


def test_every_exception_and_grant_state_is_kept(database: Database) -> None:
    seed_data(database)
    exc_ids = [f"EXC-{n + 1:04d}" for n in range(len(ExceptionState))]
    grant_ids = [f"GRT-{n + 1:04d}" for n in range(len(GrantState))]
    with database.unit_of_work() as s:
        Assets(s).add(_asset())
        for exc_id, state in zip(exc_ids, ExceptionState, strict=True):
            Exceptions(s).add(_exception(exc_id, state=state, decided_at=NOW))
        for grant_id, gstate in zip(grant_ids, GrantState, strict=True):
            AccessGrants(s).add(_grant(grant_id, state=gstate, approved_by_id="ann",
                                       granted_at=NOW))
    with database.session() as s:
        assert [Exceptions(s).get(i).state for i in exc_ids] == list(ExceptionState)
        assert [AccessGrants(s).get(i).state for i in grant_ids] == list(GrantState)


def test_active_covers_expiry_and_reuse_queries(database: Database) -> None:
    seed_data(database)
    with database.unit_of_work() as s:
        exceptions = Exceptions(s)
        assert exceptions.next_id() == "EXC-0001"
        exceptions.add(_exception("EXC-0001", state="approved", decided_at=NOW))
        exceptions.add(_exception("EXC-0002", expires_at=NOW + timedelta(days=1)))  # requested
        exceptions.add(_exception("EXC-0003", type="quality", state="approved", decided_at=NOW,
                                  expires_at=NOW + timedelta(days=1)))
        for exc_id in ("EXC-0001", "EXC-0002", "EXC-0003"):
            ExceptionCovers(s).add(ExceptionCover.of(exc_id, batch_id="B-0002"))
        Assets(s).add(_asset())
        Assets(s).add(_asset(id="A-V1", name="k12@1", kind="dataset_version", version_id="V-1"))
        for pid in ("P-K12", "P-ORAL"):
            AssetUses(s).add(AssetUse(asset_id="A-K12", project_id=pid))
        AssetUses(s).add(AssetUse(asset_id="A-V1", project_id="P-K12"))
        grants = AccessGrants(s)
        grants.add(_grant("GRT-0001", state="active", approved_by_id="ann", granted_at=NOW,
                          expires_at=NOW + timedelta(days=2)))
        grants.add(_grant("GRT-0002", state="active", approved_by_id="ann", granted_at=NOW,
                          expires_at=NOW + timedelta(days=30)))
        grants.add(_grant("GRT-0003", expires_at=NOW + timedelta(days=1)))  # only requested
        assert grants.next_id() == "GRT-0004"
    with database.session() as s:
        exceptions = Exceptions(s)
        active_now = exceptions.active_covering_batch("B-0002", at=NOW)
        assert [e.id for e in active_now] == ["EXC-0001", "EXC-0003"]
        later = exceptions.active_covering_batch("B-0002", at=NOW + timedelta(days=1))
        assert [e.id for e in later] == ["EXC-0001"]  # expiry is exclusive
        assert [e.id for e in exceptions.due_to_expire(at=NOW + timedelta(days=1))] == ["EXC-0003"]
        assert exceptions.active_covering_batch("B-0001", at=NOW) == []
        assert [(a.id, n) for a, n in Assets(s).reused()] == [("A-K12", 2)]
        soon = AccessGrants(s).expiring(after=NOW, until=NOW + timedelta(days=7))
        assert [g.id for g in soon] == ["GRT-0001"]


def test_links_to_missing_records_are_refused(database: Database) -> None:
    seed_data(database)
    with database.unit_of_work() as s:
        Exceptions(s).add(_exception())
        Assets(s).add(_asset())
    for cover in (dict(batch_id="B-0404"), dict(version_id="V-404"), dict(dataset_id="ds-404")):
        refused(database, lambda s, c=cover: ExceptionCovers(s).add(
            ExceptionCover.of("EXC-0001", **c)))
    refused(database, lambda s: ExceptionCovers(s).add(
        ExceptionCover.of("EXC-0404", batch_id="B-0001")))
    refused(database, lambda s: ExceptionApprovals(s).add(ExceptionApproval(
        exception_id="EXC-0001", approver_id="ghost", role="data_owner", decision="approved")))
    refused(database, lambda s: Exceptions(s).add(_exception("EXC-0002", requested_by_id="ghost")))
    refused(database, lambda s: AccessGrants(s).add(_grant(asset_id="A-404")))
    refused(database, lambda s: AccessGrants(s).add(_grant(grantee_id="ghost")))
    refused(database, lambda s: AssetUses(s).add(AssetUse(asset_id="A-K12", project_id="P-404")))
    refused(database, lambda s: Assets(s).add(_asset(id="A-2", dataset_id="ds-404")))
    with database.session() as s:
        assert ExceptionCovers(s).list() == [] and ExceptionApprovals(s).list() == []
        assert AccessGrants(s).list() == [] and AssetUses(s).list() == []
        assert [a.id for a in Assets(s).list()] == ["A-K12"]


def test_the_database_refuses_unbounded_grants_and_bad_values(database: Database) -> None:
    seed_data(database)
    with database.unit_of_work() as s:
        Exceptions(s).add(_exception())
        Assets(s).add(_asset())
        AccessGrants(s).add(_grant())
    refused(database, lambda s: s.execute(update(ExceptionRow).values(expires_at=NOW)))
    refused(database, lambda s: s.execute(update(AccessGrantRow).values(expires_at=NOW - WEEK)))
    refused(database, lambda s: s.execute(update(AccessGrantRow).values(expires_at=None)))
    refused(database, lambda s: s.execute(update(ExceptionRow).values(type="mood")))
    refused(database, lambda s: s.execute(update(AssetRow).values(sensitivity="top")))
    refused(database, lambda s: s.execute(update(AssetRow).values(kind="vibe")))
    refused(database, lambda s: ExceptionCovers(s).add(
        ExceptionCover.model_construct(id="x", exception_id="EXC-0001", batch_id="B-0001",
                                       version_id="V-1", dataset_id=None)))
    with database.session() as s:
        assert Exceptions(s).get("EXC-0001").expires_at == NOW + WEEK
        assert AccessGrants(s).get("GRT-0001").expires_at == NOW + WEEK
        assert ExceptionCovers(s).list() == []
