"""`flywheel batches review-sheet` and `flywheel batches review`: exit codes and messages."""

from __future__ import annotations

from pathlib import Path

from clirun import unwrapped
from review_helpers import deliver_sft, read_sheet, sft_pool, verdicts, write_reviews_csv

from dataflywheel.flows.workspace import Workspace


def test_sheet_then_reviews_accept_the_batch(team: Workspace, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    batch = deliver_sft(sft_pool(team), tmp_path / "b.jsonl").batch
    listed = cli("batches", "list", "--state", "awaiting_review", "--json").json()
    assert [b["id"] for b in listed] == [batch.id]
    sheet = tmp_path / "sheet.jsonl"
    made = cli("batches", "review-sheet", batch.id, "--out", str(sheet))
    assert made.code == 0, made.err
    assert f"30 sampled record(s) of {batch.id} written" in " ".join(made.out.split())
    rows = verdicts(read_sheet(sheet), "quality-evaluator")
    rows.append({"record_id": rows[0]["record_id"], "reviewer": "ghost", "verdict": "pass"})
    path = write_reviews_csv(tmp_path / "r.csv", rows)
    result = cli("batches", "review", batch.id, str(path))
    assert result.code == 2  # one row rejected; the 30 good ones were kept
    text = " ".join(result.out.split())
    assert f"{batch.id}: 30 review(s) taken; state passed" in text
    assert unwrapped(f"{path}:32: rejected: reviewer 'ghost' is not a person of this workspace "
                     "(flywheel people list)") in unwrapped(result.out)


def test_failed_review_exits_1_and_names_the_issue(team: Workspace, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    batch = deliver_sft(sft_pool(team), tmp_path / "b.jsonl").batch
    sheet = tmp_path / "sheet.jsonl"
    cli("batches", "review-sheet", batch.id, "--out", str(sheet))
    path = write_reviews_csv(tmp_path / "r.csv", verdicts(read_sheet(sheet), "quality-evaluator",
                                                         fail=3))
    result = cli("batches", "review", batch.id, str(path), "--json")
    assert result.code == 1
    data = result.json()
    assert data["state"] == "failed" and data["issue"] is not None and data["rejected"] == []


def test_sheet_of_a_passed_batch_is_refused(team: Workspace, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from datapool_helpers import deliver_clean, setup_pool

    good = deliver_clean(setup_pool(team), tmp_path / "g.jsonl", "g", seed=1).batch
    result = cli("batches", "review-sheet", good.id, "--out", str(tmp_path / "s.jsonl"))
    assert result.code == 2
    assert f"batch {good.id} is passed: only a batch awaiting review takes reviews" in \
        " ".join(result.err.split())
    assert not (tmp_path / "s.jsonl").exists()


def test_deliver_awaiting_review_exits_0_with_the_next_command(team: Workspace, cli,  # type: ignore[no-untyped-def]
                                                               tmp_path: Path) -> None:
    from datapool_helpers import write_jsonl
    from review_helpers import SFT, sft_rows

    pool = sft_pool(team)
    path = write_jsonl(tmp_path / "b.jsonl", sft_rows(20))
    result = cli("deliver", str(path), "--dataset", pool.dataset, "--contract", SFT,
                 "--requirement", pool.requirement, "--from", "annotation-engineer",
                 "--engine", "single")
    assert result.code == 0, result.err
    text = " ".join(result.out.split())
    assert "B-0001 awaiting_review" in text
    assert "awaiting review: spot_check_pass_rate (needs > 0.95)" in text
    assert "Next: flywheel batches review-sheet B-0001 --out SHEET.jsonl" in text
