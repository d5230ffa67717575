"""The release rejected: only the Accountable person moves a candidate to abandoned, with a
reason; anyone else, or a version no longer a candidate, is refused and nothing changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from datapool_helpers import FULL_DATASHEET, audit_count, deliver_clean, setup_pool

from dataflywheel.errors import BadInput, PolicyViolation
from dataflywheel.flows.data import versions
from dataflywheel.flows.data.version_reject import reject_release
from dataflywheel.flows.data.version_release import freeze
from dataflywheel.flows.notifications import inbox
from dataflywheel.flows.workspace import Workspace


def _candidate(ws: Workspace, tmp_path: Path) -> str:
    pool = setup_pool(ws)
    batch = deliver_clean(pool, tmp_path / "a.jsonl", "a", seed=1).batch
    version = versions.create_version(ws, pool.dataset, by="data-engineer", batch_ids=[batch.id])
    versions.set_datasheet(ws, version.id, FULL_DATASHEET, by="data-engineer")
    return version.id


def test_only_the_accountable_rejects_and_the_candidate_is_abandoned_for_good(
        team: Workspace, tmp_path: Path) -> None:
    version = _candidate(team, tmp_path)
    with pytest.raises(PolicyViolation) as other:
        reject_release(team, version, by="data-engineer", reason="not ready")
    assert str(other.value) == (
        f"rejecting the release of {version} needs its Accountable person; expected data-owner; "
        f"got 'data-engineer'. Kept: {version} is still a candidate")
    with pytest.raises(BadInput, match="a rejected release needs its reason"):
        reject_release(team, version, by="data-owner", reason="  ")
    assert versions.get_version(team, version)[0].state.value == "candidate"
    assert audit_count(team, "version.reject", version) == 0

    done = reject_release(team, version, by="data-owner", reason="union report stale")
    assert done.state.value == "abandoned" and done == versions.get_version(team, version)[0]
    assert audit_count(team, "version.reject", version) == 1
    [told] = [n for n in inbox(team, "data-engineer") if n.kind == "version_rejected"]
    assert told.body == "rejected by data-owner: union report stale"
    for attempt in (lambda: reject_release(team, version, by="data-owner", reason="again"),
                    lambda: freeze(team, version, by="data-owner")):
        with pytest.raises(PolicyViolation, match=f"version {version} is abandoned"):
            attempt()
    assert audit_count(team, "version.refused", version) == 2
    assert versions.get_version(team, version)[0].state.value == "abandoned"


def test_the_cli_rejects_as_the_accountable_and_refuses_anyone_else(
        team: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from clirun import flywheel

    version = _candidate(team, tmp_path)
    home, db = team.settings.home, team.settings.db
    refused = flywheel(capsys, home, "versions", "reject", version, "--by", "data-engineer",
                       "--reason", "not ready", db=db)
    assert refused.code == 2 and f"{version} is still a candidate" in refused.err
    done = flywheel(capsys, home, "versions", "reject", version, "--by", "data-owner",
                    "--reason", "union report stale", "--json", db=db)
    assert done.code == 0 and done.json()["state"] == "abandoned"
    assert audit_count(team, "version.reject", version) == 1
