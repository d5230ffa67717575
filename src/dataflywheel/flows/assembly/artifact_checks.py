"""The artifact-level rules of the consistency check (P10 §15–§16): what must hold across the
deliverables — built from the records now, or read back from an export — so that code, artifacts,
figures and report do not drift apart ("local correctness, global disconnection", §15.1).

Each rule is a function from the files under check (and what the records give now) to the list of
what breaks it, each problem naming the file and the figure; a rule whose files are missing or
unreadable fails naming them rather than passing unjudged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dataflywheel.domain.policies.flywheel_runs import BoardState
from dataflywheel.domain.records.flywheel import StageStatus
from dataflywheel.domain.records.project import Layer
from dataflywheel.flows.assembly import deliverables as d
from dataflywheel.flows.assembly.schemas import documents, problems
from dataflywheel.reports.system_report import split_front_matter


@dataclass
class Files:
    """The deliverables under check: each file's text, and its content parsed by its model
    (`unreadable` says why a present file could not be parsed)."""

    texts: dict[str, str]
    parsed: dict[str, Any] = field(default_factory=dict)
    unreadable: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, texts: dict[str, str]) -> Files:
        files = cls(texts=texts)
        for path, model in d.MODELS.items():
            if path not in texts:
                continue
            try:
                docs = [doc for _, doc in documents(path, texts[path])]
                values = [model.model_validate(doc) for doc in docs]
            except ValueError as exc:  # pydantic's ValidationError is a ValueError
                files.unreadable[path] = str(exc).splitlines()[0]
                continue
            files.parsed[path] = values if path == d.RUNS else values[0]
        return files

    def get(self, path: str) -> Any:
        return self.parsed[path]

    def parts(self) -> d.Parts:
        return d.Parts(**{name: self.parsed[path] for name, path in d.FIELDS.items()})


Rule = Callable[[Files, d.Built], list[str]]


def required_files_exist(files: Files, fresh: d.Built) -> list[str]:
    return [f"{path} is missing" for path in (*d.MODELS, d.REPORT) if path not in files.texts]


def artifacts_match_schemas(files: Files, fresh: d.Built) -> list[str]:
    return [f"{path}: {p}" for path in (*d.MODELS, d.REPORT) if path in files.texts
            for p in problems(path, files.texts[path])]


def all_upstream_projects_registered(files: Files, fresh: d.Built) -> list[str]:
    registry = files.get(d.REGISTRY)
    ids = {e.project_id for e in registry.registry}
    offered = {i for e in registry.registry for i in e.interfaces_out}
    out = [f"{e.project_id} consumes {i!r}, which no registered project offers"
           for e in registry.registry for i in e.interfaces_in if i not in offered]
    if registry.projects != len(registry.registry):
        out.append(f"the registry counts {registry.projects} projects but lists "
                   f"{len(registry.registry)}")
    named = {"flywheel_architecture.json": {p for layer in files.get(d.ARCHITECTURE).layers
                                            for p in layer.mapped_projects},
             "cost_model.json": {p.project for p in files.get(d.COST).projects},
             "org_operating_model.json": set(files.get(d.ORG).project_owners)}
    out += [f"{where} names {p}, which the registry does not list"
            for where, projects in named.items() for p in sorted(projects - ids)]
    now = {e.project_id for e in fresh.parts.registry.registry}
    out += [f"{p} is in the records but not in the registry file" for p in sorted(now - ids)]
    return out


def phase_inventory_consistent(files: Files, fresh: d.Built) -> list[str]:
    registry, inventory = files.get(d.REGISTRY), files.get(d.PHASES)
    expected = d.phase_inventory(registry, files.get(d.PLAN))
    out = [f"phase {p} feeds no stage of the plan (its layers: {', '.join(x.layers) or 'none'})"
           for p, x in ((x.phase, x) for x in expected.phases) if not x.stages]
    got = {p.phase: p for p in inventory.phases}
    for want in expected.phases:
        have = got.pop(want.phase, None)
        if have is None:
            out.append(f"phase {want.phase} of the registry is not in the inventory")
        elif have != want:
            out.append(f"phase {want.phase}: the inventory says projects "
                       f"{', '.join(have.projects)}, stages {', '.join(have.stages) or 'none'}; "
                       f"the registry and plan give {', '.join(want.projects)}, stages "
                       f"{', '.join(want.stages) or 'none'}")
    out += [f"phase {p} is in the inventory but no registered project has it" for p in got]
    return out


def architecture_layers_and_control_points_present(files: Files, fresh: d.Built) -> list[str]:
    architecture, bounds = files.get(d.ARCHITECTURE), files.get(d.BOUNDARIES)
    have = {x.layer: x for x in architecture.layers}
    out = [f"layer {x.value} is missing" for x in Layer if x.value not in have]
    out += [f"layer {x} carries no project" for x, spec in have.items() if not spec.mapped_projects]
    if not bounds.control_points:
        out.append("no control point is declared")
    if not bounds.boundaries:
        out.append("no governance boundary is declared")
    out += [f"control point {c.control_point}: {e.check} ({e.implemented_by}) does not exist"
            for c in bounds.control_points for e in c.enforced_by if not e.present]
    out += [f"boundary {b.boundary}: {e.check} ({e.implemented_by}) does not exist"
            for b in bounds.boundaries for e in b.checks if not e.present]
    out += [f"control point {c.control_point} is enforced by no check"
            for c in bounds.control_points if not c.enforced_by]
    out += [f"boundary {b.boundary} is checked by nothing" for b in bounds.boundaries if not b.checks]
    return out


def stage_plan_covers_end_to_end(files: Files, fresh: d.Built) -> list[str]:
    plan = files.get(d.PLAN)
    layers = {s.layer for s in plan.stages}
    out = [f"no stage of the plan carries the {x.value} layer" for x in Layer
           if x.value not in layers]
    out += [f"stage {s.name} has no owner: {s.problem}" for s in plan.stages if s.problem]
    out += [f"stage {s.name} has no accountable person" for s in plan.stages
            if not s.problem and not s.accountable]
    names = {s.name for s in plan.stages}
    out += [f"milestone {m['title']!r} names stage {m['stage']!r}, which the plan does not have"
            for m in plan.milestones if m.get("stage") not in names]
    return out


def flywheel_runs_complete(files: Files, fresh: d.Built) -> list[str]:
    runs, plan = files.get(d.RUNS), files.get(d.PLAN)
    if not runs:
        return [f"no run of {plan.project_id}'s flywheel is recorded "
                f"(flywheel system run --project {plan.project_id})"]
    latest, stages = runs[-1], [s.name for s in plan.stages]
    out = [f"{r.id} is a run of {r.project_id}, not of {plan.project_id}" for r in runs
           if r.project_id != plan.project_id]
    if [s.stage for s in latest.stages] != stages:
        out.append(f"{latest.id} judged stages {', '.join(s.stage for s in latest.stages)}; the "
                   f"plan has {', '.join(stages)}")
    out += [f"{latest.id}: stage {s.stage} is {s.status.value.replace('_', ' ')}"
            for s in latest.stages if s.status is not StageStatus.COMPLETED]
    return out


def milestones_on_schedule(files: Files, fresh: d.Built) -> list[str]:
    board = files.get(d.BOARD)
    return [f"milestone {r.title!r} ({r.stage}) was due {r.due} and its evidence is "
            f"{r.evidence}/{r.needed}" for r in board.rows if r.state is BoardState.LATE]


def metrics_agree_with_artifacts(files: Files, fresh: d.Built) -> list[str]:
    stated, texts = files.get(d.METRICS), {p: files.texts[p] for p in d.DATA}
    counted = d.headline(d.Window(stated.plan_project, stated.since, stated.until),
                         files.parts(), d.digest(texts))
    return [f"{name}: p10_metrics.json says {getattr(stated, name)}, the artifacts give "
            f"{getattr(counted, name)}" for name in type(stated).model_fields
            if getattr(stated, name) != getattr(counted, name)]


def dashboard_agrees_with_artifacts(files: Files, fresh: d.Built) -> list[str]:
    dash, analysis = files.get(d.DASHBOARD), files.get(d.BOTTLENECKS)
    cost, board = files.get(d.COST), files.get(d.BOARD)
    pairs = {"window": ((dash.since, dash.until), (analysis.since, analysis.until)),
             "bottlenecks": (dash.bottlenecks, analysis.bottlenecks),
             "review hours": (dash.total_review_hours, cost.total_review_hours),
             "review cost": (dash.total_review_cost, cost.total_review_cost),
             "milestones": (dash.milestones, board)}
    return [f"{name}: the dashboard shows {shown!r:.120}, the artifacts give {given!r:.120}"
            for name, (shown, given) in pairs.items() if shown != given]


def report_cites_current_data(files: Files, fresh: d.Built) -> list[str]:
    front, _ = split_front_matter(files.texts[d.REPORT])
    beside = d.digest({p: files.texts[p] for p in d.DATA})
    out = []
    if front.get("records_digest") != beside:
        out.append(f"p10_report.md cites {front.get('records_digest')}; the artifacts beside it "
                   f"hash to {beside}")
    stale = [p for p in d.DATA if files.texts[p] != fresh.texts[p]]
    if stale:
        out.append("the records have changed since these files were written: "
                   + ", ".join(p.rsplit("/", 1)[1] for p in stale) + " differ")
    elif files.texts[d.REPORT] != fresh.texts[d.REPORT]:
        out.append("p10_report.md differs from the report the records give")
    return out


RULES: dict[str, tuple[Rule, tuple[str, ...]]] = {
    "required_files_exist": (required_files_exist, ()),
    "artifacts_match_schemas": (artifacts_match_schemas, ()),
    "all_upstream_projects_registered": (all_upstream_projects_registered,
                                         (d.REGISTRY, d.ARCHITECTURE, d.COST, d.ORG)),
    "phase_inventory_consistent": (phase_inventory_consistent, (d.REGISTRY, d.PHASES, d.PLAN)),
    "architecture_layers_and_control_points_present": (
        architecture_layers_and_control_points_present, (d.ARCHITECTURE, d.BOUNDARIES)),
    "stage_plan_covers_end_to_end": (stage_plan_covers_end_to_end, (d.PLAN,)),
    "flywheel_runs_complete": (flywheel_runs_complete, (d.RUNS, d.PLAN)),
    "milestones_on_schedule": (milestones_on_schedule, (d.BOARD,)),
    "metrics_agree_with_artifacts": (metrics_agree_with_artifacts, (*d.MODELS,)),
    "dashboard_agrees_with_artifacts": (dashboard_agrees_with_artifacts,
                                        (d.DASHBOARD, d.BOTTLENECKS, d.COST, d.BOARD)),
    "report_cites_current_data": (report_cites_current_data, (*d.DATA, d.REPORT)),
}
"""Each artifact-level rule, by the name the results carry, with the files it needs parsed."""


def judge(name: str, files: Files, fresh: d.Built) -> list[str]:
    """The problems rule `name` finds; a needed file that is missing or unreadable is one."""
    rule, needs = RULES[name]
    absent = [p for p in needs if p not in files.parsed and p != d.REPORT]
    absent += [d.REPORT] if d.REPORT in needs and d.REPORT not in files.texts else []
    if absent:
        return ["cannot be judged: " + ", ".join(
            f"{p} {'is unreadable (' + files.unreadable[p] + ')' if p in files.unreadable else 'is missing'}"
            for p in absent)]
    try:
        return rule(files, fresh)
    except ValueError as exc:  # a front matter that cannot be read
        return [str(exc)]
