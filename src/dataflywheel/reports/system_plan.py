"""The stage plan as stored, read back as the plan it was loaded from, and the milestone board.

The board (P10 §10.2) is computed, never typed: each milestone is done on the day its evidence
reached its threshold in the records (`domain.policies.flywheel_runs.board_entry`).
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy.orm import Session

from dataflywheel.domain.policies.flywheel_plan import FlywheelPlan, PlanMilestone, PlanStage
from dataflywheel.domain.policies.flywheel_runs import (BoardEntry, BoardState, board_entry,
                                                       stage_result, summarise)
from dataflywheel.domain.records.flywheel import FlywheelRun
from dataflywheel.errors import NotFound
from dataflywheel.reports.system_evidence import gate_evidence
from dataflywheel.store.repositories.people import Projects
from dataflywheel.store.repositories.plans import Milestones, Stages
from dataflywheel.store.tables.plans import MilestoneRow


def stage_id(project_id: str, name: str) -> str:
    return f"{project_id}.{name}"


def stored_plan(session: Session, project_id: str) -> FlywheelPlan:
    """The plan loaded for `project_id`; `NotFound` (with the command to load one) if none."""
    Projects(session).get(project_id)
    stages = [s for s in Stages(session).of_project(project_id) if s.gate is not None]
    if not stages:
        raise NotFound(f"project {project_id!r} has no flywheel plan",
                       hint=f"flywheel system plan load --project {project_id}")
    names = {s.id: s.name for s in stages}
    milestones = sorted(Milestones(session).matching(MilestoneRow.project_id == project_id),
                        key=lambda m: (m.due_on, m.id))
    return FlywheelPlan(
        stages=[PlanStage(name=s.name, goal=s.goals[0] if s.goals else s.name,
                          outputs=s.outputs, gate=s.gate, raci_item=s.raci_item or "",
                          layer=s.layer) for s in stages if s.gate is not None],
        milestones=[PlanMilestone(title=m.title, stage=names.get(m.stage_id or "", ""),
                                  due=m.due_on, evidence=m.evidence)
                    for m in milestones if m.evidence is not None])


class StageOwners(BaseModel):
    """A stage of the plan and who owns it: the A and R people of its RACI item, or the problem
    that keeps them from being named (a gap the org view shows)."""

    name: str
    goal: str
    outputs: list[str]
    gate: str
    raci_item: str
    layer: str | None
    accountable: str | None
    responsible: list[str]
    problem: str | None


class PlanView(BaseModel):
    project_id: str
    stages: list[StageOwners]
    milestones: list[dict[str, object]]


class MilestoneBoard(BaseModel):
    project_id: str
    today: date
    rows: list[BoardEntry]

    @property
    def late(self) -> int:
        return sum(r.state in (BoardState.LATE, BoardState.DONE_LATE) for r in self.rows)


def milestone_board(session: Session, project_id: str, *, now: datetime) -> MilestoneBoard:
    """Every milestone of the project's plan: due, done (on time or late) or late, from records
    up to `now`."""
    plan = stored_plan(session, project_id)
    rows = []
    for milestone in plan.milestones:
        evidence = gate_evidence(session, milestone.evidence.kind, since=None, until=now)
        entry = board_entry(milestone, evidence, today=now.date())
        rows.append(entry)
    return MilestoneBoard(project_id=project_id, today=now.date(), rows=rows)


def judge_run(session: Session, project_id: str, *, since: datetime, until: datetime,
              recorded_by: str, run_id: str = "FWR-0000") -> FlywheelRun:
    """The run the records give for the project's plan over `[since, until)` (not stored)."""
    plan = stored_plan(session, project_id)
    results = [stage_result(st, gate_evidence(session, st.gate.kind, since=since, until=until))
               for st in plan.stages]
    rate, average = summarise(results)
    return FlywheelRun(id=run_id, project_id=project_id, since=since, until=until,
                       stages=results, completion_rate=rate, average_score=average,
                       recorded_by_id=recorded_by, recorded_at=until)
