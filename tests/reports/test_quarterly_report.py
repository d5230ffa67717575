"""The quarterly version freeze: the quarter's baselines with their approval, lineage, previous
baseline and known limitations; a baseline frozen without its documentation is the table's
deviation; candidates waiting are listed; the same records give the same bytes; a quarter that
is not YYYY-Qn is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dataflywheel.errors import BadInput
from dataflywheel.flows.cadence import quarterly_report
from dataflywheel.flows.workspace import Workspace
from dataflywheel.reports.render import render

FULL = dict(objective="o", sources=["s"], sample_size=10, cleaning_rules=["c"],
            annotation_standard="a", guide_version="g", quality_summary="q",
            compliance_conclusion="ok", known_defects=["thin on geometry"],
            applicable_scenarios=["tutoring"], inapplicable_scenarios=["evaluation"])


def _versions(ws: Workspace) -> None:
    from dataflywheel.domain.records.data import Datasheet, Dataset, DatasetVersion
    from dataflywheel.domain.states import VersionState
    from dataflywheel.store.repositories.data import Datasets, DatasetVersions

    with ws.db.unit_of_work() as s:  # as the experiment tests' `lab` fixture writes versions
        Datasets(s).add(Dataset(id="gsm", name="gsm", project_id="P-TEST",
                                owner_id="data-owner"))
        for n, (frozen, sheet) in enumerate([(datetime(2026, 8, 1, tzinfo=UTC), FULL),
                                             (datetime(2026, 11, 2, tzinfo=UTC), FULL),
                                             (datetime(2026, 12, 1, tzinfo=UTC),
                                              {"objective": "o"})], start=1):
            DatasetVersions(s).add(DatasetVersion(
                id=f"gsm-v{n}", dataset_id="gsm", number=n, state=VersionState.FROZEN,
                baseline=True, manifest_sha256=f"{n}" * 64, frozen_at=frozen,
                approved_by_id="data-owner", compliance="approved",
                quality_summary={"report_sha256": "a" * 64} if n < 3 else {},
                datasheet=Datasheet(**sheet), created_by_id="data-engineer"))
        DatasetVersions(s).add(DatasetVersion(id="gsm-next", dataset_id="gsm",
                                              created_by_id="data-engineer"))


def test_the_quarters_baselines_and_the_undocumented_one(team: Workspace) -> None:
    _versions(team)
    report = quarterly_report(team, quarter="2026-Q4")
    assert [(b.id, b.previous) for b in report.baselines] == [("gsm-v2", "gsm-v1"),
                                                               ("gsm-v3", "gsm-v2")]
    assert report.baselines[0].known_defects == ["thin on geometry"]
    assert [c.id for c in report.candidates] == ["gsm-next"]
    assert [d.record_id for d in report.deviations] == ["gsm-v3"]
    assert "no quality report" in report.deviations[0].detail
    markdown = render(report, "markdown")
    assert "- Known limitations: thin on geometry; not for evaluation." in markdown
    assert "- Since the previous baseline gsm-v1: added none; removed none." in markdown
    assert render(quarterly_report(team, quarter="2026-Q4"), "markdown") == markdown
    assert [b.id for b in quarterly_report(team, quarter="2026-Q3").baselines] == ["gsm-v1"]


def test_a_bad_quarter_is_refused(team: Workspace, cli) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BadInput, match="not a quarter"):
        quarterly_report(team, quarter="2026-Q5")
    bad = cli("report", "quarterly", "--quarter", "Q4")
    assert bad.code == 2 and "not a quarter" in bad.err
    assert cli("report", "quarterly", "--quarter", "2026-Q1").code == 0
