"""`flywheel system check|export|report`: the assembly layer's consistency check, its fifteen
deliverables and the P10 report (issue 20, P10 §15–§17). Registered into the `system` group by
`cli/system.py`; the flows live in `flows/assembly/system_check.py`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from dataflywheel.cli._context import workspace
from dataflywheel.cli.options import Json, Project
from dataflywheel.cli.output import console, print_json
from dataflywheel.cli.system_runs import FormatOption, Rules, Since, Until, parse_window

Folder = Annotated[Path, typer.Argument(help="Folder the deliverables are written under "
                                             "(data/processed, data/console, data/reports).")]


def check(ctx: typer.Context, project: Project,
          folder: Annotated[Optional[Path], typer.Option(
              "--dir", help="Check the deliverables of an export in this folder (and compare "
                            "them with the records) instead of those the records give now.")] = None,
          write: Annotated[Optional[Path], typer.Option(
              help="Also write p10_test_results.json and p10_test_report.md into this "
                   "folder.")] = None,
          since: Since = None, until: Until = None, rules: Rules = None,
          json_: Json = False) -> None:
    """Run the consistency check: command-level checks (audit chain, objects and manifests,
    control gates) and artifact-level rules across the deliverables; exit 1 naming each check
    that failed. The window defaults to PROJECT's latest recorded run's."""
    from dataflywheel.errors import BadInput
    from dataflywheel.flows.assembly.system_check import check as run_checks

    if folder is not None and not folder.is_dir():
        raise BadInput("no such folder", field="--dir", path=str(folder),
                       expected="a folder `flywheel system export` wrote")
    start, end = parse_window(since, until)
    with workspace(ctx) as ws:
        results = run_checks(ws, project, folder=folder, since=start, until=end, rules=rules,
                             write=write)
    if json_:
        print_json(results.model_dump(mode="json"))
    else:
        _print_results(results)
    if results.status != "PASS":
        raise typer.Exit(1)


def _print_results(results: Any) -> None:
    from rich.markup import escape

    console.print(f"consistency check of {results.plan_project} ({results.source}):",
                  highlight=False)
    for c in results.checks:
        verdict = "[green]PASS[/]" if c.passed else "[red]FAIL[/]"
        console.print(f"  {verdict} {c.name} ({c.level}): {escape(c.detail)}", highlight=False,
                      soft_wrap=True)
    colour = "green" if results.status == "PASS" else "red"
    console.print(f"[{colour}]{results.status}[/]: {results.passed}/{results.total} checks passed "
                  f"({results.command_checks} command-level, {results.artifact_checks} "
                  f"artifact-level)", highlight=False)


def export(ctx: typer.Context, folder: Folder, project: Project, since: Since = None,
           until: Until = None, rules: Rules = None, json_: Json = False) -> None:
    """Write the fifteen deliverables of P10 §17 under FOLDER, the check's results among them;
    the same records give the same bytes. Exit 1 if the check they include failed."""
    from dataflywheel.flows.assembly.deliverables import ALL
    from dataflywheel.flows.assembly.system_check import export as write_all

    start, end = parse_window(since, until)
    with workspace(ctx) as ws:
        results = write_all(ws, project, folder, since=start, until=end, rules=rules)
    if json_:
        print_json({"folder": str(folder), "files": list(ALL), "status": results.status,
                    "passed": results.passed, "total": results.total})
    else:
        console.print(f"wrote {len(ALL)} deliverables under {folder}; consistency check "
                      f"{results.status} ({results.passed}/{results.total})", highlight=False)
        for c in results.checks:
            if not c.passed:
                console.print(f"  [red]FAIL[/] {c.name}: {c.detail}", highlight=False,
                              soft_wrap=True)
    if results.status != "PASS":
        raise typer.Exit(1)


def report(ctx: typer.Context, project: Project, since: Since = None, until: Until = None,
           rules: Rules = None, format_: FormatOption = "markdown") -> None:
    """Print the P10 report of PROJECT's flywheel: headline figures, registry, phases, layers,
    controls, plan, latest run, milestones, bottlenecks, cost, responsibility surfaces."""
    from dataflywheel.errors import BadInput
    from dataflywheel.flows.assembly.deliverables import build, report_text

    if format_ not in ("markdown", "json"):
        raise BadInput("unknown format for the P10 report", field="format",
                       expected="markdown or json", got=format_)
    start, end = parse_window(since, until)
    with workspace(ctx) as ws:
        built = build(ws, project, since=start, until=end, rules=rules)
    console.out(report_text(built, format_), end="", highlight=False)  # type: ignore[arg-type]


def register(app: typer.Typer) -> None:
    """Add `check`, `export` and `report` to the `flywheel system` group."""
    for command in (check, export, report):
        app.command(command.__name__)(command)
