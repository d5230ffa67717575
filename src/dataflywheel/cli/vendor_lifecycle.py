"""`flywheel vendors record|dispatch|calibrate|monitor|offboard|scorecard`: a vendor's lifecycle
(Table 24-21), added to the `vendors` group of `cli/people.py` by `attach`.

The writes act through the team server when `FLYWHEEL_SERVER` is set
(`api/routers/vendor_lifecycle.py`) and print what they print locally; the scorecard reads locally.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from dataflywheel.cli._context import workspace
from dataflywheel.cli.options import Json
from dataflywheel.cli.output import console, print_done, print_json
from dataflywheel.cli.remote import require_named_remote, segment, server_of

By = Annotated[str | None, typer.Option("--by", help="The person acting: must be the person your "
                                                     "login is bound to (default: that person).")]
VendorId = Annotated[str, typer.Argument(metavar="VENDOR")]
Guide = Annotated[str | None, typer.Option("--guide", help="Guide version GUIDE@VERSION.")]


def _call(ctx: typer.Context, by: str | None, vendor: str, route: str,
          payload: dict[str, Any]) -> Any:
    """The server's answer when `FLYWHEEL_SERVER` is set; None: act locally."""
    client = server_of(ctx)
    if client is None:
        return None
    require_named_remote(client, by)
    return client.call("POST", f"/api/v1/vendors/{segment(vendor)}/{route}", json=payload)


def _jsonl(path: Path, fields: tuple[str, ...]) -> list[dict[str, str]]:
    from dataflywheel.errors import BadInput, NotFound

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise NotFound("file not found", path=str(path)) from None
    except UnicodeDecodeError:
        raise BadInput("file is not UTF-8", path=str(path)) from None
    rows = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInput(f"invalid JSON: {exc.msg}", path=str(path), line=n) from None
        if not isinstance(row, dict) or any(not isinstance(row.get(f), str) for f in fields):
            raise BadInput("a row lacks a field", path=str(path), line=n,
                           expected="an object with " + ", ".join(fields) + " (strings)")
        rows.append(row)
    return rows


def record(ctx: typer.Context, vendor: VendorId,
           kind: Annotated[str, typer.Argument(help="confidentiality, compliance, tool_training, "
                                                    "test_task or retraining.")],
           failed: Annotated[bool, typer.Option("--failed", help="It did not pass.")] = False,
           score: Annotated[float | None, typer.Option(help="The result (a test task's score).")] = None,
           note: Annotated[str, typer.Option(help="What the evidence is.")] = "",
           by: By = None, json_: Json = False) -> None:
    """Record onboarding evidence (or a retraining) of a vendor."""
    from dataflywheel.flows.vendors import record as run

    made = _call(ctx, by, vendor, "evidence", {"kind": kind, "passed": not failed,
                                               "score": score, "note": note})
    if made is None:
        with workspace(ctx) as ws:
            made = run(ws, vendor, kind, passed=not failed, score=score,
                       note=note).model_dump(mode="json")
    print_done(json_, made, f"recorded {made['id']}: {vendor} {made['kind']} "
                            f"{'passed' if made['passed'] else 'not passed'}")


def dispatch(ctx: typer.Context, vendor: VendorId,
             task: Annotated[str, typer.Option(help="The task id.")],
             guide: Annotated[str, typer.Option("--guide", help="Guide version GUIDE@VERSION.")],
             example: Annotated[list[str] | None, typer.Option(
                 help="An example id to cite (repeat; default: all of the version's).")] = None,
             by: By = None, json_: Json = False) -> None:
    """Dispatch a task to an onboarded vendor under a guide version in effect."""
    from dataflywheel.flows.vendors import dispatch as run

    made = _call(ctx, by, vendor, "dispatch", {"task_id": task, "guide_version": guide,
                                               "examples": example or []})
    if made is None:
        with workspace(ctx) as ws:
            made = run(ws, vendor, task_id=task, guide_version=guide,
                       examples=example).model_dump(mode="json")
    print_done(json_, made, f"dispatched {task} to {vendor} under {guide}, citing "
                            f"{', '.join(made['details']['examples'])}")


def _monitored(json_: bool, made: dict[str, Any], what: str) -> None:
    alert = made.get("alert")
    if json_:
        print_json(made)
    elif alert:
        console.print(f"[red]drift alert {alert['id']}[/]: {what}; {alert['note']}",
                      highlight=False)
    else:
        console.print(f"[green]{what}; no drift[/]", highlight=False)


def calibrate(ctx: typer.Context, vendor: VendorId,
              gold: Annotated[Path, typer.Option(help="JSONL of gold items: item_id, label.")],
              answers: Annotated[Path, typer.Option(
                  help="JSONL of answers: item_id, annotator_id, label.")],
              guide: Guide = None, task: Annotated[str | None, typer.Option(help="The task id.")] = None,
              by: By = None, json_: Json = False) -> None:
    """Score a batch's gold items automatically, per annotator; alert on drift."""
    from dataflywheel.flows.vendors import calibrate as run

    items = {r["item_id"]: r["label"] for r in _jsonl(gold, ("item_id", "label"))}
    given = [(r["item_id"], r["annotator_id"], r["label"])
             for r in _jsonl(answers, ("item_id", "annotator_id", "label"))]
    made = _call(ctx, by, vendor, "calibrations", {"gold": items, "answers": given,
                                                   "guide_version": guide, "task_id": task})
    if made is None:
        with workspace(ctx) as ws:
            made = run(ws, vendor, gold=items, answers=given, guide_version=guide,
                       task_id=task).model_dump(mode="json")
    cal = made["calibration"]
    _monitored(json_, made, f"{vendor} calibration {made['evidence']['id']}: accuracy "
                            f"{cal['accuracy']:.2%} on {cal['answered']} gold answers")


def monitor(ctx: typer.Context, vendor: VendorId,
            rework_rate: Annotated[float | None, typer.Option(help="Share reworked, 0..1.")] = None,
            disputed_share: Annotated[float | None, typer.Option(
                help="Share of disputed samples, 0..1.")] = None,
            response_delay_hours: Annotated[float | None, typer.Option(
                help="Feedback response delay, hours.")] = None,
            guide: Guide = None, by: By = None, json_: Json = False) -> None:
    """Record a period's in-process figures; alert on drift."""
    from dataflywheel.flows.vendors import monitor as run

    payload = {"rework_rate": rework_rate, "disputed_share": disputed_share,
               "response_delay_hours": response_delay_hours, "guide_version": guide}
    made = _call(ctx, by, vendor, "monitoring", payload)
    if made is None:
        with workspace(ctx) as ws:
            made = run(ws, vendor, rework_rate=rework_rate, disputed_share=disputed_share,
                       response_delay_hours=response_delay_hours,
                       guide_version=guide).model_dump(mode="json")
    _monitored(json_, made, f"{vendor} figures {made['evidence']['id']}")


def offboard(ctx: typer.Context, vendor: VendorId,
             reason: Annotated[str, typer.Option(help="Why the vendor leaves.")],
             deletion_confirmation: Annotated[str, typer.Option(
                 help="What the vendor confirmed deleted (the certificate, its date).")],
             by: By = None, json_: Json = False) -> None:
    """Revoke the vendor people's access, archive deliverables, record the data deletion."""
    from dataflywheel.flows.vendors import offboard_vendor

    made = _call(ctx, by, vendor, "offboard", {"reason": reason,
                                               "deletion_confirmation": deletion_confirmation})
    if made is None:
        with workspace(ctx) as ws:
            made = offboard_vendor(ws, vendor, reason=reason,
                                   deletion_confirmation=deletion_confirmation).model_dump(mode="json")
    print_done(json_, made, f"offboarded {vendor}: {len(made['people'])} people closed, "
                            f"{len(made['grants_revoked'])} grant(s) revoked, "
                            f"{len(made['archived'])} batch(es) archived, deletion recorded")


def scorecard(ctx: typer.Context, vendor: VendorId, json_: Json = False) -> None:
    """The vendor over time: evidence, pass rates, agreement, rework per guide version, annotator
    and week, calibrations and drift alerts."""
    from dataflywheel.flows.vendors import scorecard as run

    with workspace(ctx) as ws:
        card = run(ws, vendor)
    if json_:
        print_json(card.model_dump(mode="json"))
        return
    console.print(f"[bold]{vendor}[/] — {'active' if card.active else 'offboarded'}; "
                  f"may receive work: {'yes' if card.may_receive_work else 'no'}"
                  + (f" ({'; '.join(card.missing)})" if card.missing else ""), highlight=False)
    for e in card.evidence:
        console.print(f"  {e.id} {e.stage.value}/{e.kind.value} {e.recorded_at:%Y-%m-%d}"
                      + (f" score {e.score:g}" if e.score is not None else "")
                      + (f" {e.guide_version}" if e.guide_version else ""), markup=False,
                      highlight=False)
    for label, figures in (("guide version", card.by_guide_version),
                           ("annotator", card.by_annotator)):
        for f in figures:
            if f.value is not None:
                parts = ", ".join(f"{g.group} {g.value:.3g}" for g in f.breakdown)
                console.print(f"  {f.metric} {f.value:.3g} — by {label}: {parts}",
                              markup=False, highlight=False)
    for w in card.by_week:
        shown = ", ".join(f"{m} {v:.3g}" for m, v in w.figures.items() if v is not None)
        console.print(f"  week {w.week}: {w.batches} batch(es); {shown or 'nothing measured'}",
                      markup=False, highlight=False)
    for alert in card.drift_alerts:
        console.print(f"  drift: {alert}", markup=False, highlight=False)


def attach(app: typer.Typer) -> None:
    """Add the lifecycle commands to the `vendors` group."""
    for name, command in (("record", record), ("dispatch", dispatch), ("calibrate", calibrate),
                          ("monitor", monitor), ("offboard", offboard),
                          ("scorecard", scorecard)):
        app.command(name)(command)
