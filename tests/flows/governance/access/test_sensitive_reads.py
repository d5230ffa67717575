"""Table 24-20 on real reads: a restricted version needs a grant whatever its state (frozen
included), that grant rests on a compliance exception (Table 24-9) whose expiry revokes it, and
every export and refusal is audited with who, what, when and purpose."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from access_helpers import audits, stored
from sensitive_helpers import READER, compliance_exception, restricted_frozen

from dataflywheel.domain.records.base import utcnow
from dataflywheel.errors import BadInput, PolicyViolation
from dataflywheel.flows.governance import access
from dataflywheel.flows.governance import exceptions
from dataflywheel.flows.governance.access_reads import check
from dataflywheel.flows.data.export import export_version
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.governance import AccessGrants

PURPOSE = "refusal study, run 14"


def _entries(ws: Workspace, action: str) -> list[Any]:
    """(actor, record id, time, reason) of every audit entry of `action`, in order."""
    from types import SimpleNamespace

    from sqlalchemy import select

    from dataflywheel.store.tables.audit import AuditEntryRow

    with ws.db.session() as s:
        rows = s.scalars(select(AuditEntryRow).where(AuditEntryRow.action == action)
                         .order_by(AuditEntryRow.seq))
        return [SimpleNamespace(actor=r.actor, record_id=r.record_id, at=r.at, reason=r.reason)
                for r in rows]


@pytest.mark.slow
def test_a_frozen_restricted_version_is_refused_without_a_grant_and_audited(
        team: Workspace, tmp_path: Path, cli: Any) -> None:
    version = restricted_frozen(team, tmp_path)
    decision = check(team, READER, version)
    assert not decision.allowed and decision.grade.level.value == "restricted"
    said = cli("access", "check", "--person", READER, "--version", version)
    assert said.code == 1 and f"{READER} may not read {version} (frozen, restricted" in said.out

    out = tmp_path / "out"
    before = stored(team)
    with pytest.raises(BadInput, match="reading restricted data needs its purpose"):
        export_version(team, version, format="hf", out=out, reader=READER)
    assert stored(team) == before and not out.exists()
    with pytest.raises(PolicyViolation) as refused:
        export_version(team, version, format="hf", out=out, reader=READER, purpose=PURPOSE)
    assert str(refused.value).startswith(
        f"version {version} is restricted (declared restricted); {READER} has no active access "
        f"grant for it; expected an active grant resting on an active compliance exception on "
        f"{version} or dataset DS-0001; got 'no grant'. Kept: nothing was read or written; the "
        "refusal is in the audit log. Next: flywheel access request")
    assert not out.exists()
    [entry] = _entries(team, "version.read_refused")
    assert (entry.actor, entry.record_id) == ("tester", version) and entry.at is not None
    assert entry.reason == (f"refused by {READER} via export hf; purpose: {PURPOSE}; level "
                            "restricted (declared restricted)")
    ran = cli("export", version, "--format", "croissant", "--out", str(out), "--as", READER,
              "--purpose", PURPOSE, "--license", "CC-BY-4.0")
    assert ran.code == 2 and "no active access grant" in ran.err and not out.exists()
    assert len(_entries(team, "version.read_refused")) == 2


@pytest.mark.slow
def test_a_grant_resting_on_a_compliance_exception_reads_until_the_exception_expires(
        team: Workspace, tmp_path: Path) -> None:
    version = restricted_frozen(team, tmp_path)
    now = utcnow()
    asset = access.register(team, by="data-owner", version=version, now=now)
    before = stored(team)
    with pytest.raises(PolicyViolation, match="prohibited by default and approved by exception"):
        access.request(team, asset.id, grantee=READER, purpose=PURPOSE, requested_by=READER,
                       expires_at=now + timedelta(days=1), now=now)
    assert stored(team) == before
    exc = compliance_exception(team, version, now)
    assert (exc.state.value, exc.risk_level and exc.risk_level.value, exc.access_list) == (
        "approved", "high", [READER])
    with pytest.raises(PolicyViolation, match="quality-evaluator is not on the access list"):
        access.request(team, asset.id, grantee="quality-evaluator", purpose=PURPOSE,
                       requested_by=READER, expires_at=now + timedelta(days=1),
                       exception_id=exc.id, now=now)
    with pytest.raises(PolicyViolation, match="ends no later than it"):
        access.request(team, asset.id, grantee=READER, purpose=PURPOSE, requested_by=READER,
                       expires_at=exc.expires_at + timedelta(hours=1), exception_id=exc.id,
                       now=now)
    grant = access.request(team, asset.id, grantee=READER, purpose=PURPOSE, requested_by=READER,
                           expires_at=exc.expires_at, exception_id=exc.id, now=now)
    access.approve(team, grant.id, approver="data-owner", now=now)
    grant = access.approve(team, grant.id, approver="legal-compliance", now=now)
    assert (grant.state.value, grant.sensitivity.value, grant.exception_id) == (
        "active", "restricted", exc.id)

    result = export_version(team, version, format="hf", out=tmp_path / "out", reader=READER,
                            purpose=PURPOSE)
    assert result.rows == 12 and (tmp_path / "out" / "README.md").exists()
    [read] = _entries(team, "version.read")
    assert read.record_id == version and read.reason == (
        f"read by {READER} via export hf; purpose: {PURPOSE}; level restricted (declared "
        f"restricted); grants {grant.id}; fields {', '.join(result.fields)}")

    assert exceptions.sweep_expired(team, now=exc.expires_at) == [exc.id]
    with team.db.session() as s:
        after = AccessGrants(s).get(grant.id)
    assert (after.state.value, after.end_reason) == (
        "revoked", f"exception {exc.id} expired at {exc.expires_at.isoformat()}")
    assert audits(team, "access_grant.revoke") == 1
    with pytest.raises(PolicyViolation, match=f"got '{grant.id} revoked'"):
        export_version(team, version, format="hf", out=tmp_path / "again", reader=READER,
                       purpose=PURPOSE)
    assert not (tmp_path / "again").exists()
    assert len(_entries(team, "version.read_refused")) == 1
