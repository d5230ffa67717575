"""Table 24-13's Quality Target column: the default review thresholds of a batch.

The chapter's SLA framework sets a quality target per kind of data: urgent P0 data needs a
spot-check pass rate above 90 %; routine P1 data an IAA above 0.85 and a pass rate above 95 %;
exploratory P2 data (coarse labels) a pass rate above 80 %; historical remediation must be
"consistent with original version quality". A batch under review is judged by these targets for
its requirement's priority wherever its contract sets no threshold on the same metric (the
contract's explicit threshold wins). Remediation has no number of its own in the table: a
remediation requirement is held to its priority's row, and the row text says what the chapter
asks on top (see `docs/data-pool.md`). Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from dataflywheel.domain.records.demand import Priority

PASS_RATE = "spot_check_pass_rate"
IAA = "agreement_krippendorff_alpha"


@dataclass(frozen=True)
class QualityTarget:
    """One metric bound of Table 24-13 (`metric op value`), with the row it comes from."""

    metric: str
    op: str
    value: float
    row: str

    @property
    def source(self) -> str:
        return f"Table 24-13 default ({self.row})"


# Table 24-13, Quality Target column, cell by cell (data type -> quality target text).
TABLE_24_13_QUALITY: dict[str, str] = {
    "Urgent-demand data (P0)": "Spot-check pass rate > 90%",
    "Routine iteration data (P1)": "IAA > 0.85; pass rate > 95%",
    "Exploratory experimental data (P2)": "Coarse labeling; pass rate > 80%",
    "Historical data remediation": "Consistent with original version quality",
}

ROW_OF_PRIORITY: dict[Priority, str] = {
    Priority.P0: "Urgent-demand data (P0)",
    Priority.P1: "Routine iteration data (P1)",
    Priority.P2: "Exploratory experimental data (P2)",
}

QUALITY_TARGETS: dict[Priority, tuple[QualityTarget, ...]] = {
    Priority.P0: (QualityTarget(PASS_RATE, ">", 0.90, ROW_OF_PRIORITY[Priority.P0]),),
    Priority.P1: (QualityTarget(IAA, ">", 0.85, ROW_OF_PRIORITY[Priority.P1]),
                  QualityTarget(PASS_RATE, ">", 0.95, ROW_OF_PRIORITY[Priority.P1])),
    Priority.P2: (QualityTarget(PASS_RATE, ">", 0.80, ROW_OF_PRIORITY[Priority.P2]),),
}


def default_targets(priority: Priority | str, *,
                    explicit: frozenset[str] | set[str] = frozenset()) -> list[QualityTarget]:
    """The Table 24-13 targets of `priority` on the metrics the contract leaves open."""
    return [t for t in QUALITY_TARGETS[Priority(priority)] if t.metric not in explicit]
