"""The query of the quality report: a delivered batch's stored report, as text and as context."""

from __future__ import annotations

from pathlib import Path

import pytest
from datapool_helpers import deliver_clean, raw_sql, setup_pool

from dataflywheel.errors import NotFound
from dataflywheel.flows.workspace import Workspace
from dataflywheel.reports.quality import batch_quality_report, stored_report_text
from dataflywheel.reports.render import render


def test_the_query_returns_the_report_the_delivery_stored(team: Workspace, tmp_path: Path) -> None:
    delivered = deliver_clean(setup_pool(team), tmp_path / "b.jsonl", "b", seed=3, blank_every=2)
    assert delivered.report is not None
    with team.db.session() as s:
        text = stored_report_text(s, team.blobs, delivered.batch.id)
        report = batch_quality_report(s, team.blobs, delivered.batch.id)
    with team.blobs.open(delivered.batch.report_sha256) as fh:
        assert text.encode("utf-8") == fh.read()
    assert report == delivered.report and render(report, "json") == text
    assert not report.passed and "blank_rate" in render(report, "markdown")


def test_a_batch_still_checking_has_no_report_and_says_so(team: Workspace, tmp_path: Path) -> None:
    delivered = deliver_clean(setup_pool(team), tmp_path / "b.jsonl", "b", seed=3)
    # What a delivery that crashed mid-check leaves behind.
    raw_sql(team, "UPDATE batches SET state = 'checking', report_sha256 = NULL WHERE id = :id",
            id=delivered.batch.id)
    with team.db.session() as s, pytest.raises(NotFound) as raised:
        batch_quality_report(s, team.blobs, delivered.batch.id)
    assert str(raised.value).startswith(
        f"batch {delivered.batch.id} has no quality report yet (state checking)")
