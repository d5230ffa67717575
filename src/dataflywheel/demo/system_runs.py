"""The demo's flywheel run (issue 20): load the shipped five-stage plan into a demo project, record
one run over the demo's records, and print the headline figures this part owns — stages, stage
completion, average stage score, bottlenecks, manual review hours and cost.
"""

from __future__ import annotations

from datetime import timedelta

from rich.console import Console
from rich.markup import escape

from dataflywheel.domain.records.base import utcnow
from dataflywheel.flows.flywheel.plan import default_plan, load_plan
from dataflywheel.flows.flywheel.runs import record_run
from dataflywheel.flows.flywheel.views import bottlenecks, cost_model
from dataflywheel.flows.workspace import Workspace

PROJECT = "P-K12"
HISTORY = timedelta(days=365)  # the run covers the demo's whole history


def step_system_runs(ws: Workspace, console: Console, state: dict[str, str], *,
                     project: str = PROJECT) -> None:
    """Record a run of `project`'s flywheel over the last year and print its headline figures."""
    until = utcnow()
    plan = load_plan(ws, project, default_plan(), reason="demo: the shipped five-stage plan")
    run = record_run(ws, project, since=until - HISTORY, until=until, reason="demo run")
    state["flywheel_run"] = run.id
    console.print(f"flywheel system run --project {project}: {run.id}, {len(plan.stages)} stages",
                  highlight=False)
    for s in run.stages:
        console.print(f"  {s.stage:<19}{s.status.value:<12} score {s.score:.4f} "
                      f"(evidence {s.evidence}, passed {s.passed}/{s.total})", highlight=False)
    console.print(f"stage completion {run.completion_rate:.2%}, average stage score "
                  f"{run.average_score:.4f}", highlight=False)
    _, found = bottlenecks(ws, since=until - HISTORY, until=until)
    console.print(f"bottlenecks: {len(found)}", highlight=False)
    for b in found:
        console.print(escape(f"  [{b.severity.value}] {b.name}: {b.reason}"), highlight=False)
    cost = cost_model(ws)
    console.print(f"manual review: {cost.total_review_hours:.2f} hours, cost "
                  f"{cost.total_review_cost:.2f}", highlight=False)
