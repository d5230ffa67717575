"""The Data page's reads: each dataset's versions in timeline order, and a version's quality
reports, the same bytes the batch report route and the version's summary name."""

from __future__ import annotations

from pathlib import Path

from datapool_helpers import deliver_clean, frozen_version, setup_pool

from dataflywheel.flows.data import versions
from dataflywheel.flows.data.dataset_timeline import dataset_timelines
from dataflywheel.flows.data.version_quality import version_quality
from dataflywheel.flows.workspace import Workspace


def test_timeline_puts_frozen_versions_by_number_then_candidates(team: Workspace,
                                                                  tmp_path: Path) -> None:
    frozen = frozen_version(team, tmp_path)
    candidate = versions.create_version(team, "raw-pool", by="data-engineer")
    versions.create_dataset(team, "empty-pool", project_id="P-TEST", owner_id="data-owner")
    [raw, empty] = dataset_timelines(team, "P-TEST")
    assert (raw.dataset.name, [v.id for v in raw.versions]) == ("raw-pool", [frozen, candidate.id])
    assert [v.state.value for v in raw.versions] == ["frozen", "candidate"]
    assert (empty.dataset.name, empty.versions) == ("empty-pool", [])
    assert (raw.total, empty.total) == (2, 0)
    [newest] = dataset_timelines(team, "P-TEST", latest=0)[:1]
    assert ([v.id for v in newest.versions], newest.total) == ([candidate.id], 2)
    assert dataset_timelines(team, "P-NONE") == []


def test_version_quality_reads_each_batch_report_and_the_union_report(team: Workspace,
                                                                      tmp_path: Path) -> None:
    from dataflywheel.checks.report import QualityReport
    from dataflywheel.reports.quality import stored_report_text

    pool = setup_pool(team)
    a = deliver_clean(pool, tmp_path / "a.jsonl", "a", seed=1).batch
    b = deliver_clean(pool, tmp_path / "b.jsonl", "b", seed=2).batch
    version = versions.create_version(team, pool.dataset, by="data-engineer",
                                      batch_ids=[a.id, b.id])
    quality = version_quality(team, version.id)
    with team.db.session() as s:
        stored = {x: QualityReport.model_validate_json(stored_report_text(s, team.blobs, x))
                  for x in (a.id, b.id)}
    assert [(q.batch.id, q.report) for q in quality.batches] == [(a.id, stored[a.id]),
                                                                 (b.id, stored[b.id])]
    assert quality.union is not None and quality.union.records == 40
    assert quality.union.metrics["duplicate_count"] == \
        version.quality_summary["metrics"]["duplicate_count"]
    empty = version_quality(team, versions.create_version(team, pool.dataset,
                                                          by="data-engineer").id)
    assert (empty.union, empty.batches) == (None, [])
