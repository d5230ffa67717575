"""Markdown rendering of a `QualityReport` for people (the JSON is the record)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dataflywheel.checks.report import QualityReport


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.6g}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: QualityReport) -> str:
    lines = [f"# Quality report: {report.plan}", ""]
    if report.contract:
        lines += [f"Contract: `{report.contract}`", ""]
    verdict = "PASSED" if report.passed else f"FAILED ({len(report.failed_gates)} gate(s))"
    lines += [f"**{verdict}** — {report.records} records, {report.rejected} rejected", ""]
    lines += [
        "## Files",
        "",
        "| file | bytes | lines | records | undecodable | empty lines |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {_cell(f.file)} | {f.bytes} | {f.lines} | {f.records} | {f.undecodable} | {f.empty_lines} |"
        for f in report.files
    ]
    lines += ["", "## Gates", ""]
    if report.gates:
        lines += ["| metric | threshold | observed | result |", "|---|---|---|---|"]
        for g in report.gates:
            result = "pass" if g.passed else "**FAIL**"
            lines.append(f"| {g.metric} | {g.op} {_num(g.value)} | {g.shown} | {result} |")
        for g in report.failed_gates:
            if g.examples:
                lines += ["", f"### Examples for {g.metric}", ""]
                lines += [
                    f"- {_cell(e.file)}:{e.line} (id {_cell(e.record_id)}): {_cell(e.detail)}"
                    for e in g.examples
                ]
    else:
        lines.append("No thresholds in the plan.")
    lines += ["", "## Metrics", "", "| metric | value |", "|---|---|"]
    lines += [f"| {name} | {_num(v)} |" for name, v in sorted(report.metrics.items())]
    lines += _breakdown(report)
    lines += _rejects(report)
    if report.warnings:
        lines += ["", "## Warnings", ""] + [f"- {_cell(w)}" for w in report.warnings]
    return "\n".join(lines) + "\n"


def _breakdown(report: QualityReport) -> list[str]:
    rows = [
        (check, group, metric, value)
        for check, result in sorted(report.checks.items())
        for group, metrics in sorted(result.breakdown.items())
        for metric, value in sorted(metrics.items())
    ]
    if not rows:
        return []
    out = [
        "",
        f"## Breakdown by {report.breakdown_by}",
        "",
        "| group | metric | value |",
        "|---|---|---|",
    ]
    out += [f"| {_cell(g)} | {m} | {_num(v)} |" for _, g, m, v in rows]
    return out


def _rejects(report: QualityReport) -> list[str]:
    if not report.rejects_total:
        return []
    out = [
        "",
        f"## Rejects ({report.rejects_total})",
        "",
        "| file | line | record | reason |",
        "|---|---|---|---|",
    ]
    out += [
        f"| {_cell(r.file)} | {r.line} | {_cell(r.record_id or '')} | {_cell(r.reason)} |"
        for r in report.rejects
    ]
    if report.rejects_total > len(report.rejects):
        out += ["", f"({report.rejects_total - len(report.rejects)} more in the rejects file)"]
    return out
