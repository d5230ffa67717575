"""Demo step: evaluation feedback flows back into next-version work, and the loop closes.

The wrong answers of the candidate model (generated, GSM8K-shaped, the same data as the
experiments step) are imported as feedback events, routed by the default rules to P-K12, and
clustered into themes by question type and text. The highest-leverage theme becomes a P1
requirement in the Demand Pool; when the next dataset version that delivers it is frozen, the theme
is absorbed and the feedback-loop rate moves.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.demand import Priority
from dataflywheel.domain.states import VersionState
from dataflywheel.flows.demand import lifecycle as demand
from dataflywheel.flows.feedback.feedback_import import import_eval_results
from dataflywheel.flows.feedback.reflux import (
    absorb_times,
    loop_metrics,
    prioritise,
    promote,
    sync_absorbed,
)
from dataflywheel.flows.feedback.routing import load_rules, route_pending
from dataflywheel.flows.feedback.themes import form_themes, theme_views
from dataflywheel.flows.workspace import Workspace

PROJECT = "P-K12"


def write_results(path: Path, *, model: str | None = None) -> Path:
    """The experiments step's generated results, one model's column (default: the candidate)."""
    from dataflywheel.demo.experiments import CANDIDATE_MODEL, generate_solutions

    model = model or CANDIDATE_MODEL
    with path.open("w", encoding="utf-8") as out:
        for row in generate_solutions():
            kept = {k: v for k, v in row.items() if k in ("id", "question", "ground_truth", model)}
            out.write(json.dumps(kept) + "\n")
    return path


def demo_step(ws: Workspace, console: Console, *, experiment_id: str | None = None,
              next_version_id: str | None = None, requester: str = "li.na",
              data_owner: str = "lin.wei") -> str:
    """Run the reflux on the demo team; returns the id of the theme that was promoted.

    Args:
        experiment_id: the candidate model's experiment (linked from every event), if logged.
        next_version_id: a dataset version of P-K12 that delivers the fix — a candidate ready to
            freeze (it is frozen here, by `data_owner`) or already frozen. Without it the step stops
            after the promotion and says what closes the loop.
    """
    with tempfile.TemporaryDirectory() as tmp:
        results = write_results(Path(tmp) / "k12_eval_results.jsonl")
        summary = import_eval_results(ws, results, project_id=PROJECT, experiment_id=experiment_id)
    data = summary.to_dict()
    console.print(f"Imported evaluation results: {data['items_checked']} items checked, "
                  f"{data['flagged']} wrong answers → {data['received']} feedback events "
                  f"({data['rejected']} rejected)")
    routed = route_pending(ws, rules=load_rules(ws)).to_dict()
    console.print(f"Routed: {routed['routed']} events ({', '.join(f'{r} {len(ids)}' for r, ids in routed['by_rule'].items())}); "
                  f"{routed['triaged']} in triage")
    form_themes(ws)
    _show_themes(ws, console)
    return _promote_and_close(ws, console, requester=requester, data_owner=data_owner,
                              next_version_id=next_version_id)


def _show_themes(ws: Workspace, console: Console) -> None:
    ranked = {s.theme_id: s for s in prioritise(ws)}
    table = Table(title="Feedback themes (leverage = (impact + reusability + risk) / (1 + cost))")
    for column in ("theme", "events", "trend", "leverage", "title"):
        table.add_column(column)
    for view in theme_views(ws)[:6]:
        scored = ranked.get(view.theme.id)
        trend = " ".join(str(n) for _, n in view.weekly[-4:])
        table.add_row(view.theme.id, str(view.theme.event_count), trend,
                      scored.formula if scored else "", view.theme.title)
    console.print(table)


def _promote_and_close(ws: Workspace, console: Console, *, requester: str, data_owner: str,
                       next_version_id: str | None) -> str:
    report = promote(ws, top=1, requester_id=requester, priority=Priority.P1)
    [(theme_id, req_id)] = report.promoted.items()
    console.print(f"Top theme {theme_id} → P1 requirement {req_id}; {len(report.queued)} themes "
                  "queued for a later round")
    if next_version_id is None:
        console.print(f"The loop closes when {req_id} is delivered in a frozen version "
                      "(then: flywheel feedback absorb)")
        return theme_id
    req = demand.triage(ws, req_id)
    year, week, _ = utcnow().isocalendar()
    demand.commit_week(ws, [req_id], week=f"{year}-W{week:02d}")
    demand.start(ws, req_id)
    version_id = _frozen(ws, next_version_id, data_owner)
    demand.deliver(ws, req_id, version_ids=[version_id])
    accountable = req.accountable_id or data_owner
    demand.decide(ws, req_id, accept=True, by=accountable)
    absorbed = sync_absorbed(ws)
    metrics = loop_metrics(ws).to_dict()
    console.print(f"{req_id} delivered in frozen {version_id} and accepted by {accountable}: "
                  f"theme {theme_id} absorbed ({', '.join(absorbed) or 'none'})")
    rate = metrics["feedback_loop_rate"]
    console.print(f"Feedback-loop rate {rate:.1%} ({metrics['absorbed_events']} of "
                  f"{metrics['routed_events']} routed events absorbed); "
                  + absorb_times(metrics["time_to_absorb_days"]))
    return theme_id


def _frozen(ws: Workspace, version_ref: str, data_owner: str) -> str:
    from dataflywheel.flows.data import version_release
    from dataflywheel.flows.data.versions import get_version

    version, _ = get_version(ws, version_ref)
    if version.state is VersionState.CANDIDATE:
        version = version_release.freeze(ws, version.id, by=data_owner)
    return version.id
