"""Load the flywheel's stage plan (P10 §7) into a project's stages and milestones, and show it with
its owners resolved from the RACI matrix.

Guarantees: a plan is validated whole before anything is written, and is written in one
transaction with one audit entry (`flywheel_plan.load`, the old plan as `before`); a stage that
feedback records still name is never dropped (refused, naming them); owners are never typed — a
stage names a RACI item and its A and R people are looked up when the plan is shown.
"""

from __future__ import annotations

from datetime import date
from importlib.resources import files
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dataflywheel.domain.policies.flywheel_plan import FlywheelPlan, dated, parse_plan
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.plan import Milestone, Stage
from dataflywheel.errors import BadInput, FlywheelError, NotFound
from dataflywheel.flows._audit import audit
from dataflywheel.flows.governance.raci import who
from dataflywheel.flows.workspace import Workspace
from dataflywheel.reports.system_plan import PlanView, StageOwners, stage_id, stored_plan
from dataflywheel.store.repositories.people import Projects, RaciItems
from dataflywheel.store.repositories.plans import Milestones, Stages
from dataflywheel.store.tables.feedback import FeedbackEventRow, ThemeRow
from dataflywheel.store.tables.plans import MilestoneRow, StageRow
from dataflywheel.yamlsafe import load_file, safe_load

DEFAULT_PLAN = "default_plan.yaml"


def read_plan_file(path: Path) -> FlywheelPlan:
    """Parse and validate a plan file without touching the store."""
    return parse_plan(load_file(path, what="stage plan file"), source=str(path))


def default_plan() -> FlywheelPlan:
    """The plan shipped in the package (five stages, three milestones)."""
    text = files("dataflywheel.flows.flywheel").joinpath(DEFAULT_PLAN).read_text(encoding="utf-8")
    return parse_plan(safe_load(text, source=DEFAULT_PLAN), source=DEFAULT_PLAN)


def load_plan(ws: Workspace, project_id: str, plan: FlywheelPlan, *, today: date | None = None,
              reason: str | None = None) -> FlywheelPlan:
    """Replace `project_id`'s plan with `plan` (milestone `due_days` dated from `today`)."""
    plan = dated(plan, today=today or utcnow().date())
    with ws.db.unit_of_work() as s:
        Projects(s).get(project_id)
        _refuse_unknown_items(s, plan)
        _refuse_ids_too_long(project_id, plan)
        before = _plan_or_none(s, project_id)
        _refuse_dropping_named(s, project_id, {stage_id(project_id, st.name) for st in plan.stages})
        s.execute(delete(MilestoneRow).where(MilestoneRow.project_id == project_id))
        _write_stages(s, project_id, plan)
        milestones = Milestones(s)
        for n, m in enumerate(plan.milestones, start=1):
            assert m.due is not None  # dated above
            milestones.add(Milestone(id=f"{project_id}.m{n}", project_id=project_id,
                                     stage_id=stage_id(project_id, m.stage), title=m.title,
                                     due_on=m.due, evidence=m.evidence))
        audit(s, actor=ws.actor, action="flywheel_plan.load", kind="flywheel_plan",
              record_id=project_id, before=before, after=plan.model_dump(mode="json"),
              reason=reason)
    return plan


def _write_stages(s: Session, project_id: str, plan: FlywheelPlan) -> None:
    stages = Stages(s)
    kept = {stage_id(project_id, st.name) for st in plan.stages}
    s.execute(delete(StageRow).where(StageRow.project_id == project_id, StageRow.id.not_in(kept)))
    # positions are unique per project: move the kept stages out of the way first
    for row in s.scalars(select(StageRow).where(StageRow.project_id == project_id)):
        row.position += 10_000
    s.flush()
    for position, st in enumerate(plan.stages):
        record = Stage(id=stage_id(project_id, st.name), project_id=project_id, name=st.name,
                       position=position, layer=st.layer, goals=[st.goal], gate=st.gate,
                       outputs=list(st.outputs), raci_item=st.raci_item)
        if stages.find(record.id) is None:
            stages.add(record)
        else:
            stages.update(record)


def _plan_or_none(s: Session, project_id: str) -> dict[str, object] | None:
    try:
        return stored_plan(s, project_id).model_dump(mode="json")
    except NotFound:
        return None


def _refuse_unknown_items(s: Session, plan: FlywheelPlan) -> None:
    known = {i.id for i in RaciItems(s).list()}
    for n, st in enumerate(plan.stages):
        if st.raci_item not in known:
            raise BadInput(f"stage {st.name!r} names RACI item {st.raci_item!r}, which the "
                           "matrix does not have", field=f"stages.{n}.raci_item",
                           expected="one of " + ", ".join(sorted(known)),
                           kept="the plan in the workspace is unchanged", hint="flywheel raci show")


def _refuse_ids_too_long(project_id: str, plan: FlywheelPlan) -> None:
    for st in plan.stages:
        if len(stage_id(project_id, st.name)) > 64:
            raise BadInput(f"stage id {stage_id(project_id, st.name)!r} is too long",
                           field="stages.name", expected="project id + '.' + name ≤ 64 characters",
                           kept="the plan in the workspace is unchanged")


def _refuse_dropping_named(s: Session, project_id: str, kept: set[str]) -> None:
    named = set(s.scalars(select(FeedbackEventRow.stage_id).where(
        FeedbackEventRow.stage_id.is_not(None)))) | set(s.scalars(
        select(ThemeRow.stage_id).where(ThemeRow.stage_id.is_not(None))))
    ours = set(s.scalars(select(StageRow.id).where(StageRow.project_id == project_id)))
    dropped = sorted((ours - kept) & named)
    if dropped:
        raise BadInput("the new plan drops stages that feedback records name",
                       field="stages", expected="a plan that keeps " + ", ".join(dropped),
                       kept="the plan in the workspace is unchanged")


def show_plan(ws: Workspace, project_id: str) -> PlanView:
    """The project's plan with each stage's owners resolved from the RACI matrix now."""
    with ws.db.session() as s:
        plan = stored_plan(s, project_id)
        stages = [_owners(s, project_id, st.name, st.goal, st.outputs,
                          f"{st.gate.kind.value}>={st.gate.min}", st.raci_item,
                          st.layer.value if st.layer else None) for st in plan.stages]
    return PlanView(project_id=project_id, stages=stages, milestones=[
        m.model_dump(mode="json", exclude={"due_days"}) for m in plan.milestones])


def _owners(s: Session, project_id: str, name: str, goal: str, outputs: list[str], gate: str,
            item: str, layer: str | None) -> StageOwners:
    try:
        answer = who(s, item, project_id)
        accountable, responsible, problem = answer.accountable, answer.responsible, None
    except FlywheelError as exc:
        accountable, responsible, problem = None, [], str(exc)
    return StageOwners(name=name, goal=goal, outputs=outputs, gate=gate, raci_item=item,
                       layer=layer, accountable=accountable, responsible=responsible,
                       problem=problem)
