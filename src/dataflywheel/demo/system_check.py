"""The demo's P10 deliverables (issue 20, P10 §15–§17): export the fifteen files of the demo's
flywheel next to its workspace, print the headline figures they hold, and run the consistency
check on them — green, as every check records its command or rule."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from dataflywheel.demo.system_runs import PROJECT
from dataflywheel.flows.assembly.deliverables import ALL, METRICS
from dataflywheel.flows.assembly.system_check import check, export
from dataflywheel.flows.workspace import Workspace
from dataflywheel.reports.system_artifacts import Headline


def step_system_check(ws: Workspace, console: Console, state: dict[str, str], *,
                      project: str = PROJECT) -> None:
    """Export the deliverables under the demo's home, print the headline, check the files."""
    folder = ws.settings.home / "p10"
    export(ws, project, folder)
    state["p10_folder"] = str(folder)
    h = Headline.model_validate_json((folder / METRICS).read_text(encoding="utf-8"))
    console.print(f"flywheel system export {folder} --project {project}: {len(ALL)} deliverables "
                  "(data/processed, data/console, data/reports)", highlight=False)
    console.print(f"  {h.projects} projects, {h.phases} phases, {h.stages} stages, "
                  f"{h.interfaces} interfaces, checks passed {h.checks_passed}/{h.checks_total}, "
                  f"{h.layers} layers, {h.control_points} control points, {h.boundaries} "
                  "boundaries", highlight=False)
    completion = "—" if h.stage_completion_rate is None else f"{h.stage_completion_rate:.2%}"
    score = "—" if h.average_stage_score is None else f"{h.average_stage_score:.4f}"
    console.print(f"  stage completion {completion}, average stage score {score}, "
                  f"{h.bottlenecks} bottleneck(s), manual review {h.review_hours:.2f} hours, "
                  f"cost {h.review_cost:.2f}", highlight=False)
    results = check(ws, project, folder=folder)
    console.print(f"flywheel system check --project {project} --dir {folder}: "
                  f"{results.status} {results.passed}/{results.total} "
                  f"({results.command_checks} command-level, {results.artifact_checks} "
                  "artifact-level)", highlight=False)
    for c in results.checks:
        mark = "[green]PASS[/]" if c.passed else "[red]FAIL[/]"
        console.print(f"  {mark} {c.name}: {escape(c.detail)}", highlight=False, soft_wrap=True)
