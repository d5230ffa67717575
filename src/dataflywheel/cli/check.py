"""`flywheel check FILE... --plan plan.yaml`: run the quality gates on files, outside any workspace.

Exit codes: 0 every gate passed, 1 a gate failed, 2 bad input (plan, file, option).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Self

import typer

from dataflywheel.cli.output import console, err_console
from dataflywheel.hookspecs import hookimpl

if TYPE_CHECKING:
    from dataflywheel.checks.report import QualityReport


def check(
    files: Annotated[
        list[str],
        typer.Argument(help="JSONL (.gz/.zst), Parquet or CSV files, paths or fsspec URLs."),
    ],
    plan: Annotated[Path, typer.Option("--plan", help="Check plan YAML.")],
    engine: Annotated[
        str, typer.Option("--engine", help="local (process pool) or single (this process).")
    ] = "local",
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="Processes for the local engine; default all cores."),
    ] = None,
    json_: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON on stdout.")
    ] = False,
    rejects: Annotated[
        Path | None, typer.Option("--rejects", help="Write every rejected record here (JSONL).")
    ] = None,
    markdown: Annotated[
        Path | None, typer.Option("--markdown", help="Write the report as Markdown here.")
    ] = None,
) -> None:
    """Check files against a plan: schema, duplicates, blanks, characters, length, PII and more.

    Exit 0 when every threshold holds, 1 when a gate fails, 2 on bad input.
    """
    from dataflywheel.checks.engines import run_checks
    from dataflywheel.checks.engines.registry import engine_named
    from dataflywheel.checks.plan import load_plan
    from dataflywheel.checks.report import write_text_atomic

    engine_named(engine, field="--engine")  # before the plan is read
    check_plan = load_plan(plan)
    with _progress() as progress:
        report = run_checks(
            files,
            check_plan,
            engine=engine,
            workers=workers,
            rejects=rejects,
            progress=progress,
        )
    if markdown is not None:
        from dataflywheel.reports.render import render

        write_text_atomic(markdown, render(report, "markdown"))
    if json_:
        console.file.write(report.to_json())
    else:
        _summary(report, rejects)
    if not report.passed:
        raise typer.Exit(1)


class _progress:
    """A rich progress bar on stderr with records/s and MB/s; silent when stderr is no terminal.

    The bar (and its refresh thread) starts at the first report, not on entering: by then the
    local engine has started its helpers, which it forks only while no other thread runs."""

    def __enter__(self) -> Self:
        self.bar: Any = None
        self.start = time.perf_counter()
        return self

    def _open(self) -> Any:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        bar = Progress(
            TextColumn("checking"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
            disable=not err_console.is_terminal,
        )
        self.task = bar.add_task("check", total=None, rate="")
        bar.__enter__()
        return bar

    def __call__(self, done: int, total: int, records: int) -> None:
        if self.bar is None:
            self.bar = self._open()
        elapsed = max(time.perf_counter() - self.start, 1e-9)
        rate = f"{records / elapsed:,.0f} records/s, {done / elapsed / 1e6:,.1f} MB/s"
        self.bar.update(self.task, completed=done, total=total, rate=rate)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _summary(report: QualityReport, rejects: Path | None) -> None:
    verdict = (
        "[green]passed[/]"
        if report.passed
        else f"[red]failed[/] ({len(report.failed_gates)} gate(s))"
    )
    console.print(
        f"{report.plan}: {verdict} — {report.records} records in {len(report.files)} file(s), "
        f"{report.rejected} rejected",
        highlight=False,
        soft_wrap=True,
    )
    rates = [
        (k.removesuffix("_rate"), v)
        for k, v in report.metrics.items()
        if k.endswith("_rate") and "." not in k
    ]
    if rates:
        console.print(
            "  rates: " + ", ".join(f"{k} {v:.2%}" for k, v in rates),
            highlight=False,
            soft_wrap=True,
        )
    for gate in report.gates:
        mark = "[green]pass[/]" if gate.passed else "[red]FAIL[/]"
        console.print(
            f"  {mark} {gate.metric} = {gate.shown} (threshold {gate.op} {gate.value:g})",
            highlight=False,
            soft_wrap=True,
        )
        for ex in gate.examples:
            console.print(
                f"       {ex.file}:{ex.line} id {ex.record_id}: {ex.detail}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
    for warning in report.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)
    for r in report.rejects[:SHOWN_REJECTS]:
        console.print(
            f"  reject {r.file}:{r.line}: {r.reason}", markup=False, highlight=False, soft_wrap=True
        )
    if report.rejected and rejects is not None:
        console.print(
            f"  all {report.rejected} rejects written to {rejects}", highlight=False, soft_wrap=True
        )
    elif report.rejected > SHOWN_REJECTS:
        console.print(
            f"  ({report.rejected - SHOWN_REJECTS} more rejects; write them all with --rejects PATH)",
            highlight=False,
            soft_wrap=True,
        )


SHOWN_REJECTS = 5


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.command("check")(check)
