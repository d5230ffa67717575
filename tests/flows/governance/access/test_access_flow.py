"""Assets and grants through the flows, on both backends: who may decide, expiry (lazy and by
sweep), and bad input that writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from access_helpers import T0, audits, stored

from dataflywheel.errors import (
    AlreadyExists,
    BadInput,
    IllegalTransition,
    NotFound,
    PolicyViolation,
)
from dataflywheel.flows.governance import access
from dataflywheel.flows.workspace import Workspace

DAY = timedelta(days=1)


def _request(ws: Workspace, asset: str, **changes: object) -> access.AccessGrant:
    args: dict[str, object] = {"grantee": "algorithm-engineer", "purpose": "fine-tune baseline",
                               "expires_at": T0 + 30 * DAY, "requested_by": "algorithm-engineer",
                               "now": T0}
    args.update(changes)
    return access.request(ws, asset, **args)  # type: ignore[arg-type]


def test_register_takes_the_dataset_sensitivity_and_refuses_duplicates(team: Workspace,
                                                                       internal: str) -> None:
    [asset] = access.list_assets(team)
    assert (asset.id, asset.kind.value, asset.sensitivity.value) == (internal, "dataset", "internal")
    assert (asset.id, asset.name, asset.dataset_id) == ("DS-0001", "corpus", "DS-0001")
    assert asset.project_id == "P-TEST" and asset.owner_id == "data-owner"
    before = stored(team)
    with pytest.raises(AlreadyExists) as dup:
        access.register(team, by="data-owner", dataset="corpus")
    assert str(dup.value) == ("asset DS-0001 is already registered. Kept: nothing was stored. "
                              "Next: flywheel access list --assets")
    with pytest.raises(PolicyViolation) as lower:
        access.register(team, by="data-owner", dataset="corpus", sensitivity="public")
    assert str(lower.value) == (
        "an asset of dataset DS-0001 may not be less sensitive than the dataset; field "
        "'sensitivity'; expected internal or higher; got 'public'. Kept: nothing was stored")
    with pytest.raises(PolicyViolation) as who:
        access.register(team, by="data-engineer", dataset="corpus")
    assert str(who.value) == (
        "data-engineer may not register assets of dataset DS-0001; expected the dataset's owner "
        "data-owner or the sharing Accountable data-owner; got 'data-engineer'. "
        "Kept: nothing was stored")
    with pytest.raises(BadInput, match="unknown sensitivity 'secret'"):
        access.register(team, by="data-owner", dataset="corpus", sensitivity="secret")
    with pytest.raises(NotFound, match="dataset 'nowhere' does not exist"):
        access.register(team, by="data-owner", dataset="nowhere")
    with pytest.raises(BadInput, match="register exactly one of a version or a dataset"):
        access.register(team, by="data-owner")
    assert stored(team) == before


def test_internal_grant_is_approved_by_the_sharing_accountable(team: Workspace,
                                                               internal: str) -> None:
    grant = _request(team, internal)
    assert (grant.id, grant.state.value, grant.sensitivity.value) == ("GRT-0001", "requested",
                                                                      "internal")
    with pytest.raises(PolicyViolation) as wrong:
        access.approve(team, grant.id, approver="data-engineer", now=T0)
    assert str(wrong.value) == (
        "data-engineer may not approve grant GRT-0001 on internal asset DS-0001; expected the "
        "sharing Accountable data-owner; got 'data-engineer'. Kept: GRT-0001 is still requested")
    with pytest.raises(PolicyViolation) as own:
        access.approve(team, grant.id, approver="algorithm-engineer", now=T0)
    assert "algorithm-engineer requested or receives grant GRT-0001 and may not decide it" in str(
        own.value)
    active = access.approve(team, grant.id, approver="data-owner", now=T0 + DAY)
    assert active.state.value == "active" and active.granted_at == T0 + DAY
    assert active.approved_by_id == "data-owner" and active.compliance_approved_by_id is None
    assert audits(team, "access_grant.approve") == 1
    with pytest.raises(IllegalTransition):
        access.approve(team, grant.id, approver="data-owner", now=T0 + DAY)


def test_confidential_grant_needs_legal_too_in_either_order(team: Workspace,
                                                            confidential: str) -> None:
    first = _request(team, confidential)
    half = access.approve(team, first.id, approver="data-owner", now=T0)
    assert half.state.value == "requested" and half.approved_by_id == "data-owner"
    with pytest.raises(PolicyViolation) as again:
        access.approve(team, first.id, approver="data-owner", now=T0)
    assert str(again.value) == (
        "data-owner may not approve grant GRT-0001 on confidential asset DS-0001; expected the "
        "sharing Accountable data-owner and Legal/Compliance (legal-compliance), not again "
        "(data-owner already approved); got 'data-owner'. Kept: GRT-0001 is still requested")
    done = access.approve(team, first.id, approver="legal-compliance", now=T0)
    assert done.state.value == "active" and done.compliance_approved_by_id == "legal-compliance"
    second = _request(team, confidential)
    assert access.approve(team, second.id, approver="legal-compliance",
                          now=T0).state.value == "requested"
    assert access.approve(team, second.id, approver="data-owner", now=T0).state.value == "active"
    assert audits(team, "access_grant.consent") == 2 and audits(team, "access_grant.approve") == 2


def test_bad_requests_store_nothing(team: Workspace, internal: str) -> None:
    before = stored(team)
    with pytest.raises(BadInput) as past:
        _request(team, internal, expires_at=T0 - DAY)
    assert str(past.value) == (
        "the expiry is not in the future; field 'expires_at'; expected a time after "
        "2026-12-01T09:00:00+00:00; got '2026-11-30T09:00:00+00:00'. Kept: nothing was stored")
    with pytest.raises(BadInput) as long:
        _request(team, internal, expires_at=T0 + 91 * DAY)
    assert str(long.value) == (
        "a grant lasts at most 90 days; field 'expires_at'; expected a time up to "
        "2027-03-01T09:00:00+00:00; got '2027-03-02T09:00:00+00:00'. Kept: nothing was stored")
    with pytest.raises(BadInput, match="the expiry needs a time zone"):
        _request(team, internal, expires_at=(T0 + DAY).replace(tzinfo=None))
    with pytest.raises(BadInput, match="a grant request needs its purpose"):
        _request(team, internal, purpose="  ")
    with pytest.raises(NotFound) as ghost:
        _request(team, internal, grantee="ghost")
    assert str(ghost.value) == ("person ghost does not exist; field 'grantee'. Kept: nothing was "
                                "stored. Next: flywheel people list")
    with pytest.raises(NotFound) as nowhere:
        _request(team, "nowhere")
    assert str(nowhere.value) == (
        "asset nowhere does not exist; field 'asset'. Kept: nothing was stored. "
        "Next: flywheel access register --version V --by PERSON")
    assert stored(team) == before


def test_deny_and_revoke(team: Workspace, internal: str) -> None:
    denied = access.deny(team, _request(team, internal).id, approver="data-owner",
                         reason="use the public set", now=T0)
    assert denied.state.value == "denied" and denied.end_reason == "use the public set"
    grant = access.approve(team, _request(team, internal).id, approver="data-owner", now=T0)
    before = stored(team)
    with pytest.raises(PolicyViolation) as wrong:
        access.revoke(team, grant.id, by="data-engineer", reason="no", now=T0)
    assert str(wrong.value) == (
        "data-engineer may not revoke grant GRT-0002; expected the sharing Accountable "
        "data-owner or Legal/Compliance (legal-compliance); got 'data-engineer'. "
        "Kept: GRT-0002 is still active")
    with pytest.raises(BadInput, match="a revocation needs a reason"):
        access.revoke(team, grant.id, by="legal-compliance", reason=" ", now=T0)
    assert stored(team) == before
    revoked = access.revoke(team, grant.id, by="legal-compliance", reason="project ended",
                            now=T0 + DAY)
    assert revoked.state.value == "revoked" and revoked.ended_at == T0 + DAY
    assert audits(team, "access_grant.revoke") == 1


def test_a_request_not_decided_before_its_expiry_cannot_be_approved(team: Workspace,
                                                                   internal: str) -> None:
    grant = _request(team, internal, expires_at=T0 + DAY)
    with pytest.raises(PolicyViolation) as late:
        access.approve(team, grant.id, approver="data-owner", now=T0 + 2 * DAY)
    assert str(late.value) == (
        "grant GRT-0001 expired at 2026-12-02T09:00:00+00:00 before it was decided. Kept: "
        "GRT-0001 is still requested and grants nothing. Next: flywheel access request … with "
        "a later --expires")


def test_expiry_is_lazy_and_swept_once(team: Workspace, internal: str) -> None:
    short = access.approve(team, _request(team, internal, expires_at=T0 + DAY).id,
                           approver="data-owner", now=T0)
    long = access.approve(team, _request(team, internal).id, approver="data-owner", now=T0)
    assert access.sweep(team, now=T0 + DAY / 2) == []
    states = {g.id: g.state.value for g in access.list_grants(team, now=T0 + 2 * DAY)}
    assert states == {short.id: "expired", long.id: "active"}
    assert access.sweep(team, now=T0 + 2 * DAY) == []
    assert access.sweep(team, now=T0 + 31 * DAY) == [long.id]
    assert audits(team, "access_grant.expire") == 2
    [gone] = access.list_grants(team, grantee="algorithm-engineer", state="expired",
                                asset=internal, now=T0)[:1]
    assert gone.end_reason == "expired at 2026-12-02T09:00:00+00:00"
    with pytest.raises(BadInput, match="unknown grant state 'gone'"):
        access.list_grants(team, state="gone")


def test_one_person_holding_both_roles_fills_one_slot(team: Workspace, confidential: str) -> None:
    from dataflywheel.domain.roles import Role
    from dataflywheel.flows.governance.people import grant_role

    grant_role(team, "data-owner", Role.LEGAL_COMPLIANCE)
    grant = _request(team, confidential)
    assert access.approve(team, grant.id, approver="data-owner",
                          now=T0).state.value == "requested"
    with pytest.raises(PolicyViolation, match="not again \\(data-owner already approved\\)"):
        access.approve(team, grant.id, approver="data-owner", now=T0)
    assert access.approve(team, grant.id, approver="legal-compliance",
                          now=T0).state.value == "active"
