"""An archived version is read (exported) only by a person with an active grant on it or its
dataset; every refusal names the version, the person and the command, and writes nothing.
`flywheel trace` answers which of these grants expire soon."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from access_helpers import audits, stored

from dataflywheel.domain.records.base import utcnow
from dataflywheel.errors import NotFound, PolicyViolation
from dataflywheel.flows.governance import access
from dataflywheel.flows.governance.access_reads import can_read
from dataflywheel.flows.data.export import export_version
from dataflywheel.store.repositories.data import resolve_version
from dataflywheel.flows.trace import trace
from dataflywheel.flows.workspace import Workspace

ASK = ("flywheel access request {v} --grantee {who} --purpose TEXT --expires TIME --by PERSON")


def _grant(ws: Workspace, asset: str, days: float = 30) -> access.AccessGrant:
    now = utcnow()
    grant = access.request(ws, asset, grantee="algorithm-engineer", purpose="replicate run 12",
                           expires_at=now + timedelta(days=days), requested_by="data-engineer",
                           now=now)
    return access.approve(ws, grant.id, approver="data-owner", now=now)


def _refused(ws: Workspace, version: str, out: Path, reader: str | None) -> str:
    """The refusal's message; nothing exported, and only its audit entry written (none when no
    reader was named: there is nobody to attribute the read to)."""
    audits_before, grants, assets = stored(ws)
    refusals = audits(ws, "version.read_refused")
    with pytest.raises(PolicyViolation) as refused:
        export_version(ws, version, format="hf", out=out, reader=reader, purpose="replicate")
    added = 0 if reader is None else 1
    assert not out.exists() and stored(ws) == (audits_before + added, grants, assets)
    assert audits(ws, "version.read_refused") == refusals + added
    return str(refused.value)


@pytest.mark.slow
def test_archived_export_needs_a_reader_with_a_grant(team: Workspace, archived: str,
                                                     tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _refused(team, archived, out, None) == (
        f"version {archived} is archived; reading it needs a reader with an access grant; "
        f"expected --as PERSON. Kept: nothing was written. Next: "
        + ASK.format(v=archived, who="PERSON"))
    assert _refused(team, archived, out, "algorithm-engineer") == (
        f"version {archived} is archived; algorithm-engineer has no active access grant for it; "
        f"expected an active grant on {archived} or dataset DS-0001; got 'no grant'. "
        "Kept: nothing was read or written; the refusal is in the audit log. Next: "
        + ASK.format(v=archived, who="algorithm-engineer"))
    before = stored(team)
    with pytest.raises(NotFound) as ghost:
        export_version(team, archived, format="hf", out=out, reader="ghost")
    assert str(ghost.value) == ("person ghost does not exist; field 'reader'. Kept: nothing was "
                                "written. Next: flywheel people list")
    assert stored(team) == before and not out.exists()

    asset = access.register(team, by="data-owner", version=archived)
    assert (asset.kind.value, asset.version_id, asset.sensitivity.value) == (
        "dataset_version", archived, "public")
    grant = _grant(team, asset.id)
    with team.db.session() as s:
        version = resolve_version(s, archived)
        assert can_read(s, "algorithm-engineer", version, utcnow())
        assert not can_read(s, "quality-evaluator", version, utcnow())
        assert not can_read(s, "algorithm-engineer", version,
                                   grant.expires_at)  # expiry is exclusive
    result = export_version(team, archived, format="hf", out=out, reader="algorithm-engineer")
    assert result.rows == 30 and (out / "README.md").exists()


@pytest.mark.slow
def test_an_expired_grant_reads_nothing_even_before_the_sweep(team: Workspace, archived: str,
                                                              tmp_path: Path) -> None:
    dataset_asset = access.register(team, by="data-owner", dataset="raw-pool")
    grant = _grant(team, dataset_asset.id, days=0.5 / 86400)  # half a second
    import time

    time.sleep(0.6)
    message = _refused(team, archived, tmp_path / "out", "algorithm-engineer")
    assert message == (
        f"version {archived} is archived; algorithm-engineer has no active access grant for it; "
        f"expected an active grant on {archived} or dataset DS-0001; got '{grant.id} expired at "
        f"{grant.expires_at.isoformat()}'. Kept: nothing was read or written; the refusal is in "
        "the audit log. Next: " + ASK.format(v=archived, who="algorithm-engineer"))
    assert access.sweep(team) == [grant.id] and audits(team, "access_grant.expire") == 1
    assert "got 'GRT-0001 expired'" in _refused(team, archived, tmp_path / "out",
                                                 "algorithm-engineer")


def test_trace_lists_grants_that_expire_soon(team: Workspace, internal: str) -> None:
    soon = _grant(team, internal, days=3)
    _grant(team, internal, days=40)
    [answer] = [a for a in trace(team, days=14) if a.key == "expiring"]
    assert answer.status.value == "answered"
    assert answer.answer == "1 grant(s) and 0 exception(s) expire within 14 days"
    expiry = soon.expires_at.isoformat()
    assert answer.evidence == [f"grant {soon.id}: algorithm-engineer on {internal} expires {expiry}"]
    access.revoke(team, soon.id, by="data-owner", reason="done early")
    [after] = [a for a in trace(team, days=14) if a.key == "expiring"]
    assert after.answer == "0 grant(s) and 0 exception(s) expire within 14 days"
