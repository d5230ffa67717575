"""The quality report: every metric, every gate with pass/fail and examples, breakdowns, rejects.

Guarantees: `to_json()` is stable (sorted keys, fixed float repr, rejects in input order), so two
engines over the same bytes and plan give byte-identical JSON; every reject (not only the listed
ones) goes to the rejects file through `rejects_jsonl` and `write_text_atomic`. The report is data only: Markdown and HTML for people
are rendered above this layer, by `dataflywheel.reports` (templates/quality.md, quality.html).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from dataflywheel.atomicfile import write_text
from dataflywheel.canonjson import sorted_json
from dataflywheel.checks.base import CheckResult, Example, Reject
from dataflywheel.errors import BadInput

MAX_REJECTS_LISTED = 1000


class FileSummary(BaseModel):
    file: str
    bytes: int
    lines: int
    records: int
    undecodable: int
    empty_lines: int


class GateResult(BaseModel):
    """One threshold of the plan applied to one metric."""

    metric: str
    op: str
    value: float
    observed: float | None
    passed: bool
    source: str | None = None
    note: str | None = None
    examples: list[Example] = Field(default_factory=list)

    @property
    def shown(self) -> str:
        """The observed value for people: `undefined` when the checks could not compute it."""
        return "undefined" if self.observed is None else f"{self.observed:.6g}"


class QualityReport(BaseModel):
    """What the engine says about a batch; the delivery flow stores it as it is."""

    plan: str
    contract: str | None = None
    passed: bool
    files: list[FileSummary]
    records: int
    rejected: int
    metrics: dict[str, float]
    gates: list[GateResult]
    checks: dict[str, CheckResult]
    breakdown_by: str | None = None
    rejects: list[Reject] = Field(default_factory=list, description=f"first {MAX_REJECTS_LISTED}")
    rejects_total: int = 0
    warnings: list[str] = Field(default_factory=list)

    @property
    def failed_gates(self) -> list[GateResult]:
        return [g for g in self.gates if not g.passed]

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_json(self) -> str:
        """Stable JSON: sorted keys, two-space indent, UTF-8 text kept as is."""
        return sorted_json(self.to_dict(), indent=2, ascii=False) + "\n"


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write `text` to `path` (its folder made if missing) through `atomicfile.write_text`; a
    folder or file that cannot be written is bad input naming the path."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_text(target, text)
    except OSError as exc:
        raise BadInput("cannot write output file", path=str(target), got=str(exc)) from None


def rejects_jsonl(rejects: list[Reject]) -> str:
    return "".join(
        sorted_json(r.to_dict(), ascii=False) + "\n" for r in rejects
    )
