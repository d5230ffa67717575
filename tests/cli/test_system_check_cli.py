"""`flywheel system check|export|report` through the real CLI: an export that checks green, a file
edited after it fails the check with exit 1 naming the rule, results written as JSON and Markdown,
the P10 report printed; bad input exits 2 and writes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from assembly_helpers import consistent_world
from clirun import unwrapped


def test_export_check_and_report(cli: Any, team: Any, tmp_path: Path) -> None:
    consistent_world(team, tmp_path)
    out = tmp_path / "p10"
    done = cli("system", "export", str(out), "--project", "P-TEST")
    assert done.code == 0, done.err
    assert unwrapped(f"wrote 15 deliverables under {out}; consistency check PASS (14/14)") in \
        unwrapped(done.out)
    checked = cli("system", "check", "--project", "P-TEST", "--dir", str(out))
    assert checked.code == 0, checked.out
    assert "PASS: 14/14 checks passed (3 command-level, 11 artifact-level)" in checked.out
    report = cli("system", "report", "--project", "P-TEST")
    assert report.code == 0 and report.out == (out / "data/reports/p10_report.md").read_text()
    as_json = cli("system", "report", "--project", "P-TEST", "--format", "json").json()
    assert as_json["headline"]["stages"] == 5


@pytest.mark.parametrize("backend_url", ["sqlite"], indirect=True)
def test_an_edited_file_fails_the_check_with_exit_1(cli: Any, team: Any, tmp_path: Path) -> None:
    consistent_world(team, tmp_path)
    out = tmp_path / "p10"
    assert cli("system", "export", str(out), "--project", "P-TEST").code == 0
    metrics = out / "data/reports/p10_metrics.json"
    metrics.write_text(metrics.read_text().replace('"runs": 1', '"runs": 7'))
    results = tmp_path / "results"
    failed = cli("system", "check", "--project", "P-TEST", "--dir", str(out), "--write",
                 str(results), "--json")
    assert failed.code == 1
    verdicts = {c["name"]: c["passed"] for c in failed.json()["checks"]}
    assert verdicts["metrics_agree_with_artifacts"] is False
    assert verdicts["audit_chain_verifies"] is True
    written = json.loads((results / "p10_test_results.json").read_text())
    assert written["status"] == "FAIL" and written["failed"] == 1
    assert "| metrics_agree_with_artifacts | artifact | FAIL | runs: p10_metrics.json says 7" in (
        results / "p10_test_report.md").read_text()


@pytest.mark.parametrize("backend_url", ["sqlite"], indirect=True)
def test_a_world_without_a_run_fails_the_export_with_exit_1(cli: Any, team: Any,
                                                          tmp_path: Path) -> None:
    assert cli("system", "plan", "load", "--project", "P-TEST").code == 0
    done = cli("system", "export", str(tmp_path / "p10"), "--project", "P-TEST")
    assert done.code == 1
    assert unwrapped("FAIL flywheel_runs_complete: no run of P-TEST's flywheel is recorded") in \
        unwrapped(done.out)
    assert (tmp_path / "p10/data/reports/p10_test_report.md").is_file()  # written all the same


@pytest.mark.parametrize("backend_url", ["sqlite"], indirect=True)
def test_bad_input_exits_2(cli: Any, team: Any, tmp_path: Path) -> None:
    assert cli("system", "plan", "load", "--project", "P-TEST").code == 0
    missing = cli("system", "check", "--project", "P-TEST", "--dir", str(tmp_path / "none"))
    assert missing.code == 2 and "no such folder" in missing.err
    html = cli("system", "report", "--project", "P-TEST", "--format", "html")
    assert html.code == 2 and "expected markdown or json" in html.err
    unknown = cli("system", "export", str(tmp_path / "x"), "--project", "P-NONE")
    assert unknown.code == 2 and "P-NONE" in unknown.err
    reversed_ = cli("system", "export", str(tmp_path / "x"), "--project", "P-TEST", "--since",
                    "2026-12-02T00:00:00+00:00", "--until", "2026-12-01T00:00:00+00:00")
    assert reversed_.code == 2 and "the window must end after it starts" in reversed_.err
    assert not (tmp_path / "x").exists()
