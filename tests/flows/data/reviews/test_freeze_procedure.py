"""The chapter's freeze procedure on the quarterly baseline freeze: a notice to every producer
3 days ahead, a Quality Evaluator's final spot check within 24 h before; either missing refuses
the freeze, naming it; the Accountable may waive both with a reason (audited)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from clirun import unwrapped
from datapool_helpers import FULL_DATASHEET, audit_count, deliver_clean, setup_pool
from review_helpers import read_sheet, verdicts, write_reviews_jsonl

from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.states import VersionState
from dataflywheel.errors import PolicyViolation
from dataflywheel.flows.data import version_release as release
from dataflywheel.flows.data import versions
from dataflywheel.flows.data.freeze_procedure import (
    final_check_sheet,
    issue_notice,
    take_final_check,
)
from dataflywheel.flows.notifications import inbox
from dataflywheel.flows.workspace import Workspace


def _candidate(team: Workspace, tmp_path: Path) -> str:
    pool = setup_pool(team, sensitivity="public")
    a = deliver_clean(pool, tmp_path / "a.jsonl", "a", seed=1).batch
    b = deliver_clean(pool, tmp_path / "b.jsonl", "b", seed=2, n=40).batch
    v = versions.create_version(team, pool.dataset, by="data-engineer", batch_ids=[a.id, b.id])
    versions.set_datasheet(team, v.id, FULL_DATASHEET, by="data-engineer")
    return v.id


def _final_check(team: Workspace, tmp_path: Path, vid: str, *, at: object = None) -> None:
    sheet = tmp_path / "final.jsonl"
    final_check_sheet(team, vid, sheet)
    rows = read_sheet(sheet)
    # stratified by batch, proportional to the records (20 and 40): 17 + 33
    shares = Counter(r["record_id"].split(":")[0] for r in rows)
    assert shares == {"B-0001": 17, "B-0002": 33}
    assert {r["stratum"] for r in rows} == {"B-0001", "B-0002"}
    path = write_reviews_jsonl(tmp_path / "final-r.jsonl", verdicts(rows, "quality-evaluator"))
    taken, rejected, pending = take_final_check(team, vid, path, now=at)  # type: ignore[arg-type]
    assert (taken, rejected, pending) == (50, [], 0)


def test_baseline_freeze_without_notice_or_final_check_is_refused(team: Workspace,
                                                                  tmp_path: Path) -> None:
    vid = _candidate(team, tmp_path)
    with pytest.raises(PolicyViolation) as info:
        release.freeze(team, vid, by="data-owner", baseline=True)
    text = str(info.value)
    assert (f"(g) a freeze notice to every producer at least 3 days before: no freeze notice was "
            f"sent; run flywheel versions notice {vid}") in text
    assert (f"(h) the final spot check completed within 24 h before: 0 of 50 sampled record(s) "
            f"have a Quality Evaluator's verdict from the last 24 h; run flywheel versions "
            f"final-check-sheet {vid} --out SHEET.jsonl") in text
    assert "expected all of the gate conditions (a)-(f) and (r) and the freeze procedure (g)-(h)" in text
    with team.db.session() as s:
        from dataflywheel.store.repositories.data import DatasetVersions

        assert DatasetVersions(s).get(vid).state is VersionState.CANDIDATE


def test_notice_too_recent_is_refused_then_the_procedure_freezes(team: Workspace,
                                                                 tmp_path: Path) -> None:
    vid = _candidate(team, tmp_path)
    now = utcnow()
    sent = issue_notice(team, vid, now=now - timedelta(days=2))
    assert [n.to_person_id for n in sent] == ["data-engineer"]  # who delivered the batches
    assert inbox(team, "data-engineer")[0].kind == "freeze_notice"
    with pytest.raises(PolicyViolation, match=r"\(g\) .*the notice period ends"):
        release.freeze(team, vid, by="data-owner", baseline=True, now=now)
    _final_check(team, tmp_path, vid, at=now + timedelta(hours=23))
    frozen = release.freeze(team, vid, by="data-owner", baseline=True,
                            now=now + timedelta(days=1))
    assert frozen.state is VersionState.FROZEN and frozen.baseline


def test_a_final_check_older_than_24_hours_does_not_count(team: Workspace,
                                                          tmp_path: Path) -> None:
    vid = _candidate(team, tmp_path)
    now = utcnow()
    issue_notice(team, vid, now=now - timedelta(days=4))
    _final_check(team, tmp_path, vid, at=now - timedelta(hours=25))
    with pytest.raises(PolicyViolation, match=r"\(h\) .*0 of 50 sampled record"):
        release.freeze(team, vid, by="data-owner", baseline=True, now=now)


def test_only_quality_evaluators_give_the_final_check(team: Workspace, tmp_path: Path) -> None:
    vid = _candidate(team, tmp_path)
    sheet = tmp_path / "final.jsonl"
    final_check_sheet(team, vid, sheet)
    rows = read_sheet(sheet)
    path = write_reviews_jsonl(tmp_path / "r.jsonl", verdicts(rows[:2], "data-owner")
                               + verdicts(rows[2:], "quality-evaluator"))
    taken, rejected, pending = take_final_check(team, vid, path)
    assert (taken, pending) == (48, 2)
    assert [(r.line, r.reason) for r in rejected] == [
        (1, "data-owner is not a Quality Evaluator (the final spot check is theirs)"),
        (2, "data-owner is not a Quality Evaluator (the final spot check is theirs)")]


def test_the_accountable_may_waive_the_procedure_with_a_reason(team: Workspace,
                                                               tmp_path: Path) -> None:
    vid = _candidate(team, tmp_path)
    with pytest.raises(PolicyViolation, match=r"\(f\) approval by the Accountable"):
        release.freeze(team, vid, by="quality-evaluator", baseline=True,
                       waive_procedure="quarter closes today")
    frozen = release.freeze(team, vid, by="data-owner", baseline=True,
                            waive_procedure="quarter closes today; vendor offline")
    assert frozen.state is VersionState.FROZEN
    assert audit_count(team, "version.freeze_waiver", vid) == 1


def test_a_plain_freeze_is_not_held_to_the_procedure(team: Workspace, tmp_path: Path) -> None:
    vid = _candidate(team, tmp_path)
    assert release.freeze(team, vid, by="data-owner").state is VersionState.FROZEN


def test_procedure_through_the_cli(team: Workspace, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    vid = _candidate(team, tmp_path)
    notice = cli("versions", "notice", vid)
    assert notice.code == 0, notice.err
    assert f"freeze notice for {vid} sent to data-engineer" in " ".join(notice.out.split())
    sheet = tmp_path / "final.jsonl"
    made = cli("versions", "final-check-sheet", vid, "--out", str(sheet))
    assert made.code == 0 and f"50 sampled record(s) of {vid} written" in " ".join(made.out.split())
    rows = verdicts(read_sheet(sheet), "quality-evaluator")
    rows[0]["reviewer"] = "data-owner"
    path = write_reviews_jsonl(tmp_path / "r.jsonl", rows)
    taken = cli("versions", "final-check", vid, str(path))
    assert taken.code == 2
    text = " ".join(taken.out.split())
    assert f"{vid}: 49 verdict(s) taken, 1 sampled record(s) pending" in text
    assert unwrapped(f"{path}:1: rejected: data-owner is not a Quality Evaluator (the final spot "
                     "check is theirs)") in unwrapped(taken.out)
    shown = cli("versions", "show", vid, "--baseline", "--json").json()
    assert [(c["code"], c["met"]) for c in shown["gate"]][-2:] == [("g", False), ("h", False)]
    assert "the notice period ends" in shown["gate"][-2]["problems"][0]
    plain = cli("versions", "show", vid, "--json").json()
    assert [c["code"] for c in plain["gate"]] == ["a", "b", "c", "d", "e", "f", "r"]
    early = cli("freeze", "--baseline", vid, "--by", "data-owner")
    assert early.code == 2
    err = " ".join(early.err.split())
    assert "the notice period ends" in err and "49 of 50 sampled record(s)" in err
