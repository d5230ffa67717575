"""`flywheel assess` through the real CLI: Markdown by default, the page and the data on request,
an atomic `--out`, `--require-stage` as a gate (exit 1), and bad input refused (exit 2) naming
what was expected, with nothing written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

AS_OF = "2026-11-30T12:00:00+00:00"


def test_the_assessment_prints_writes_and_gates(cli: Any, team: Any, tmp_path: Path) -> None:
    shown = cli("assess", "--as-of", AS_OF)
    assert shown.code == 0, shown.err
    assert "## Transformation checklist (Table 24-26)" in shown.out
    assert "## Twelve-week pilot roadmap (Table 24-28)" in shown.out
    data = cli("assess", "--as-of", AS_OF, "--format", "json")
    assert data.code == 0, data.err
    body = json.loads(data.out)
    assert body["stage"]["number"] == 1 and len(body["checklist"]) == 10
    assert [w["week"] for w in body["roadmap"]] == list(range(1, 13))
    page = tmp_path / "assessment.html"
    wrote = cli("assess", "--as-of", AS_OF, "--format", "html", "--out", str(page))
    assert wrote.code == 0 and "wrote the self-assessment" in wrote.out
    assert '<table id="checklist">' in page.read_text()
    assert cli("assess", "--as-of", AS_OF, "--require-stage", "1").code == 0
    gated = cli("assess", "--as-of", AS_OF, "--require-stage", "2")
    assert gated.code == 1
    assert "stage 1 (Scripted collaboration) is below the required stage 2" in gated.err


@pytest.mark.parametrize("args, expected", [
    (["--format", "pdf"], "markdown, html, json"),
    (["--require-stage", "5"], "1, 2, 3 or 4"),
    (["--window-days", "3"], "7..3660 days"),
    (["--as-of", "yesterday-ish"], "as_of"),
])
def test_bad_input_exits_2_naming_what_was_expected(cli: Any, team: Any, tmp_path: Path,
                                                    args: list[str], expected: str) -> None:
    out = tmp_path / "never.md"
    got = cli("assess", *args, "--out", str(out))
    assert got.code == 2, got.out
    assert expected in got.err
    assert not out.exists()
