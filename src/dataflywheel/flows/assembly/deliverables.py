"""P10's deliverables (§17) built from the records: the nine processed artifacts, the two console
artifacts and the headline metrics, each as the exact text its file holds.

Guarantees: the same records and window give the same bytes (sorted keys, no clock read when the
window is given or a run is recorded: by default the window is the plan project's latest recorded
run's); every text is produced from its model (`reports.system_artifacts`) and so matches the
JSON Schema shipped for it; the headline figures are computed from the artifacts themselves, and
carry the digest of the artifacts they count.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from dataflywheel.canonjson import sorted_json
from dataflywheel.domain.policies.bottlenecks import Severity
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.flywheel import FlywheelRun
from dataflywheel.flows.assembly.controls import controls_view
from dataflywheel.flows.assembly.layers import layers_view
from dataflywheel.flows.assembly.registry_summary import registry_summary
from dataflywheel.flows.flywheel.plan import show_plan
from dataflywheel.flows.flywheel.runs import DEFAULT_WINDOW, board, list_runs
from dataflywheel.flows.flywheel.views import bottlenecks, cost_model, dashboard, org_model
from dataflywheel.flows.workspace import Workspace
from dataflywheel.reports.render import render
from dataflywheel.reports.system_artifacts import (
    Architecture,
    BottleneckAnalysis,
    Boundaries,
    Headline,
    Phase,
    PhaseInventory,
    FrontMatter,
    Registry,
)
from dataflywheel.reports.system_cost import CostModel
from dataflywheel.reports.system_dashboard import Dashboard
from dataflywheel.reports.system_org import OrgModel
from dataflywheel.reports.system_plan import MilestoneBoard, PlanView
from dataflywheel.reports.system_report import P10Report

PROCESSED, CONSOLE, REPORTS = "data/processed", "data/console", "data/reports"
REGISTRY = f"{PROCESSED}/upstream_project_registry.json"
PHASES = f"{PROCESSED}/phase_inventory.json"
ARCHITECTURE = f"{PROCESSED}/flywheel_architecture.json"
BOUNDARIES = f"{PROCESSED}/system_boundaries.json"
PLAN = f"{PROCESSED}/stage_plan.json"
RUNS = f"{PROCESSED}/flywheel_runs.jsonl"
BOTTLENECKS = f"{PROCESSED}/bottleneck_analysis.json"
COST = f"{PROCESSED}/cost_model.json"
ORG = f"{PROCESSED}/org_operating_model.json"
BOARD = f"{CONSOLE}/milestone_board.json"
DASHBOARD = f"{CONSOLE}/executive_dashboard.json"
METRICS = f"{REPORTS}/p10_metrics.json"
REPORT = f"{REPORTS}/p10_report.md"
TEST_RESULTS = f"{REPORTS}/p10_test_results.json"
TEST_REPORT = f"{REPORTS}/p10_test_report.md"

MODELS: dict[str, type[BaseModel]] = {
    REGISTRY: Registry, PHASES: PhaseInventory, ARCHITECTURE: Architecture,
    BOUNDARIES: Boundaries, PLAN: PlanView, RUNS: FlywheelRun, BOTTLENECKS: BottleneckAnalysis,
    COST: CostModel, ORG: OrgModel, BOARD: MilestoneBoard, DASHBOARD: Dashboard,
    METRICS: Headline}
"""Each JSON deliverable and the model of its content (of each line, for the `.jsonl`)."""

DATA = tuple(path for path in MODELS if path != METRICS)
"""The artifacts the digest covers: everything the headline, the report and the check count."""

ALL = (*MODELS, REPORT, TEST_RESULTS, TEST_REPORT)
"""The fifteen deliverables, in the chapter's order (§17)."""


@dataclass(frozen=True)
class Window:
    plan_project: str
    since: datetime
    until: datetime


@dataclass(frozen=True)
class Parts:
    """The data artifacts, parsed: built from records, or read back from an export's files."""

    registry: Registry
    phases: PhaseInventory
    architecture: Architecture
    boundaries: Boundaries
    plan: PlanView
    runs: list[FlywheelRun]
    analysis: BottleneckAnalysis
    cost: CostModel
    org: OrgModel
    board: MilestoneBoard
    dashboard: Dashboard

    def texts(self) -> dict[str, str]:
        """Each data artifact's file text, by path."""
        return {path: text_of(path, getattr(self, name)) for name, path in FIELDS.items()}


FIELDS = dict(zip([f.name for f in fields(Parts)], DATA))
"""Each part's file (the parts are declared in the chapter's order)."""


@dataclass(frozen=True)
class Built:
    """What the records give for one plan project and window: the parts, the headline, the
    text of each file (the data artifacts, the headline's and the report's)."""

    window: Window
    parts: Parts
    headline: Headline
    texts: dict[str, str]


def window_of(ws: Workspace, project_id: str, since: datetime | None,
              until: datetime | None) -> Window:
    """The window given, or the latest recorded run's, or the week before now."""
    runs = list_runs(ws, project_id)
    if since is None and until is None and runs:
        return Window(project_id, runs[-1].since, runs[-1].until)
    until = until or utcnow()
    return Window(project_id, since or until - DEFAULT_WINDOW, until)


def build(ws: Workspace, project_id: str, *, since: datetime | None = None,
          until: datetime | None = None, rules: Path | None = None) -> Built:
    """Every data artifact and the headline of `project_id`'s flywheel over the window."""
    w = window_of(ws, project_id, since, until)
    registry = Registry.model_validate(registry_summary(ws))
    plan = show_plan(ws, project_id)
    ruleset, found = bottlenecks(ws, since=w.since, until=w.until, rules=rules)
    parts = Parts(
        registry=registry, phases=phase_inventory(registry, plan),
        architecture=Architecture.model_validate(layers_view(ws)),
        boundaries=Boundaries.model_validate(controls_view(ws)), plan=plan,
        runs=list_runs(ws, project_id),
        analysis=BottleneckAnalysis(since=w.since, until=w.until,
                                    rules=[r.name for r in ruleset.rules], bottlenecks=found),
        cost=cost_model(ws), org=org_model(ws), board=board(ws, project_id, now=w.until),
        dashboard=dashboard(ws, project_id, since=w.since, until=w.until, rules=rules))
    texts = parts.texts()
    head = headline(w, parts, digest(texts))
    texts[METRICS] = text_of(METRICS, head)
    texts[REPORT] = render(report_of(parts, head), "markdown")
    return Built(window=w, parts=parts, headline=head, texts=texts)


def report_text(built: Built, fmt: Literal["markdown", "json"]) -> str:
    """The P10 report as `p10_report.md` holds it, or its context as JSON."""
    if fmt == "markdown":
        return built.texts[REPORT]
    return render(report_of(built.parts, built.headline), "json")


def front_of(head: Headline, deliverable: Literal["p10_report", "p10_test_report"]
             ) -> FrontMatter:
    """The front matter a Markdown deliverable opens with: it cites the headline's records."""
    return FrontMatter(deliverable=deliverable, plan_project=head.plan_project,
                       since=head.since, until=head.until, records_digest=head.records_digest)


def report_of(parts: Parts, head: Headline) -> P10Report:
    """The P10 report's context: the headline and every part, as the files give them."""
    p = parts
    return P10Report(
        front=front_of(head, "p10_report"), headline=head, registry=p.registry, phases=p.phases,
        architecture=p.architecture, boundaries=p.boundaries, plan=p.plan,
        latest_run=p.runs[-1] if p.runs else None, board=p.board, analysis=p.analysis,
        cost=p.cost, org=p.org, why_unhealthy=p.dashboard.why)


def text_of(path: str, value: BaseModel | list[FlywheelRun]) -> str:
    """A deliverable's file text: sorted two-space JSON, or one sorted JSON line per run."""
    if isinstance(value, list):
        return "".join(sorted_json(run.model_dump(mode="json")) + "\n" for run in value)
    return sorted_json(value.model_dump(mode="json"), indent=2, ascii=False) + "\n"


def digest(texts: dict[str, str]) -> str:
    """The digest of the data artifacts: what a report and a check result cite as their records."""
    h = hashlib.sha256()
    for path in DATA:
        h.update(f"{path}\n{hashlib.sha256(texts.get(path, '').encode()).hexdigest()}\n".encode())
    return "sha256:" + h.hexdigest()


def phase_inventory(registry: Registry, plan: PlanView) -> PhaseInventory:
    """Each phase with its projects, their layers and interfaces, and the plan stages it feeds: a
    stage is fed by a phase when one of the phase's projects carries the stage's layer."""
    phases = []
    for name in sorted({e.phase for e in registry.registry}):
        members = [e for e in registry.registry if e.phase == name]
        layers = sorted({x for e in members for x in e.layers})
        phases.append(Phase(
            phase=name, projects=[e.project_id for e in members], layers=layers,
            interfaces_out=sorted({i for e in members for i in e.interfaces_out}),
            stages=[s.name for s in plan.stages if s.layer in layers]))
    return PhaseInventory(plan_project=plan.project_id, phases=phases,
                          unstaged_phases=[p.phase for p in phases if not p.stages])


def headline(w: Window, parts: Parts, records_digest: str) -> Headline:
    """The system-level figures (§11), counted from the artifacts, never from elsewhere."""
    p = parts
    latest = p.runs[-1] if p.runs else None
    return Headline(
        plan_project=w.plan_project, since=w.since, until=w.until, records_digest=records_digest,
        projects=len(p.registry.registry), phases=len(p.phases.phases), stages=len(p.plan.stages),
        interfaces=p.registry.interfaces,
        cross_layer_interfaces=len(p.architecture.cross_layer_interfaces),
        checks_passed=p.registry.checks_passed, checks_total=p.registry.checks_total,
        layers=len(p.architecture.layers), control_points=len(p.boundaries.control_points),
        boundaries=len(p.boundaries.boundaries), runs=len(p.runs),
        stage_completion_rate=latest.completion_rate if latest else None,
        average_stage_score=latest.average_score if latest else None,
        bottlenecks=len(p.analysis.bottlenecks),
        high_severity_bottlenecks=sum(b.severity is Severity.HIGH
                                      for b in p.analysis.bottlenecks),
        review_hours=p.cost.total_review_hours, review_cost=p.cost.total_review_cost,
        healthy=p.dashboard.healthy)
