"""Spot-check reviews are the quality-inspection stage's evidence (issue 20): the run's stage
score is the share of reviews that passed, and the review pass rate is a bottleneck's figure."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from review_helpers import deliver_sft, read_sheet, sft_pool, verdicts, write_reviews_jsonl

from dataflywheel.domain.policies.bottlenecks import Ratio, evaluate, parse_rules
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.flywheel import StageStatus
from dataflywheel.flows.data.reviews import review_sheet, take_reviews
from dataflywheel.flows.flywheel.plan import default_plan, load_plan
from dataflywheel.flows.flywheel.runs import record_run
from dataflywheel.flows.workspace import Workspace
from dataflywheel.reports.system_evidence import bottleneck_facts

HOUR = timedelta(hours=1)


def test_reviews_score_the_inspection_stage_and_feed_the_pass_rate(team: Workspace,
                                                                   tmp_path: Path) -> None:
    load_plan(team, "P-TEST", default_plan())
    start = utcnow() - HOUR
    batch = deliver_sft(sft_pool(team), tmp_path / "b.jsonl", n=60).batch
    review_sheet(team, batch.id, tmp_path / "sheet.jsonl")
    rows = read_sheet(tmp_path / "sheet.jsonl")
    take_reviews(team, batch.id, write_reviews_jsonl(
        tmp_path / "r.jsonl", verdicts(rows, "quality-evaluator", fail=5)))
    end = utcnow() + HOUR
    stages = {s.stage: s for s in record_run(team, "P-TEST", since=start, until=end).stages}
    # 50 sampled records reviewed, 5 failed: 45/50; the batch then failed its spot check
    inspection = stages["quality_inspection"]
    assert (inspection.status, inspection.score, inspection.evidence) == (
        StageStatus.COMPLETED, 0.9, 50)
    ingestion = stages["ingestion"]
    assert (ingestion.status, ingestion.passed, ingestion.total) == (
        StageStatus.IN_PROGRESS, 0, 1)
    with team.db.session() as s:
        facts = bottleneck_facts(s, since=start, until=end, now=utcnow())
    project = next(iter(facts.review_pass))
    assert facts.review_pass == {project: Ratio(45, 50)}
    strict = parse_rules({"rules": [{"name": "verification_gap", "kind": "review_pass_below",
                                     "below": 0.95, "severity": "medium"}]}, source="mine.yaml")
    assert [b.reason for b in evaluate(strict, facts)] == [
        f"{project} review pass rate is 90.00% (45 reviews passed of 50), below 95.00%"]
