"""`flywheel system plan|run|runs|milestones|bottlenecks|cost|org|dashboard`: the flywheel as a run
system (issue 20, P10 §7, §10, §12, §13, §18, §19) — its stage plan, runs, milestone board,
bottlenecks, cost model, org operating model and executive dashboard. Registered into the
`system` group by `cli/system.py`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from dataflywheel.cli._context import workspace
from dataflywheel.cli.options import Json, MaybeProject, Project
from dataflywheel.cli.output import console, print_json, print_records

Since = Annotated[Optional[str], typer.Option(help="Window start, ISO 8601 (default: a week "
                                                   "before --until, or the last run's end).")]
Until = Annotated[Optional[str], typer.Option(help="Window end, ISO 8601 (default: now).")]
Rules = Annotated[Optional[Path], typer.Option(help="A YAML file of your own bottleneck rules, "
                                                    "added to the shipped ones.")]
FormatOption = Annotated[str, typer.Option("--format", help="markdown, html or json.")]

plan_app = typer.Typer(help="The flywheel's stage plan: stages, gates, owners, milestones.",
                       no_args_is_help=True)


def parse_window(since: str | None, until: str | None) -> tuple[Any, Any]:
    from dataflywheel.cli.parsing import parse_time

    return parse_time(since, "--since"), parse_time(until, "--until")


@plan_app.command("load")
def plan_load(ctx: typer.Context, project: Project,
              path: Annotated[Optional[Path], typer.Argument(
                  help="Plan YAML (default: the plan shipped in the package).")] = None,
              reason: Optional[str] = None, json_: Json = False) -> None:
    """Replace PROJECT's stage plan with a YAML file (validated whole first; nothing changes if it
    is invalid), or with the shipped five-stage plan."""
    from dataflywheel.flows.flywheel.plan import default_plan, load_plan, read_plan_file

    plan = read_plan_file(path) if path is not None else default_plan()
    with workspace(ctx) as ws:
        loaded = load_plan(ws, project, plan, reason=reason or f"loaded from {path or 'default'}")
    if json_:
        print_json(loaded.model_dump(mode="json", exclude_none=True))
        return
    console.print(f"[green]loaded {len(loaded.stages)} stages and {len(loaded.milestones)} "
                  f"milestones into {project}[/]", highlight=False)


@plan_app.command("show")
def plan_show(ctx: typer.Context, project: Project, json_: Json = False) -> None:
    """PROJECT's stages with their gates and owners (the A and R of each stage's RACI item)."""
    from dataflywheel.flows.flywheel.plan import show_plan

    with workspace(ctx) as ws:
        view = show_plan(ws, project)
    if json_:
        print_json(view.model_dump(mode="json"))
        return
    rows = [{"stage": s.name, "gate": s.gate, "raci": s.raci_item,
             "owners": s.problem or ", ".join(dict.fromkeys([s.accountable or "", *s.responsible]))}
            for s in view.stages]
    print_records(rows, columns=["stage", "gate", "raci", "owners"], title=f"plan of {project}")


def run(ctx: typer.Context, project: Project, since: Since = None, until: Until = None,
        reason: Optional[str] = None, json_: Json = False) -> None:
    """Record one run of the flywheel: each stage's status and score from the records of the
    window (audited)."""
    from dataflywheel.flows.flywheel.runs import record_run

    start, end = parse_window(since, until)
    with workspace(ctx) as ws:
        recorded = record_run(ws, project, since=start, until=end, reason=reason)
    if json_:
        print_json(recorded.model_dump(mode="json"))
        return
    _print_run_stages(recorded)
    console.print(f"recorded {recorded.id}: stage completion {recorded.completion_rate:.2%}, "
                  f"average stage score {recorded.average_score:.4f}", highlight=False)


def _print_run_stages(recorded: Any) -> None:
    print_records([{"stage": s.stage, "status": s.status.value, "score": f"{s.score:.4f}",
                    "evidence": s.evidence, "passed/judged": f"{s.passed}/{s.total}"}
                   for s in recorded.stages],
                  columns=["stage", "status", "score", "evidence", "passed/judged"],
                  title=f"{recorded.project_id} {recorded.since:%Y-%m-%d %H:%M} → "
                        f"{recorded.until:%Y-%m-%d %H:%M}")


def runs(ctx: typer.Context, project: MaybeProject = None, json_: Json = False) -> None:
    """The recorded runs, oldest first."""
    from dataflywheel.flows.flywheel.runs import list_runs

    with workspace(ctx) as ws:
        found = list_runs(ws, project)
    if json_:
        print_json([r.model_dump(mode="json") for r in found])
        return
    print_records([{"id": r.id, "project": r.project_id, "since": f"{r.since:%Y-%m-%d %H:%M}",
                    "until": f"{r.until:%Y-%m-%d %H:%M}", "completion": f"{r.completion_rate:.2%}",
                    "score": f"{r.average_score:.4f}"} for r in found],
                  columns=["id", "project", "since", "until", "completion", "score"],
                  title="runs of the flywheel")


def milestones(ctx: typer.Context, project: Project,
               now: Annotated[Optional[str], typer.Option(
                   help="Judge as of this time (ISO 8601; default now).")] = None,
               json_: Json = False) -> None:
    """PROJECT's milestone board: due, done, done late or late, from the records."""
    from dataflywheel.cli.parsing import parse_time
    from dataflywheel.flows.flywheel.runs import board

    with workspace(ctx) as ws:
        found = board(ws, project, now=parse_time(now, "--now"))
    if json_:
        print_json(found.model_dump(mode="json"))
        return
    print_records([{"milestone": r.title, "stage": r.stage, "due": str(r.due),
                    "state": r.state.value, "done on": str(r.done_on or "—"),
                    "evidence": f"{r.evidence}/{r.needed}"} for r in found.rows],
                  columns=["milestone", "stage", "due", "state", "done on", "evidence"],
                  title=f"milestones of {project} ({found.today})")


def bottlenecks(ctx: typer.Context, since: Since = None, until: Until = None, rules: Rules = None,
                json_: Json = False) -> None:
    """The bottlenecks the rules find in the window, most severe first, each with its figure."""
    from dataflywheel.flows.flywheel.views import bottlenecks as find

    start, end = parse_window(since, until)
    with workspace(ctx) as ws:
        _, found = find(ws, since=start, until=end, rules=rules)
    if json_:
        print_json([b.model_dump(mode="json") for b in found])
        return
    print_records([{"name": b.name, "severity": b.severity.value, "project": b.project,
                    "reason": b.reason} for b in found],
                  columns=["name", "severity", "project", "reason"], title="bottlenecks")


def cost(ctx: typer.Context, json_: Json = False) -> None:
    """Manual review hours and cost per project and in total, compute cost where recorded,
    shared interfaces, reuse, leverage and budget shares."""
    from dataflywheel.flows.flywheel.views import cost_model

    with workspace(ctx) as ws:
        model = cost_model(ws)
    if json_:
        print_json(model.model_dump(mode="json"))
        return
    print_records([{"project": p.project, "review h": f"{p.review_hours:.2f}",
                    "review cost": f"{p.review_cost:.2f}",
                    "compute cost": "—" if p.compute_cost is None else f"{p.compute_cost:.2f}",
                    "leverage": f"{p.leverage:.4f}"} for p in model.projects],
                  columns=["project", "review h", "review cost", "compute cost", "leverage"],
                  title="cost model")
    shares = ", ".join(f"{k} {v:.2%}" for k, v in model.budget_shares.items())
    console.print(f"total: {model.total_review_hours:.2f} review hours, cost "
                  f"{model.total_review_cost:.2f}; budget {shares}", highlight=False)


def org(ctx: typer.Context, json_: Json = False) -> None:
    """The responsibility surfaces of the assembly layer and who holds each; gaps are named."""
    from dataflywheel.flows.flywheel.views import org_model

    with workspace(ctx) as ws:
        model = org_model(ws)
    if json_:
        print_json(model.model_dump(mode="json"))
        return
    print_records([{"surface": s.name, "people": ", ".join(s.people) or "NOBODY",
                    "raci items": ", ".join(s.raci_items)} for s in model.surfaces],
                  columns=["surface", "people", "raci items"], title="responsibility surfaces")
    if model.gaps:
        console.print("gaps: " + "; ".join(model.gaps), highlight=False)


def dashboard(ctx: typer.Context, project: Project, since: Since = None, until: Until = None,
              rules: Rules = None, format_: FormatOption = "markdown") -> None:
    """The executive dashboard: health, stages, first bottleneck, regression risk, governance."""
    from dataflywheel.errors import BadInput
    from dataflywheel.flows.flywheel.views import dashboard as build
    from dataflywheel.reports.render import render
    from dataflywheel.reports.spec import FORMATS

    if format_ not in FORMATS:
        raise BadInput("unknown report format", field="format", expected=", ".join(FORMATS),
                       got=format_)
    start, end = parse_window(since, until)
    with workspace(ctx) as ws:
        context = build(ws, project, since=start, until=end, rules=rules)
    console.out(render(context, format_), end="", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(plan_app, name="plan")
    for command in (run, runs, milestones, bottlenecks, cost, org, dashboard):
        app.command(command.__name__)(command)
