"""The self-assessment (`flywheel assess`) on the report pattern: the counts it judges from, read
in one session (`read_facts`), and the context the pages render.

The judgements themselves are `metrics.maturity`'s; the flow (`flows.assess`) adds what only
flows can tell (the RACI check, the notice record of contract changes, the metric layers, the
Table 24-30 answers) and builds the context. Like every report, the same records give the same
bytes: `inputs_sha256` digests the facts and answers the judgements rest on.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from sqlalchemy import distinct, func, select

from dataflywheel.domain.records.raci import NO_RESPONSE
from dataflywheel.domain.roles import Role
from dataflywheel.domain.states import (ContractVersionState, GrantState, PostMortemState,
                                        RequirementState)
from dataflywheel.metrics.compute import version_record_complete
from dataflywheel.metrics.maturity import (Answer, Facts, Judgement, Level, StageJudgement,
                                           WeekCheck)
from dataflywheel.reports.spec import ReportSpec

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

PRODUCING = (Role.DATA_ENGINEER, Role.ANNOTATION_ENGINEER)
CONSUMING = (Role.ALGORITHM_ENGINEER, Role.QUALITY_EVALUATOR)
SERIOUS = ("P0", "P1")


class Assessment(BaseModel):
    """The whole self-assessment as of one moment over one window."""

    as_of: datetime
    since: datetime
    window_days: int
    checklist: list[Judgement]
    stage: StageJudgement
    questions: list[Answer]
    roadmap: list[WeekCheck]
    facts: dict[str, Any]
    inputs_sha256: str

    @property
    def weakest(self) -> list[Judgement]:
        """The two or three lowest dimensions: the chapter's next-quarter targets."""
        low = sorted(self.checklist, key=lambda j: j.level)[:3]
        return [j for j in low if j.level < Level.CONTINUOUSLY_OPTIMIZED]


def _count(s: Session, *where: Any, of: Any = None) -> int:
    column = of if of is not None else func.count()
    return int(s.execute(select(column).select_from(where[0]).where(*where[1:])).scalar_one())


def read_facts(s: Session, since: datetime, until: datetime) -> Facts:
    """The counts of the records the checklist judges, over [since, until) where a criterion
    speaks of the window and in all otherwise (`Facts` names which)."""
    from dataflywheel.store.tables.audit import AuditEntryRow as Au
    from dataflywheel.store.tables.contracts import ContractRow, ContractVersionRow
    from dataflywheel.store.tables.data import BatchRow as B
    from dataflywheel.store.tables.data import DatasetVersionRow as DV
    from dataflywheel.store.tables.demand import RequirementRow as R
    from dataflywheel.store.tables.experiments import ExperimentRow as E
    from dataflywheel.store.tables.experiments import ExperimentVersionRow as EV
    from dataflywheel.store.tables.governance import AccessGrantRow as G
    from dataflywheel.store.tables.governance import AssetRow, AssetUseRow
    from dataflywheel.store.tables.issues import IssueRow as I
    from dataflywheel.store.tables.issues import PostMortemRow as PM
    from dataflywheel.store.tables.people import RoleHoldingRow
    from dataflywheel.store.tables.raci import ConsultationRow as C
    from dataflywheel.store.tables.raci import RaciItemRow
    from dataflywheel.store.repositories.data import DatasetVersions

    def within(column: Any) -> tuple[Any, Any]:
        return column >= since, column < until

    roles = set(s.execute(select(distinct(RoleHoldingRow.role))).scalars())
    window_reqs = (R, *within(R.created_at))
    annotation = select(R.id).where(R.kind == "annotation")
    window_batches = (B, *within(B.received_at))
    window_annotation = (*window_batches, B.requirement_id.in_(annotation))
    frozen = DatasetVersions(s).matching(*within(DV.frozen_at))
    window_experiments = (E, *within(E.started_at))
    serious_done = (I, I.severity.in_(SERIOUS), func.coalesce(I.resolved_at, I.closed_at) >= since,
                    func.coalesce(I.resolved_at, I.closed_at) < until)
    published = (PM, PM.state == PostMortemState.PUBLISHED.value, *within(PM.published_at))
    open_serious = (I, I.severity.in_(SERIOUS), I.resolved_at.is_(None), I.closed_at.is_(None))
    mixed, one_guide = _mixed_guides(s, since, until)
    # A release records the answer of every person it consults — given with a request before
    # (`flywheel raci consult`) or at the freeze (`--consult`) — or "no response"; requests on
    # other records count by their own state.
    requests = (C, *within(C.requested_at), C.record_kind != "dataset_version")
    consulted_at_release = _count(s, Au, Au.action == "version.consulted", *within(Au.at))
    answered_at_release = _count(s, Au, Au.action == "version.consulted", *within(Au.at),
                                 Au.reason.not_like(f"%: {NO_RESPONSE}"))
    return Facts(
        weeks=max(1, round((until - since).days / 7)),
        raci_items=_count(s, RaciItemRow),
        window_consultations=_count(s, *requests) + consulted_at_release,
        window_consultations_answered=_count(s, *requests, C.state == "answered")
        + answered_at_release,
        producer_roles_held=tuple(r.value for r in PRODUCING if r.value in roles),
        consumer_roles_held=tuple(r.value for r in CONSUMING if r.value in roles),
        requirements=_count(s, R, R.state != RequirementState.WITHDRAWN.value),
        window_requirements=_count(s, *window_reqs),
        window_requirements_templated=_count(
            s, *window_reqs, func.length(func.trim(func.coalesce(R.acceptance_criteria, ""))) > 0,
            R.deadline.is_not(None)),
        window_requirements_reviewed=_count(s, *window_reqs, R.state.not_in((
            RequirementState.SUBMITTED.value, RequirementState.WITHDRAWN.value))),
        contracts=_count(s, ContractRow),
        active_contract_versions=_count(s, ContractVersionRow, ContractVersionRow.state
                                        == ContractVersionState.ACTIVE.value),
        window_batches=_count(s, *window_batches),
        window_batches_checked=_count(s, *window_batches, B.checked_at.is_not(None)),
        guided_batches=_count(s, B, B.guide_version.is_not(None)),
        window_annotation_batches=_count(s, *window_annotation),
        window_annotation_batches_guided=_count(s, *window_annotation,
                                                B.guide_version.is_not(None)),
        mixed_requirements=mixed, mixed_requirements_one_guide=one_guide,
        checked_batches=_count(s, B, B.checked_at.is_not(None)),
        window_batches_spot_checked=_spot_checked(s, since, until),
        frozen_versions=_count(s, DV, DV.frozen_at.is_not(None)),
        window_versions_frozen=len(frozen),
        window_versions_complete=sum(version_record_complete(v) for v in frozen),
        window_versions_with_quality_report=sum(bool(v.quality_summary.get("report_sha256"))
                                                for v in frozen),
        window_experiments=_count(s, *window_experiments),
        window_experiments_with_versions=_count(s, *window_experiments,
                                                E.id.in_(select(EV.experiment_id))),
        grants=_count(s, G),
        grants_past_expiry_active=_count(s, G, G.state == GrantState.ACTIVE.value,
                                         G.expires_at < until),
        grants_ended_on_expiry=_count(s, G, G.state == GrantState.EXPIRED.value),
        window_audited_reads=_count(s, Au, Au.action == "version.read", *within(Au.at)),
        issues=_count(s, I),
        window_serious_issues=_count(s, *serious_done),
        window_serious_with_postmortem=_count(s, *serious_done, I.id.in_(
            select(PM.issue_id).where(PM.state == PostMortemState.PUBLISHED.value))),
        open_serious_issues=_count(s, *open_serious),
        open_serious_owned_and_due=_count(s, *open_serious, I.owner_id.is_not(None),
                                          I.remediate_by.is_not(None)),
        window_postmortems=_count(s, *published),
        window_postmortems_with_change=_count(s, *published, PM.change_kind.is_not(None)),
        assets=_count(s, AssetRow, AssetRow.retired_at.is_(None)),
        requestable_assets=_count(s, AssetRow, AssetRow.retired_at.is_(None),
                                  AssetRow.requestable.is_(True)),
        assets_granted=_count(s, G, G.granted_at.is_not(None), of=func.count(distinct(G.asset_id))),
        assets_reused=len(s.execute(select(AssetUseRow.asset_id).group_by(AssetUseRow.asset_id)
                                    .having(func.count(distinct(AssetUseRow.project_id)) > 1))
                          .all()),
        reports_sent=_reports_sent(s, since, until),
        projects_across_teams=_projects_across_teams(s),
    )


def _spot_checked(s: Session, since: datetime, until: datetime) -> int:
    from dataflywheel.store.tables.data import BatchRow as B
    from dataflywheel.store.tables.reviews import ReviewRow

    return int(s.execute(select(func.count(distinct(ReviewRow.batch_id))).join(
        B, B.id == ReviewRow.batch_id).where(B.received_at >= since, B.received_at < until))
        .scalar_one())


def _mixed_guides(s: Session, since: datetime, until: datetime) -> tuple[int, int]:
    """Annotation requirements of the window delivered both by a vendor and by internal staff,
    and how many of them used one guide version throughout."""
    from dataflywheel.store.tables.data import BatchRow as B
    from dataflywheel.store.tables.demand import RequirementRow as R

    rows = s.execute(select(B.requirement_id, B.delivered_by_vendor_id, B.guide_version).where(
        B.received_at >= since, B.received_at < until,
        B.requirement_id.in_(select(R.id).where(R.kind == "annotation"))))
    vendor: dict[str, set[bool]] = defaultdict(set)
    guides: dict[str, set[str | None]] = defaultdict(set)
    for requirement, by_vendor, guide in rows:
        vendor[requirement].add(by_vendor is not None)
        guides[requirement].add(guide)
    mixed = [r for r, kinds in vendor.items() if kinds == {True, False}]
    return len(mixed), sum(len(guides[r]) == 1 and None not in guides[r] for r in mixed)


def _reports_sent(s: Session, since: datetime, until: datetime) -> dict[str, int]:
    """The team-wide cadence reports sent for periods that begin in the window, by name: each
    send is a `report.send` audit entry keyed by report and period (`monday 2026-W48`), so a
    report sent late — a schedule catching up — still counts for its own week."""
    from dataflywheel.domain.report_schedule import REPORTS, SEND_ACTION, period_start
    from dataflywheel.store.tables.audit import AuditEntryRow as Au

    keys = s.execute(select(distinct(Au.record_id)).where(
        Au.action == SEND_ACTION, Au.record_kind == "report")).scalars()
    first, last = since.date(), until.date()
    sent: dict[str, int] = defaultdict(int)
    for key in keys:
        parts = key.split(" ")
        if len(parts) != 2 or parts[0] not in REPORTS:  # a project's own report: not team-wide
            continue
        try:
            begins = period_start(parts[1])
        except ValueError:
            continue
        if first <= begins < last:
            sent[parts[0]] += 1
    return dict(sorted(sent.items()))


def _projects_across_teams(s: Session) -> int:
    """Projects whose requirements' requesters and responsible people belong to two teams or
    more: a chain across teams, the kind the chapter recommends as a pilot."""
    from dataflywheel.store.tables.demand import RequirementRow as R
    from dataflywheel.store.tables.people import PersonRow as P

    teams: dict[str, set[str]] = defaultdict(set)
    for person_column in (R.requester_id, R.responsible_id):
        rows = s.execute(select(distinct(R.project_id), P.team_id).join(
            P, P.id == person_column).where(P.team_id.is_not(None)))
        for project, team in rows:
            teams[project].add(team)
    return sum(len(t) > 1 for t in teams.values())


ASSESSMENT = ReportSpec(name="assessment", context=Assessment, template="assessment")
