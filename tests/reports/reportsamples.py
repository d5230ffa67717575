"""A quality report built by hand that reaches every section and every escape of the renderers."""

from __future__ import annotations

from dataflywheel.checks.base import CheckResult, Example, Reject
from dataflywheel.checks.report import FileSummary, GateResult, QualityReport


def full_report() -> QualityReport:
    """Contract, a failed gate with examples, an undefined gate, a breakdown, more rejects than
    listed, warnings, and cells holding `|`, newlines, `<`, `&` and non-ASCII text."""
    example = Example(file="a|b.jsonl", line=3, record_id="r<3>", detail="dup of\nline 1 & 2")
    dup = CheckResult(check="exact_duplicates", metrics={"duplicate_rate": 0.25},
                      breakdown={"b": {"duplicate_rate": 0.5}, "a": {"duplicate_rate": 0.0}})
    blank = CheckResult(check="blank", metrics={"blank_rate": 1 / 3},
                        breakdown={"B": {"blank_rate": 1.0}, "a": {"blank_rate": 0.125}})
    return QualityReport(
        plan="demo <plan>", contract="orders-v1.2", passed=False,
        files=[FileSummary(file="a|b.jsonl", bytes=1234, lines=8, records=8, undecodable=1,
                           empty_lines=0),
               FileSummary(file="数据.jsonl", bytes=10, lines=1, records=1, undecodable=0,
                           empty_lines=1)],
        records=9, rejected=3,
        metrics={"duplicate_rate": 0.25, "blank_rate": 1 / 3, "record_count": 9.0,
                 "pii_rate": 1.5e-07, "length.text.p50": 1234567.0},
        gates=[GateResult(metric="duplicate_rate", op="<=", value=0.1, observed=0.25,
                          passed=False, examples=[example]),
               GateResult(metric="blank_rate", op="<", value=0.5, observed=1 / 3, passed=True),
               GateResult(metric="agreement_krippendorff_alpha", op=">", value=0.85,
                          observed=None, passed=False, note="undefined for this batch")],
        checks={"exact_duplicates": dup, "blank": blank},
        breakdown_by="source",
        rejects=[Reject(file="a|b.jsonl", line=2, reason="invalid JSON: <eof>"),
                 Reject(file="数据.jsonl", line=1, reason="blank", record_id="x|y")],
        rejects_total=3,
        warnings=["near-duplicates skipped:\nno text field"],
    )


def bare_report() -> QualityReport:
    """No contract, no gates, no breakdown, no rejects, no warnings: every optional part absent."""
    return QualityReport(plan="bare", passed=True, files=[], records=0, rejected=0, metrics={},
                         gates=[], checks={})
