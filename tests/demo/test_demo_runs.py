"""`flywheel demo` runs end to end on a fresh workspace and leaves what it printed in the store."""

from __future__ import annotations

from pathlib import Path

from clirun import flywheel


def test_demo_seeds_the_team_and_passes_raci_check(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "demo"
    result = flywheel(capsys, tmp_path, "demo", "--dir", str(home))
    assert result.code == 0, result.err
    assert "RACI check: OK" in result.out
    assert "flywheel check: 412 records, 2 rejected" in result.out
    assert "chain intact" in result.out
    assert "manifest(s) recomputed from their rows, all match" in result.out
    out = " ".join(result.out.split())
    assert "Proposed cleaned-raw-pool@2.0.0 (breaking)" in out
    assert "manifest digest (the version's identity)" in out
    assert "theme TH-0001 absorbed" in out
    assert "Feedback-loop rate" in out
    people = flywheel(capsys, home, "people", "list", "--json").json()
    roles = {r.split("@")[0] for p in people for r in p["roles"]}
    assert len(roles) == 7
    projects = flywheel(capsys, home, "projects", "list", "--json").json()
    assert {p["name"] for p in projects} == {"K-12 tutor main model", "Oral assessment", "Essay scoring"}
    assert len(flywheel(capsys, home, "vendors", "list", "--json").json()) == 2
