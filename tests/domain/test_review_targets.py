"""The product's copy of Table 24-13's quality targets, held against a transcription of the
chapter's table (ch24, "Table 24-13: SLA Framework Example"), cell by cell."""

from __future__ import annotations

import re

from dataflywheel.domain.policies.review_targets import (
    QUALITY_TARGETS, ROW_OF_PRIORITY, TABLE_24_13_QUALITY, default_targets,
)
from dataflywheel.domain.records.demand import Priority

# Transcribed from the chapter: Data Type | Processing Deadline | Quality Target | Notes
TABLE_24_13 = [
    ("Urgent-demand data (P0)", "Cleaning within 24 h; annotation within 48 h",
     "Spot-check pass rate > 90%", "Requires Data Owner approval to trigger"),
    ("Routine iteration data (P1)",
     "Cleaning within 3 business days; annotation within 5 business days",
     "IAA > 0.85; pass rate > 95%", "Scheduled per weekly plan"),
    ("Exploratory experimental data (P2)",
     "Cleaning within 5 business days; partial annotation permitted",
     "Coarse labeling; pass rate > 80%", "Internal experiments only"),
    ("Historical data remediation", "Assessed by impact scope; maximum 2 weeks",
     "Consistent with original version quality", "Remediation log required"),
]
METRIC_OF = {"spot-check pass rate": "spot_check_pass_rate", "pass rate": "spot_check_pass_rate",
             "iaa": "agreement_krippendorff_alpha"}


def _parse(cell: str) -> list[tuple[str, str, float]]:
    """`IAA > 0.85; pass rate > 95%` -> [(metric, op, fraction)], ignoring text without a bound."""
    out = []
    for part in cell.split(";"):
        m = re.fullmatch(r"\s*(.+?)\s*(>|<|>=|<=)\s*([0-9.]+)(%?)\s*", part)
        if m:
            value = float(m.group(3)) / (100 if m.group(4) else 1)
            out.append((METRIC_OF[m.group(1).lower()], m.group(2), value))
    return out


def test_quality_column_is_the_chapters_cell_for_cell() -> None:
    assert TABLE_24_13_QUALITY == {row[0]: row[2] for row in TABLE_24_13}


def test_targets_are_the_bounds_the_table_states() -> None:
    for priority in Priority:
        row = next(r for r in TABLE_24_13 if r[0] == ROW_OF_PRIORITY[priority])
        expected = sorted(_parse(row[2]))
        got = sorted((t.metric, t.op, t.value) for t in QUALITY_TARGETS[priority])
        assert got == expected, priority
    assert _parse(TABLE_24_13[3][2]) == []  # remediation: no number of its own


def test_an_explicit_contract_threshold_wins() -> None:
    assert [t.metric for t in default_targets("P1")] == ["agreement_krippendorff_alpha",
                                                         "spot_check_pass_rate"]
    assert [t.metric for t in default_targets(Priority.P1,
                                              explicit={"spot_check_pass_rate"})] == [
        "agreement_krippendorff_alpha"]
    assert default_targets("P0")[0].source == "Table 24-13 default (Urgent-demand data (P0))"
