"""Governance records: exception requirements and expiry, covers, assets, time-limited grants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from dataflywheel.domain.records.governance import (
    AccessGrant, Asset, ExceptionApproval, ExceptionCover, ExceptionRecord, Sensitivity,
)

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
LATER = NOW + timedelta(days=7)


def _exception(**changes: object) -> ExceptionRecord:
    fields: dict[str, object] = dict(
        id="EXC-0001", type="time", scope="batch B-0002", reason="vendor late by 2 days",
        usage_restriction="exploratory experiments only", isolation_label="exc-0001",
        outstanding_checks=["iaa"], requested_by_id="ann", requested_at=NOW, expires_at=LATER,
    )
    return ExceptionRecord.model_validate(fields | changes)


def _grant(**changes: object) -> AccessGrant:
    fields: dict[str, object] = dict(
        id="GRT-0001", asset_id="A-1", grantee_id="bob", sensitivity="confidential",
        purpose="eval", requested_by_id="bob", requested_at=NOW, expires_at=LATER,
    )
    return AccessGrant.model_validate(fields | changes)


def test_exception_is_active_until_its_expiry() -> None:
    approved = _exception(state="approved", decided_at=NOW)
    assert approved.is_active(NOW + timedelta(days=1))
    assert not approved.is_active(LATER)
    assert not _exception().is_active(NOW)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"type": "mood"}, "type\n  Input should be 'time', 'quality', 'format' or 'compliance'"),
        ({"scope": ""}, "scope\n  String should have at least 1 character"),
        ({"reason": ""}, "reason\n  String should have at least 1 character"),
        ({"usage_restriction": ""}, "usage_restriction\n  String should have at least 1 character"),
        ({"isolation_label": ""}, "isolation_label\n  String should have at least 1 character"),
        ({"expires_at": NOW}, "expires_at 2026-11-23T09:30:00+00:00 must be after requested_at"),
        ({"expires_at": None}, "expires_at\n  Input should be a valid datetime"),
        ({"state": "approved"}, "a approved exception needs decided_at"),
    ],
)
def test_bad_exceptions_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as info:
        _exception(**changes)
    assert message in str(info.value)


def test_cover_names_exactly_one_target() -> None:
    assert ExceptionCover.of("EXC-0001", batch_id="B-2").id == "EXC-0001:batch:B-2"
    for bad in ({}, {"batch_id": "B-2", "dataset_id": "ds"}):
        expected = "names exactly one of batch_id, version_id, dataset_id"
        with pytest.raises(ValidationError, match=expected):
            ExceptionCover.of("EXC-0001", **bad)


def test_approval_role_must_be_one_of_the_seven() -> None:
    assert ExceptionApproval(exception_id="EXC-0001", approver_id="ann", role="data_owner",
                             decision="approved").role.value == "data_owner"
    with pytest.raises(ValidationError, match="role\n  Input should be 'data_owner'"):
        ExceptionApproval.model_validate({"exception_id": "EXC-0001", "approver_id": "ann",
                                          "role": "boss", "decision": "approved"})


def test_asset_link_must_match_its_kind_and_sensitivity_orders() -> None:
    with pytest.raises(ValidationError, match="a dataset asset needs dataset_id"):
        Asset(id="A-1", name="k12", kind="dataset", owner_id="ann", sensitivity="internal")
    with pytest.raises(ValidationError, match="a dataset_version asset needs version_id"):
        Asset(id="A-1", name="k12", kind="dataset_version", owner_id="ann", sensitivity="internal")
    assert Sensitivity.PUBLIC.rank < Sensitivity.INTERNAL.rank < Sensitivity.RESTRICTED.rank


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"expires_at": NOW - timedelta(seconds=1)}, "must be after requested_at"),
        ({"state": "active"}, "an active grant needs approved_by_id and granted_at"),
        ({"sensitivity": "top"}, "sensitivity\n  Input should be 'public', 'internal', "),
        ({"purpose": ""}, "purpose\n  String should have at least 1 character"),
        ({"id": "G-1"}, "id\n  String should match pattern '^GRT-[0-9]{4,}$'"),
    ],
)
def test_bad_grants_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as info:
        _grant(**changes)
    assert message in str(info.value)


def test_active_grant_expires() -> None:
    grant = _grant(state="active", approved_by_id="ann", granted_at=NOW)
    assert grant.is_active(NOW) and not grant.is_active(LATER)
