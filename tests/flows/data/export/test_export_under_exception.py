"""A failed batch covered by a quality exception: the freeze gate admits it, the version is
labelled experimental (record, card, Croissant); once the exception expires the batch is
blocked again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from export_helpers import DATASHEET, deliver_rows, rows, setup

from dataflywheel.errors import PolicyViolation
from dataflywheel.flows.governance import exceptions as ex
from dataflywheel.flows.workspace import Workspace


def test_quality_exception_freezes_experimental_and_expiry_blocks_again(
        team: Workspace, tmp_path: Path) -> None:
    from dataflywheel.flows.data import versions as flows
    from dataflywheel.flows.data.export import export_version
    from dataflywheel.flows.data.version_release import freeze

    requirement = setup(team)
    good = deliver_rows(team, tmp_path / "a.jsonl", rows("a", 20, 1), requirement=requirement)
    blanks = [dict(r, content="  ") if i % 3 == 0 else r for i, r in enumerate(rows("c", 12, 3))]
    bad = deliver_rows(team, tmp_path / "c.jsonl", blanks, requirement=requirement)
    assert (good.state.value, bad.state.value) == ("passed", "failed")
    with pytest.raises(PolicyViolation):
        flows.create_version(team, "raw-pool", by="data-engineer", batch_ids=[good.id, bad.id])
    now = datetime.now(UTC)
    rec = ex.request(team, ex.ExceptionRequest(
        type="quality", scope=f"blank-heavy {bad.id}", reason="needed for a probe run",
        usage_restriction="exploratory experiments only", isolation_label="experimental",
        outstanding_checks=["blanks"], expires_at=now + timedelta(days=1), batch_ids=[bad.id],
        project_id="P-TEST"), requested_by="data-engineer", now=now)
    ex.approve(team, rec.id, approver="data-owner", now=now)
    ex.approve(team, rec.id, approver="algorithm-engineer", now=now)
    version = flows.create_version(team, "raw-pool", by="data-engineer",
                                   batch_ids=[good.id, bad.id])
    flows.set_datasheet(team, version.id, DATASHEET, by="data-engineer")
    frozen = freeze(team, version.id, by="data-owner")
    assert frozen.experimental
    export_version(team, version.id, format="hf", out=tmp_path / "hf")
    assert "**Experimental:**" in (tmp_path / "hf" / "README.md").read_text()
    export_version(team, version.id, format="croissant", out=tmp_path / "cr",
                   license="CC-BY-4.0")
    assert "experimental: frozen under a quality exception" in (
        tmp_path / "cr" / "croissant.json").read_text()
    assert ex.sweep_expired(team, now + timedelta(days=2)) == [rec.id]
    with pytest.raises(PolicyViolation, match=f"batch {bad.id} is failed"):
        flows.create_version(team, "raw-pool", by="data-engineer", batch_ids=[bad.id])
