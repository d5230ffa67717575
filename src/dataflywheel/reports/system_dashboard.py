"""The executive dashboard's data (P10 §19): one typed context answering whether the flywheel is
healthy, which stages are complete, which bottleneck to handle first, whether cross-project
regression risk exists, and whether the governance layer works — every answer from records.

Health rule: every stage of the window completed, no high-severity bottleneck, and governance
working (audit chain intact, no open issue past its deadline, no late milestone, no responsibility
surface without people). Regression risk is cross-project when a project with failed experiments
or regressions in the window has consumers of its interfaces.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.orm import Session

from dataflywheel.domain.policies.bottlenecks import RuleSet, Severity
from dataflywheel.domain.records.flywheel import FlywheelRun, StageStatus
from dataflywheel.reports import system_cost, system_org
from dataflywheel.reports.spec import ReportSpec
from dataflywheel.reports.system_bottlenecks import BottleneckRow, find_bottlenecks
from dataflywheel.reports.system_evidence import bottleneck_facts
from dataflywheel.reports.system_plan import MilestoneBoard, judge_run, milestone_board
from dataflywheel.store.audit import verify_chain
from dataflywheel.store.repositories.people import Projects
from dataflywheel.store.repositories.plans import FlywheelRuns


class RegressionRisk(BaseModel):
    project: str
    failed_runs: int
    regressions: int
    consumers: list[str]


class Governance(BaseModel):
    audit_chain_ok: bool
    audit_problems: int
    issues_past_sla: int
    late_milestones: int
    responsibility_gaps: list[str]

    @property
    def works(self) -> bool:
        return (self.audit_chain_ok and not self.issues_past_sla and not self.late_milestones
                and not self.responsibility_gaps)


class Dashboard(BaseModel):
    project_id: str
    since: datetime
    until: datetime
    healthy: bool
    why: list[str]
    run: FlywheelRun
    latest_recorded_run: str | None
    bottlenecks: list[BottleneckRow]
    first_bottleneck: BottleneckRow | None
    regression_risk: list[RegressionRisk]
    cross_project_regression_risk: bool
    governance: Governance
    governance_works: bool
    milestones: MilestoneBoard
    total_review_hours: float
    total_review_cost: float


def query(session: Session, project_id: str, *, since: datetime, until: datetime,
          rules: RuleSet) -> Dashboard:
    """The dashboard of `project_id`'s plan over `[since, until)`."""
    run = judge_run(session, project_id, since=since, until=until, recorded_by="dashboard")
    bottlenecks = find_bottlenecks(session, rules, since=since, until=until)
    board = milestone_board(session, project_id, now=until)
    facts = bottleneck_facts(session, since=since, until=until, now=until)
    consumers = system_cost.downstream(Projects(session).list())
    risk = [RegressionRisk(project=p, failed_runs=facts.failed_runs.get(p, 0),
                           regressions=facts.regressions.get(p, 0),
                           consumers=consumers.get(p, []))
            for p in sorted(set(facts.failed_runs) | set(facts.regressions))]
    problems = verify_chain(session)
    governance = Governance(audit_chain_ok=not problems, audit_problems=len(problems),
                            issues_past_sla=sum(facts.issues_past_sla.values()),
                            late_milestones=board.late,
                            responsibility_gaps=system_org.query(session).gaps)
    cost = system_cost.query(session)
    why = _why(run, bottlenecks, governance)
    latest = FlywheelRuns(session).latest()
    return Dashboard(
        project_id=project_id, since=since, until=until, healthy=not why, why=why, run=run,
        latest_recorded_run=latest.id if latest else None, bottlenecks=bottlenecks,
        first_bottleneck=bottlenecks[0] if bottlenecks else None, regression_risk=risk,
        cross_project_regression_risk=any(r.consumers for r in risk), governance=governance,
        governance_works=governance.works, milestones=board,
        total_review_hours=cost.total_review_hours, total_review_cost=cost.total_review_cost)


def _why(run: FlywheelRun, bottlenecks: list[BottleneckRow], governance: Governance) -> list[str]:
    """Each reason the flywheel is not healthy (none: healthy)."""
    why = [f"stage {s.stage} is {s.status.value.replace('_', ' ')}" for s in run.stages
           if s.status is not StageStatus.COMPLETED]
    why += [f"high-severity bottleneck {b.name} ({b.project})" for b in bottlenecks
            if b.severity is Severity.HIGH]
    if not governance.audit_chain_ok:
        why.append(f"the audit chain has {governance.audit_problems} problem(s)")
    if governance.issues_past_sla:
        why.append(f"{governance.issues_past_sla} open issue(s) past their deadline")
    if governance.late_milestones:
        why.append(f"{governance.late_milestones} milestone(s) late")
    why += [f"responsibility gap: {g}" for g in governance.responsibility_gaps]
    return why


def pct(value: float) -> str:
    return f"{value:.2%}"


DASHBOARD = ReportSpec(name="system_dashboard", context=Dashboard, template="system_dashboard",
                       helpers={"pct": pct})
