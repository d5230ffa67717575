"""`flywheel metrics`: the metric layers of Table 24-15 over a window, from the records.

Each figure comes with its sample count, its median and 90th percentile (its distribution, not
only the mean), and the records at its ends; `--breakdown GROUP` draws each group's value as a bar
beside the others (not `--by`: that option names the acting person in every command);
`--definitions` prints what every metric means (Table 24-16). Reads locally.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.markup import escape

from dataflywheel.cli._context import workspace
from dataflywheel.cli.options import Json
from dataflywheel.cli.output import console, print_json, print_records
from dataflywheel.hookspecs import hookimpl

if TYPE_CHECKING:
    from dataflywheel.metrics.measure import Figure

def metrics(
    ctx: typer.Context,
    layer: Annotated[str | None, typer.Option(
        help="flow_efficiency, quality_stability, collaboration_reliability, model_outcomes or "
             "reuse_value (default: every layer).")] = None,
    breakdown: Annotated[str | None, typer.Option(
        help="Break each figure down by project, priority, kind, source, vendor, annotator, "
             "guide_version, severity, team, week, contract, raci_item, record_kind, "
             "key_metric or question_type (where the metric has that group).")] = None,
    since: Annotated[str | None, typer.Option(
        help="Window start, ISO date or time (default: four weeks before --until).")] = None,
    until: Annotated[str | None, typer.Option(
        help="Window end, exclusive (default: now).")] = None,
    project: Annotated[str | None, typer.Option(
        help="Only this project's records (default: the whole team's).")] = None,
    definitions: Annotated[bool, typer.Option(
        "--definitions", help="Print the metrics' definitions instead of figures.")] = False,
    out: Annotated[Path | None, typer.Option(
        help="Write the figures to FILE instead: .html (a page with the distributions and "
             "breakdowns drawn), .md or .json.")] = None,
    json_: Json = False,
) -> None:
    """The flywheel's metrics over a window: value, distribution, breakdown and example records."""
    from dataflywheel.cli.parsing import parse_time
    from dataflywheel.flows.metrics import definition_list, measure

    if definitions:
        found = definition_list(layer)
        if json_:
            print_json([d.model_dump(mode="json") | {"version": d.version} for d in found])
            return
        for d in found:
            console.print(f"[bold]{d.id}[/] — {escape(d.name)} ({d.layer.value}, {d.unit.value}, "
                          f"{d.indicator.value}, v{d.version})", highlight=False)
            for label, text in (("formula", d.formula), ("source", d.data_source),
                                ("applies to", d.applies_to),
                                ("not for", d.not_applicable_to), ("action", d.action)):
                console.print(f"  {label}: {escape(text)}", highlight=False)
        return
    start, end = parse_time(since, "since"), parse_time(until, "until")
    fmt = None if out is None else _format_of(out)
    with workspace(ctx) as ws:
        answer = measure(ws, layer=layer, by=breakdown, since=start, until=end,
                         project=project)
    if out is not None and fmt is not None:
        from dataflywheel.atomicfile import write_text
        from dataflywheel.reports.render import render

        write_text(out, render(answer, fmt))
        console.print(f"wrote {len(answer.figures)} figures to {out}", highlight=False)
        return
    if json_:
        print_json(answer.model_dump(mode="json"))
        return
    console.print(f"metrics from {answer.since.isoformat(timespec='seconds')} to "
                  f"{answer.until.isoformat(timespec='seconds')}", highlight=False)
    for layer_name in dict.fromkeys(f.layer for f in answer.figures):
        shown = [f for f in answer.figures if f.layer == layer_name]
        print_records([_row(f) for f in shown], title=layer_name.replace("_", " "),
                      columns=["metric", "value", "n", "median", "p90", "examples"])
    for f in answer.figures:
        if f.breakdown:
            _bars(f)


def _row(f: Figure) -> dict[str, object]:
    d = f.distribution
    ends = f.examples.get("failing") or [f.examples[k][0] for k in ("lowest", "highest")
                                          if f.examples.get(k)]
    return {"metric": f.metric, "value": _shown(f.value, f.unit), "n": f.samples,
            "median": _shown(d.median if d else None, f.unit),
            "p90": _shown(d.p90 if d else None, f.unit),
            "examples": ", ".join(dict.fromkeys(ends))}


def _bars(f: Figure) -> None:
    from dataflywheel.reports.figures_text import bar_lines

    console.print(f"[bold]{f.metric}[/] by {f.by}", highlight=False)
    for line in bar_lines(f):
        console.print(escape(line), highlight=False)


def _shown(value: float | None, unit: str) -> str:
    from dataflywheel.reports.figures_text import shown

    return shown(value, unit)


def scorecard(
    ctx: typer.Context,
    before: Annotated[str, typer.Option(
        help="The first period, START..END (ISO dates or times; END exclusive).")],
    after: Annotated[str, typer.Option(help="The second period, START..END.")],
    project: Annotated[str | None, typer.Option(
        help="Only this project's records (default: the whole team's).")] = None,
    json_: Json = False,
) -> None:
    """The Company E scorecard (Table 24-24) for two periods: delivery delay, annotation batch
    pass rate, root-cause localization time, cross-project reuse, onboarding time."""
    from dataflywheel.flows.metrics import compare

    with workspace(ctx) as ws:
        card = compare(ws, before=_period(before, "before"), after=_period(after, "after"),
                       project=project)
    if json_:
        print_json(card.model_dump(mode="json"))
        return
    console.print(f"before {card.before_since:%Y-%m-%d}..{card.before_until:%Y-%m-%d}, after "
                  f"{card.after_since:%Y-%m-%d}..{card.after_until:%Y-%m-%d}", highlight=False)
    for r in card.rows:
        console.print(f"[bold]{r.metric:<30}[/] {_shown(r.before.value, r.before.unit):>7} → "
                      f"{_shown(r.after.value, r.after.unit):>7}  change "
                      f"{_shown(r.change, r.after.unit):>7}  (n {r.before.samples}/"
                      f"{r.after.samples})", highlight=False)
        console.print(f"  {escape(r.label)}; Company E: {escape(r.company_e_before)} → "
                      f"{escape(r.company_e_after)}", highlight=False)


def _format_of(path: Path) -> Literal["markdown", "html", "json"]:
    from dataflywheel.errors import BadInput

    formats: dict[str, Literal["markdown", "html", "json"]] = {
        ".html": "html", ".md": "markdown", ".json": "json"}
    if path.suffix.lower() not in formats:
        raise BadInput("cannot tell the format from the file name", field="out",
                       expected="a name ending in .html, .md or .json", got=str(path))
    return formats[path.suffix.lower()]


def _period(text: str, field: str) -> tuple[datetime, datetime]:
    from dataflywheel.cli.parsing import parse_time
    from dataflywheel.errors import BadInput

    start, sep, end = text.partition("..")
    if not sep or not start or not end:
        raise BadInput("a period is START..END", field=field,
                       expected="e.g. 2026-10-01..2026-11-01", got=text)
    since, until = parse_time(start, field), parse_time(end, field)
    assert since is not None and until is not None
    return since, until


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.command("metrics")(metrics)
    cli.command("scorecard")(scorecard)
