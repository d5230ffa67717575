"""Spot checks through review: the sheet is the stratified sample; reviews (CSV or JSONL, each
with its reviewer) are taken, bad rows rejected by line with the good rows kept; the gates are
re-evaluated against the contract's threshold or the Table 24-13 default of the priority."""

from __future__ import annotations

from pathlib import Path

import pytest
from datapool_helpers import audit_count
from review_helpers import (
    deliver_sft, read_sheet, sft_pool, verdicts, write_reviews_csv, write_reviews_jsonl,
)

from dataflywheel.domain.records.demand import Priority
from dataflywheel.domain.records.issue import Severity
from dataflywheel.domain.states import BatchState
from dataflywheel.errors import Conflict
from dataflywheel.flows.data.batches import get_batch
from dataflywheel.flows.data.reviews import review_sheet, take_reviews
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.reviews import Reviews


def _awaiting(team: Workspace, tmp_path: Path, n: int = 60, **kw: object) -> tuple[str, list]:
    pool = sft_pool(team, **kw)  # type: ignore[arg-type]
    batch = deliver_sft(pool, tmp_path / "b.jsonl", n=n).batch
    assert batch.state is BatchState.AWAITING_REVIEW
    sheet = tmp_path / "sheet.jsonl"
    written = review_sheet(team, batch.id, sheet)
    rows = read_sheet(sheet)
    assert written == len(rows)
    return batch.id, rows


def test_sheet_is_the_delivery_spot_check_sample(team: Workspace, tmp_path: Path) -> None:
    batch_id, rows = _awaiting(team, tmp_path)
    assert len(rows) == 50  # the contract's spotCheckSampleSize, out of 60 records
    assert all(r["verdict"] is None and r["reviewer"] is None for r in rows)
    assert {r["file"] for r in rows} == {"b.jsonl"}
    again = tmp_path / "again.jsonl"
    review_sheet(team, batch_id, again)
    assert again.read_bytes() == (tmp_path / "sheet.jsonl").read_bytes()


def test_all_pass_accepts_the_batch(team: Workspace, tmp_path: Path) -> None:
    batch_id, rows = _awaiting(team, tmp_path)
    path = write_reviews_jsonl(tmp_path / "r.jsonl", verdicts(rows, "quality-evaluator"))
    out = take_reviews(team, batch_id, path)
    assert out.batch.state is BatchState.PASSED and out.issue is None and not out.rejected
    assert len(out.taken) == 50 and out.lacking == []
    assert out.report is not None and out.report.metrics["spot_check_pass_rate"] == 1.0
    batch, _ = get_batch(team, batch_id)
    assert batch.state is BatchState.PASSED
    assert batch.quality_summary["delivery_report_sha256"] != batch.report_sha256
    assert audit_count(team, "batch.passed", batch_id) == 1
    assert audit_count(team, "batch.reviews", batch_id) == 1


def test_failed_review_files_an_issue_at_the_policy_tier(team: Workspace,
                                                         tmp_path: Path) -> None:
    batch_id, rows = _awaiting(team, tmp_path)
    path = write_reviews_csv(tmp_path / "r.csv", verdicts(rows, "quality-evaluator", fail=5))
    out = take_reviews(team, batch_id, path)
    assert out.batch.state is BatchState.FAILED
    # 5 of 50 sampled records failed: 10 % of 60 records non-conforming -> P2 (> 2 %), not P0
    assert out.batch.nonconforming_count == 6
    assert out.issue is not None and out.issue.severity is Severity.P2
    assert "spot_check_pass_rate 0.9 (needs > 0.95" in (out.batch.failure_reason or "")


def test_bad_rows_are_rejected_by_line_and_good_rows_kept(team: Workspace,
                                                          tmp_path: Path) -> None:
    batch_id, rows = _awaiting(team, tmp_path)
    good = verdicts(rows[:10], "quality-evaluator")
    bad = [{"record_id": rows[10]["record_id"], "reviewer": "nobody", "verdict": "pass"},
           {"record_id": "no-such-record", "reviewer": "quality-evaluator", "verdict": "pass"},
           {"record_id": rows[11]["record_id"], "reviewer": "quality-evaluator",
            "verdict": "maybe"},
           good[0]]
    path = tmp_path / "r.jsonl"
    write_reviews_jsonl(path, good + bad)
    with path.open("a", encoding="utf-8") as fh:
        fh.write("{not json\n")
    out = take_reviews(team, batch_id, path)
    assert [(r.line, r.reason) for r in out.rejected] == [
        (11, "reviewer 'nobody' is not a person of this workspace (flywheel people list)"),
        (12, "record 'no-such-record' is not in the review sample"),
        (13, "verdict 'maybe' is not pass or fail"),
        (14, f"quality-evaluator already gave a verdict on record {rows[0]['record_id']!r}"),
        (15, "not valid JSON (Expecting property name enclosed in double quotes)"),
    ]
    assert len(out.taken) == 10
    assert out.batch.state is BatchState.AWAITING_REVIEW
    assert out.lacking == [f"40 of 50 sampled record(s) have no verdict "
                           f"(first: {rows[10]['record_id']})"]
    with team.db.session() as s:
        assert len(Reviews(s).list(batch_id=batch_id)) == 10
    assert team.blobs.exists(out.file_sha256)
    rest = write_reviews_jsonl(tmp_path / "rest.jsonl", verdicts(rows[10:], "data-owner"))
    assert take_reviews(team, batch_id, rest).batch.state is BatchState.PASSED


def test_an_explicit_contract_threshold_wins_over_the_default(team: Workspace,
                                                              tmp_path: Path) -> None:
    from contract_fixtures import contract_text

    # the contract's own bound (> 0 %) wins over Table 24-13's P0 target (> 90 %)
    text = contract_text("sft-instructions").replace("mustBeGreaterThan: 95.0",
                                                    "mustBeGreaterThan: 0.0")
    batch_id, rows = _awaiting(team, tmp_path, contract_text=text, priority=Priority.P0)
    path = write_reviews_jsonl(tmp_path / "r.jsonl", verdicts(rows, "quality-evaluator", fail=10))
    out = take_reviews(team, batch_id, path)
    assert out.batch.state is BatchState.PASSED  # 80 %: > 0 % though not > 90 %
    assert out.report is not None
    assert [(g.metric, g.value) for g in out.report.gates
            if g.metric == "spot_check_pass_rate"] == [("spot_check_pass_rate", 0.0)]


def test_p1_default_iaa_target_judges_reviewers_labels(team: Workspace, tmp_path: Path) -> None:
    batch_id, rows = _awaiting(team, tmp_path)
    first = [r | {"label": ("good" if n % 2 else "bad")}
             for n, r in enumerate(verdicts(rows, "quality-evaluator"))]
    second = [r | {"label": ("bad" if n % 3 else "good")}
              for n, r in enumerate(verdicts(rows, "data-owner"))]
    out = take_reviews(team, batch_id, write_reviews_jsonl(tmp_path / "r.jsonl", first + second))
    assert out.batch.state is BatchState.FAILED
    assert out.report is not None
    iaa = next(g for g in out.report.gates if g.metric == "agreement_krippendorff_alpha")
    assert iaa.source == "Table 24-13 default (Routine iteration data (P1))"
    assert iaa.value == 0.85 and iaa.observed is not None and iaa.observed < 0.85
    assert "Table 24-13 default (Routine iteration data (P1))" in (out.batch.failure_reason or "")


def test_a_batch_not_awaiting_review_takes_none(team: Workspace, tmp_path: Path) -> None:
    batch_id, rows = _awaiting(team, tmp_path)
    path = write_reviews_jsonl(tmp_path / "r.jsonl", verdicts(rows, "quality-evaluator"))
    take_reviews(team, batch_id, path)
    with pytest.raises(Conflict) as info:  # the batch's state: 409 over HTTP, exit 2 locally
        take_reviews(team, batch_id, path)
    assert str(info.value) == (
        f"batch {batch_id} is passed: only a batch awaiting review takes reviews; expected "
        f"state awaiting_review. Kept: nothing was recorded. Next: flywheel batches show "
        f"{batch_id}")


def test_missing_file_and_blank_sheet_change_nothing(team: Workspace, tmp_path: Path) -> None:
    from dataflywheel.errors import NotFound

    batch_id, rows = _awaiting(team, tmp_path)
    with pytest.raises(NotFound) as info:
        take_reviews(team, batch_id, tmp_path / "nope.csv")
    assert str(info.value) == (
        f"{tmp_path / 'nope.csv'}: reviews file not found. Kept: nothing was recorded. "
        "Next: flywheel batches review-sheet ID --out SHEET.jsonl")
    out = take_reviews(team, batch_id, tmp_path / "sheet.jsonl")  # nobody has filled it in
    assert out.taken == [] and out.rejected == [] and out.unreviewed == list(range(1, 51))
    assert out.batch.state is BatchState.AWAITING_REVIEW
    assert out.lacking == [f"50 of 50 sampled record(s) have no verdict "
                           f"(first: {rows[0]['record_id']})"]
    with team.db.session() as s:
        assert Reviews(s).list(batch_id=batch_id) == []
