"""`flywheel feedback ingest|import-eval|import-predictions|list|rejections|route|rules|triage|
themes|prioritise|promote|absorb|metrics`.

With `FLYWHEEL_SERVER` set, the commands that change state act through the team server
(`cli.remote`): the files they name (events, results, `--rules`, `--weights`) are read here and
sent in the request, and the answer is printed as a local run prints. Reads stay local.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from dataflywheel.cli._context import workspace
from dataflywheel.cli.options import All, Cursor, Json, Limit, Priority
from dataflywheel.cli.output import console, err_console, print_done, print_json, print_records
from dataflywheel.cli.paging import show_list
from dataflywheel.cli.remote import ServerClient, server_of
from dataflywheel.hookspecs import hookimpl

app = typer.Typer(help="Feedback reflux: events, routing, themes, priorities.", no_args_is_help=True)
rules_app = typer.Typer(help="Routing rules.", no_args_is_help=True)
triage_app = typer.Typer(help="The triage queue of unroutable events.", no_args_is_help=True)
themes_app = typer.Typer(help="Themes: clusters of routed events.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
app.add_typer(triage_app, name="triage")
app.add_typer(themes_app, name="themes")

RulesFile = Annotated[Path | None, typer.Option("--rules", help="Routing rule YAML (default: "
                                                   "<workspace>/routing.yaml, else the built-in rules).")]
WeightsFile = Annotated[Path | None, typer.Option("--weights", help="Leverage weights YAML.")]
EVENT_COLUMNS = ["id", "state", "source", "failure_type", "project_id", "route_rule", "theme_id",
                 "triage_reason"]


def _ingested(json_: bool, data: dict[str, Any]) -> None:
    if json_:
        print_json(data)
        return
    if data.get("resumed_after_line"):
        console.print(f"resumed after line {data['resumed_after_line']}: an earlier ingest of this "
                      "file stopped there, its lines are stored", highlight=False)
    console.print(
        f"[green]{data.get('received', 0)} received[/], {data.get('triaged', 0)} to triage, "
        f"{data.get('duplicates', 0)} already stored, "
        f"{'[red]' if data.get('rejected') else ''}{data.get('rejected', 0)} rejected"
        f"{'[/]' if data.get('rejected') else ''} from {data['origin']}", highlight=False)
    for r in data.get("rejections", [])[:20]:
        console.print(f"  line {r['line']}: {r['reason']}", highlight=False, markup=False)
    if data.get("rejected"):
        console.print("  (all kept: flywheel feedback rejections)", highlight=False)
    for warning in data.get("warnings", []):
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)


@app.command("ingest")
def ingest(ctx: typer.Context, path: Path, json_: Json = False) -> None:
    """Ingest feedback events from a JSONL file (one event per line)."""
    from dataflywheel.flows.feedback.ingest import ingest_jsonl

    client = server_of(ctx)
    if client is not None:
        _ingested(json_, _upload(client, "/api/v1/feedback/events/jsonl", path, {}))
        return
    with workspace(ctx) as ws:
        _ingested(json_, ingest_jsonl(ws, path).to_dict())


def _upload(client: ServerClient, route: str, path: Path, params: dict[str, Any]) -> Any:
    """Send a local file as the body of `route` (its name and the query `params` alongside)."""
    from dataflywheel.errors import BadInput, NotFound

    if not path.is_file():
        raise NotFound("file not found", path=str(path), kept="nothing was sent",
                       hint="check the path and retry")
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"cannot read the file ({exc.strerror})", path=str(path)) from None
    query = {"name": path.name, **{k: v for k, v in params.items() if v is not None}}
    return client.call("POST", route, content=content, params=query,
                       headers={"content-type": "application/x-ndjson"})


def _file_time(path: Path) -> str | None:
    """The file's modification time, the events' default time locally, sent to the server."""
    from dataflywheel.integrations.evalresults import file_time

    return file_time(path).isoformat() if path.is_file() else None


@app.command("import-eval")
def import_eval(ctx: typer.Context, path: Path,
                project: Annotated[str | None, typer.Option(help="Project the results belong to.")] = None,
                experiment: Annotated[str | None, typer.Option(help="Experiment id to link.")] = None,
                json_: Json = False) -> None:
    """Import per-item evaluation results (GSM8K model-solutions shape): wrong answers → events."""
    from dataflywheel.flows.feedback.feedback_import import import_eval_results

    client = server_of(ctx)
    if client is not None:
        _imported(json_, _upload(client, "/api/v1/feedback/import-eval", path, {
            "project": project, "experiment": experiment, "occurred_at": _file_time(path)}))
        return
    with workspace(ctx) as ws:
        summary = import_eval_results(ws, path, project_id=project, experiment_id=experiment)
    _imported(json_, summary.to_dict())


@app.command("import-predictions")
def import_predictions(
    ctx: typer.Context, path: Path,
    project: Annotated[str | None, typer.Option(help="Project the predictions belong to.")] = None,
    model: Annotated[str | None, typer.Option(help="Model name (default: from the file name).")] = None,
    flag_below: Annotated[str, typer.Option(help="Ratings worse than this become events.")] = "B",
    json_: Json = False,
) -> None:
    """Import model predictions with ratings (self-instruct shape); low ratings → events."""
    from dataflywheel.flows.feedback.feedback_import import import_predictions as run_import

    client = server_of(ctx)
    if client is not None:
        _imported(json_, _upload(client, "/api/v1/feedback/import-predictions", path, {
            "project": project, "model": model, "flag_below": flag_below,
            "occurred_at": _file_time(path)}))
        return
    with workspace(ctx) as ws:
        summary = run_import(ws, path, project_id=project, model=model, flag_below=flag_below)
    _imported(json_, summary.to_dict())


def _imported(json_: bool, data: dict[str, Any]) -> None:
    if not json_:
        labels = ", ".join(f"{k} {v}" for k, v in data["labels"].items())
        console.print(f"{data['lines']} lines, {data['items_checked']} items checked ({labels}), "
                      f"{data['flagged']} flagged", highlight=False)
    _ingested(json_, data)


@app.command("list")
def list_(ctx: typer.Context, state: str | None = None, project: str | None = None,
          limit: Limit = None, cursor: Cursor = None, all_: All = False,
          json_: Json = False) -> None:
    """Feedback events, optionally in one state or of one project, a page at a time."""
    from dataflywheel.flows.feedback.listing import events

    with workspace(ctx) as ws:
        show_list(ctx, events(ws, state=state or None, project_id=project or None),
                  row=lambda e: e.model_dump(mode="json"), columns=EVENT_COLUMNS, json_=json_,
                  limit=limit, cursor=cursor, all_=all_)


@app.command("rejections")
def rejections(ctx: typer.Context, origin: str | None = None, limit: Limit = None,
               cursor: Cursor = None, all_: All = False, json_: Json = False) -> None:
    """Input that could not become an event, with the reason (raw bytes are in the blob store)."""
    from dataflywheel.flows.feedback.listing import rejections as listing

    with workspace(ctx) as ws:
        show_list(ctx, listing(ws, origin=origin or None),
                  row=lambda r: r.model_dump(mode="json", exclude={"excerpt"}),
                  columns=["id", "origin", "line", "reason", "field", "raw_size", "raw_sha256"],
                  json_=json_, limit=limit, cursor=cursor, all_=all_)


@app.command("route")
def route(ctx: typer.Context,
          explain: Annotated[str | None, typer.Option("--explain", metavar="EVENT",
                                                         help="Show how one event would be routed.")] = None,
          rules: RulesFile = None, json_: Json = False) -> None:
    """Route every received or triaged event (or, with --explain, show why one goes where)."""
    from dataflywheel.flows.feedback.routing import load_rules, route_pending

    client = server_of(ctx) if not explain else None
    if client is not None:
        body = {} if rules is None else {"rules": _text(rules, "routing rule file"),
                                         "rules_source": str(rules)}
        report = client.call("POST", "/api/v1/feedback/route", json=body)
    else:
        with workspace(ctx) as ws:
            rule_set = load_rules(ws, rules)
            if explain:
                _explain(ws, explain, rule_set, json_)
                return
            report = route_pending(ws, rules=rule_set).to_dict()
    if json_:
        print_json(report)
        return
    console.print(f"[green]{report['routed']} routed[/], {report['triaged']} in triage", highlight=False)
    for rule, ids in report["by_rule"].items():
        console.print(f"  {rule}: {len(ids)}", highlight=False)


def _explain(ws: Any, event_id: str, rule_set: Any, json_: bool) -> None:
    from dataflywheel.flows.feedback.routing import explain, explain_dict

    result = explain(ws, event_id, rules=rule_set)
    data = explain_dict(result, rule_set)
    if json_:
        print_json(data)
        return
    for trial in data["trials"]:
        mark = "[green]✓ matched[/]" if trial["matched"] else "[dim]✗[/]"
        console.print(f"{mark} {trial['rule']}", highlight=False)
        for c in trial["conditions"]:
            console.print(f"    {'✓' if c['held'] else '✗'} {c['detail']}", highlight=False, markup=False)
    colour = "green" if result.state.value == "routed" else "yellow"
    console.print(f"[{colour}]{event_id} → {result.state.value}[/] "
                  f"{result.project_id or ''} {result.stage_id or ''}: {result.reason}", highlight=False)


@rules_app.command("check")
def rules_check(ctx: typer.Context, rules: RulesFile = None, json_: Json = False) -> None:
    """Check the rules against the stored events: rules that match nothing, shadowed, bad targets."""
    from dataflywheel.flows.feedback.routing import check_rules, load_rules, rules_checked

    with workspace(ctx) as ws:
        rule_set = load_rules(ws, rules)
        checked = rules_checked(rule_set, check_rules(ws, rules=rule_set))
    if json_:
        print_json(checked)
    else:
        print_records(checked["rules"], columns=["rule", "decides", "matches", "problems"],
                      title=rule_set.source)
    if any(row["problems"] for row in checked["rules"]):
        raise typer.Exit(1)


@rules_app.command("show")
def rules_show(ctx: typer.Context, rules: RulesFile = None, json_: Json = False) -> None:
    """The rules in force, in order."""
    from dataflywheel.flows.feedback.routing import load_rules, rules_shown

    with workspace(ctx) as ws:
        shown = rules_shown(load_rules(ws, rules))
    if json_:
        print_json(shown)
        return
    for row in shown["rules"]:
        target = row.get("route") or {"forward": row.get("forward")}
        console.print(f"[bold]{row['name']}[/] when {row.get('when', {})} → {target}", highlight=False)


@triage_app.command("list")
def triage_list(ctx: typer.Context, limit: Limit = None, cursor: Cursor = None, all_: All = False,
                json_: Json = False) -> None:
    """Events waiting for a person to route them, with the reason."""
    from dataflywheel.flows.feedback.listing import triage

    with workspace(ctx) as ws:
        show_list(ctx, triage(ws), row=lambda e: e.model_dump(mode="json"),
                  columns=["id", "failure_type", "reported_project_id", "triage_reason"],
                  json_=json_, limit=limit, cursor=cursor, all_=all_)


@triage_app.command("assign")
def triage_assign(ctx: typer.Context, event_id: Annotated[str, typer.Argument(metavar="EVENT")],
                  project: Annotated[str, typer.Option(help="Project to route to.")],
                  reason: Annotated[str, typer.Option(help="Why (kept in the audit log).")],
                  stage: str | None = None, json_: Json = False) -> None:
    """Route one event from the triage queue by hand."""
    from dataflywheel.domain.records.feedback import FeedbackEvent
    from dataflywheel.flows.feedback.routing import assign

    client = server_of(ctx)
    if client is not None:
        event = FeedbackEvent.model_validate(client.call(
            "POST", f"/api/v1/feedback/events/{event_id}/assign",
            json={"project": project, "stage": stage, "reason": reason}))
    else:
        with workspace(ctx) as ws:
            event = assign(ws, event_id, project_id=project, stage_id=stage, reason=reason)
    print_done(json_, event.model_dump(mode="json"), f"{event.id} routed to {event.project_id}")


@themes_app.command("form")
def themes_form(ctx: typer.Context,
                threshold: Annotated[float, typer.Option(help="Cosine similarity to join a theme.")] = 0.25,
                json_: Json = False) -> None:
    """Cluster routed events into themes (joining the themes of earlier ingests)."""
    from dataflywheel.flows.feedback.themes import form_themes

    client = server_of(ctx)
    if client is not None:
        report = client.call("POST", "/api/v1/feedback/themes/form", json={"threshold": threshold})
    else:
        with workspace(ctx) as ws:
            report = form_themes(ws, threshold=threshold).to_dict()
    print_done(json_, report, f"{sum(report['events_by_theme'].values())} events themed; "
               f"{len(report['created'])} new themes, {len(report['recurring'])} recurring")


@themes_app.command("list")
def themes_list(ctx: typer.Context, state: str | None = None, project: str | None = None,
                limit: Limit = None, cursor: Cursor = None, all_: All = False,
                json_: Json = False) -> None:
    """Themes by id (oldest first; `feedback prioritise` ranks them), a page at a time, each
    with its weekly trend."""
    from dataflywheel.flows.feedback.themes import themes

    def row(view: Any) -> dict[str, Any]:
        data: dict[str, Any] = view.to_dict()
        if not json_:
            data["trend"] = _spark([w["events"] for w in data["weekly"]])
        return data

    with workspace(ctx) as ws:
        show_list(ctx, themes(ws, state=state or None, project_id=project or None), row=row,
                  columns=["id", "state", "event_count", "trend", "leverage_score", "title"],
                  json_=json_, limit=limit, cursor=cursor, all_=all_)


@themes_app.command("show")
def themes_show(ctx: typer.Context, theme_id: Annotated[str, typer.Argument(metavar="THEME")],
                json_: Json = False) -> None:
    """One theme: counts, weekly trend, representative examples, what it became."""
    from dataflywheel.flows.feedback.themes import theme_views

    with workspace(ctx) as ws:
        [view] = theme_views(ws, theme_id=theme_id)
    data = view.to_dict()
    if json_:
        print_json(data)
        return
    console.print(f"[bold]{data['id']}[/] {data['title']} ({data['state']})", highlight=False)
    console.print(f"events {data['event_count']}, recurrences {data['recurrences']}, "
                  f"leverage {data['leverage_score']}", highlight=False)
    peak = max((w["events"] for w in data["weekly"]), default=0) or 1
    for w in data["weekly"]:
        console.print(f"  {w['week']} {'█' * round(20 * w['events'] / peak):<20} {w['events']}",
                      highlight=False)
    for ex in data["examples"]:
        console.print(f"  • {ex['id']}: {ex['text'][:160]!r}", highlight=False, markup=False)


@themes_app.command("queue")
def themes_queue(ctx: typer.Context, theme_id: Annotated[str, typer.Argument(metavar="THEME")],
                 reason: Annotated[str, typer.Option(help="Why it waits.")], json_: Json = False) -> None:
    """Queue a theme for a later round, with the reason."""
    _decide(ctx, theme_id, reason, decline=False, json_=json_)


@themes_app.command("decline")
def themes_decline(ctx: typer.Context, theme_id: Annotated[str, typer.Argument(metavar="THEME")],
                   reason: Annotated[str, typer.Option(help="Why it is declined.")],
                   json_: Json = False) -> None:
    """Decline a theme, with the reason (it reopens if the problem recurs)."""
    _decide(ctx, theme_id, reason, decline=True, json_=json_)


def _decide(ctx: typer.Context, theme_id: str, reason: str, *, decline: bool, json_: bool) -> None:
    from dataflywheel.domain.records.feedback import Theme
    from dataflywheel.flows.feedback.reflux import decide_theme

    client = server_of(ctx)
    if client is not None:
        verb = "decline" if decline else "queue"
        theme = Theme.model_validate(client.call(
            "POST", f"/api/v1/feedback/themes/{theme_id}/{verb}", json={"reason": reason}))
    else:
        with workspace(ctx) as ws:
            theme = decide_theme(ws, theme_id, decline=decline, reason=reason)
    print_done(json_, theme.model_dump(mode="json"), f"{theme.id} {theme.state.value}: {reason}")


def _text(path: Path, what: str) -> str:
    """A small local file's text (a rules or weights file), or the error that names it."""
    from dataflywheel.errors import BadInput, NotFound

    if not path.is_file():
        raise NotFound(f"{what} not found", path=str(path))
    try:
        return path.read_text("utf-8")
    except UnicodeDecodeError:
        raise BadInput(f"{what} is not valid UTF-8", path=str(path)) from None


def _weights(path: Path | None) -> Any:
    from dataflywheel.flows.feedback.reflux import weights_from_text

    if path is None:
        return weights_from_text(None, source="defaults")
    return weights_from_text(_text(path, "weights file"), source=str(path))


def _weights_body(path: Path | None) -> dict[str, Any]:
    """The `weights` of a request: the file's text (parsed here first, so a bad file fails
    before anything is sent)."""
    if path is None:
        return {}
    _weights(path)
    return {"weights": _text(path, "weights file"), "weights_source": str(path)}


@app.command("prioritise")
def prioritise(ctx: typer.Context, weights: WeightsFile = None, json_: Json = False) -> None:
    """Score open and queued themes by leverage; show the formula and each theme's numbers."""
    from dataflywheel.flows.feedback.reflux import ranking

    client = server_of(ctx)
    if client is not None:
        data = client.call("POST", "/api/v1/feedback/prioritise", json=_weights_body(weights))
    else:
        with workspace(ctx) as ws:
            data = ranking(ws, weights=_weights(weights))
    if json_:
        print_json(data)
        return
    console.print(data["formula"], highlight=False)
    print_records(data["themes"], columns=["theme", "score", "formula", "title"])


@app.command("promote")
def promote(ctx: typer.Context,
            requester: Annotated[str, typer.Option(help="Person id who requests the work.")],
            top: Annotated[int, typer.Option(help="How many themes to promote.")] = 1,
            min_score: Annotated[float, typer.Option(help="Decline themes scoring below.")] = 0.0,
            priority: Priority = "P1",
            weights: WeightsFile = None, json_: Json = False) -> None:
    """Promote the top themes to requirements or issues; queue or decline the rest."""
    from dataflywheel.domain.records.demand import Priority
    from dataflywheel.errors import BadInput
    from dataflywheel.flows.feedback.reflux import promote as run

    if priority not in {p.value for p in Priority}:
        raise BadInput("unknown priority", field="priority", expected="P0, P1 or P2", got=priority)
    client = server_of(ctx)
    if client is not None:
        report = client.call("POST", "/api/v1/feedback/promote", json={
            "requester": requester, "top": top, "min_score": min_score, "priority": priority,
            **_weights_body(weights)})
    else:
        with workspace(ctx) as ws:
            report = run(ws, top=top, requester_id=requester, min_score=min_score,
                         priority=Priority(priority), weights=_weights(weights)).to_dict()
    if json_:
        print_json(report)
        return
    for theme, target in report["promoted"].items():
        console.print(f"[green]{theme} → {target}[/]", highlight=False)
    for kind in ("queued", "declined"):
        for theme, reason in report[kind].items():
            console.print(f"{theme} {kind}: {reason}", highlight=False)


@app.command("absorb")
def absorb(ctx: typer.Context, json_: Json = False) -> None:
    """Mark promoted themes absorbed whose requirement was delivered in a frozen version."""
    from dataflywheel.flows.feedback.reflux import sync_absorbed

    client = server_of(ctx)
    if client is not None:
        done = client.call("POST", "/api/v1/feedback/absorb")["absorbed"]
    else:
        with workspace(ctx) as ws:
            done = sync_absorbed(ws)
    print_done(json_, {"absorbed": done}, f"{len(done)} themes absorbed"
               + "".join(f"\n  {t} in {v}" for t, v in done.items()))


@app.command("metrics")
def metrics(ctx: typer.Context, json_: Json = False) -> None:
    """Feedback-loop rate (absorbed / routed events) and time-to-absorb."""
    from dataflywheel.flows.feedback.reflux import loop_metrics

    with workspace(ctx) as ws:
        data = loop_metrics(ws).to_dict()
    if json_:
        print_json(data)
        return
    rate = data["feedback_loop_rate"]
    console.print(f"feedback-loop rate: {'n/a' if rate is None else f'{rate:.1%}'} "
                  f"({data['absorbed_events']} absorbed / {data['routed_events']} routed events)",
                  highlight=False)
    from dataflywheel.flows.feedback.reflux import absorb_times

    console.print(absorb_times(data["time_to_absorb_days"]), highlight=False)
    console.print("themes: " + ", ".join(f"{k} {v}" for k, v in sorted(data["themes_by_state"].items())),
                  highlight=False)


def _spark(values: list[int]) -> str:
    bars = "▁▂▃▄▅▆▇█"
    peak = max(values, default=0)
    return "".join(bars[0] if not peak else bars[round((len(bars) - 1) * v / peak)] for v in values)


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.add_typer(app, name="feedback")
