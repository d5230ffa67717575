"""Demo step: the flywheel's health from its own records (`flywheel metrics`, `flywheel report
monday`; issue 19).

Everything the earlier steps did — requirements committed and started, batches checked (one
vendor's failed), an issue closed, versions frozen — is already a sample; the step prints the
three computed layers and breaks the quality layer down by vendor, where one vendor stands out,
then this week's Monday sync (the commitment list, returned items, the deviations), sent to its
participants' inboxes, the Wednesday inspection's risk alerts, the Friday and quarterly reports in
a line each, and the Table 24-24 scorecard of the last four weeks against the four before.
"""

from __future__ import annotations

from datetime import timedelta

from rich.console import Console
from rich.markup import escape

from dataflywheel.flows.cadence import (
    friday_report, monday_report, quarterly_report, send, wednesday_report,
)
from dataflywheel.flows.metrics import compare, measure
from dataflywheel.flows.workspace import Workspace
from dataflywheel.metrics.definitions import Layer
from dataflywheel.reports.figures_text import bar_lines, shown
from dataflywheel.reports.render import render


def step_metrics(ws: Workspace, console: Console, state: dict[str, str]) -> None:
    answer = measure(ws, by="vendor")
    console.print(f"flywheel metrics --breakdown vendor (window {answer.since:%Y-%m-%d} → "
                  f"{answer.until:%Y-%m-%d})", highlight=False)
    layer = None
    order = {name: i for i, name in enumerate(Layer)}
    for f in sorted(answer.figures, key=lambda f: order[Layer(f.layer)]):  # stable: defined order
        if f.layer != layer:
            layer = f.layer
            console.print(f"[bold]{layer.replace('_', ' ')}[/]", highlight=False)
        d = f.distribution
        spread = f", median {shown(d.median, f.unit)}, p90 {shown(d.p90, f.unit)}" if d else ""
        console.print(f"  {f.metric:<33}{shown(f.value, f.unit):>7} (n={f.samples}{spread})",
                      highlight=False)
    for f in answer.figures:
        if f.metric in ("batch_pass_rate", "anomaly_rate") and f.breakdown:
            console.print(f"[bold]{f.metric}[/] by vendor", highlight=False)
            for line in bar_lines(f):
                console.print(escape(line), highlight=False)
    state["metrics"] = str(len(answer.figures))
    report = monday_report(ws)
    console.print(f"\nflywheel report monday (week {report.week}):", highlight=False)
    console.out(render(report, "markdown"), end="", highlight=False)
    inspection = wednesday_report(ws)
    console.print(f"\nflywheel report wednesday (week {inspection.week}): "
                  f"{len(inspection.batches)} batches checked, {len(inspection.issues)} quality "
                  f"issues; risk alerts:", highlight=False)
    for alert in inspection.alerts:
        console.print(f"  {alert.kind}: {escape(alert.detail)}", highlight=False)
    for advice in inspection.recommendations:
        console.print(f"  → {advice.metric}: {escape(advice.action)}", highlight=False)
    sent = send(ws, "monday", report)
    console.print(f"flywheel report monday --send: stored as blob {sent.sha256[:16]}…, in the "
                  f"inbox of {', '.join(sent.recipients)}", highlight=False)
    friday = friday_report(ws)
    console.print(f"flywheel report friday: {len(friday.next_week)} improvement item(s), "
                  f"{len(friday.deviations)} blocker(s) nobody owns, {len(friday.themes)} "
                  f"post-mortem theme(s)", highlight=False)
    quarter = quarterly_report(ws)
    console.print(f"flywheel report quarterly ({quarter.quarter}): "
                  + ", ".join(f"baseline {b.label} ({len(b.batches)} batch(es), known "
                              f"limitations: {'; '.join(b.known_defects or []) or 'none'})"
                              for b in quarter.baselines), highlight=False)
    now = answer.until
    card = compare(ws, before=(now - timedelta(weeks=8), now - timedelta(weeks=4)),
                   after=(now - timedelta(weeks=4), now))
    console.print("flywheel scorecard (Table 24-24), the four weeks before against these four:",
                  highlight=False)
    for row in card.rows:
        console.print(f"  {row.metric:<30} {shown(row.before.value, row.before.unit):>7} → "
                      f"{shown(row.after.value, row.after.unit):>7}   Company E: "
                      f"{row.company_e_before} → {row.company_e_after}", highlight=False)


def step_assessment(ws: Workspace, console: Console, state: dict[str, str]) -> None:
    """`flywheel assess`: the checklist judged from everything the demo (and its eight weeks of
    history) recorded, the stage it implies, and the roadmap's weeks checked."""
    from dataflywheel.flows.assess import assess

    found = assess(ws)
    console.print(f"flywheel assess (the {found.window_days} days to {found.as_of:%Y-%m-%d}): "
                  f"stage {found.stage.number} of 4 — {found.stage.stage}", highlight=False)
    for j in found.checklist:
        steps = "■" * j.level + "□" * (3 - j.level)
        console.print(f"  {j.dimension:<24}{steps} {j.level_label}"
                      + (f" — next: {escape(j.next_step)}" if j.next_step else ""),
                      highlight=False)
    for gap in found.stage.gaps:
        console.print(f"  to reach {found.stage.next_stage}: {gap.dimension} needs {gap.needs}",
                      highlight=False)
    answered = sum(q.status.value == "answered" for q in found.questions)
    met = [w.week for w in found.roadmap if w.status.value == "met"]
    console.print(f"Table 24-30: {answered} of {len(found.questions)} questions answered from "
                  f"records; Table 24-28: weeks {', '.join(map(str, met)) or 'none'} met, the "
                  f"rest left to the team's judgement or not yet shown by the records",
                  highlight=False)
    state["stage"] = str(found.stage.number)
