"""The Issue Pool: open issues with their Table 24-19 deadlines, and move them through their life.

new → acknowledged → assigned → resolved → closed (reopen: closed → acknowledged). Every change
is one transaction with its audit entry; `open_issue_in` joins the caller's transaction so the
delivery and experiment flows can open an issue atomically with their own writes. A P0/P1 issue
closes only with a published post-mortem that links an implemented process change
(see flows/issues/postmortems.py). Overdue issues escalate along owner → team lead → Data Owner →
decision committee (P0), each level notified and audited once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from dataflywheel.domain.calendar import BusinessCalendar
from dataflywheel.domain.policies.ordering import ISSUE_ORDER, issue_order
from dataflywheel.domain.policies.raci import role_holders
from dataflywheel.domain.policies.risk import (
    COMMITTEE_ROLES,
    EscalationLevel,
    EscalationTimer,
    deadlines_for,
    escalation_due,
    escalation_timer,
    parse_severity,
)
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.issue import (
    DiscoverySource,
    Issue,
    IssueLink,
    IssueRelation,
    PostMortem,
    Severity,
)
from dataflywheel.domain.roles import Role
from dataflywheel.domain.states import IssueState, move
from dataflywheel.errors import BadInput, Conflict, NotFound, from_validation
from dataflywheel.flows._audit import add_audited, update_audited
from dataflywheel.flows._listing import Listing
from dataflywheel.flows.notifications import notify
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.issues import IssueLinks, Issues, PostMortems
from dataflywheel.store.tables.issues import PostMortemRow
from dataflywheel.store.repositories.people import People, Projects, RoleHoldings, Teams

# record kind as callers name it → the IssueLink field that holds its id
LINK_KINDS: dict[str, str] = {
    "batch": "batch_id",
    "version": "version_id",
    "experiment": "experiment_id",
    "requirement": "requirement_id",
    "error_sample": "error_sample_id",
    "feedback": "feedback_event_id",
}
_ALIASES = {"dataset_version": "version", "feedback_event": "feedback", "error-sample": "error_sample",
            "errorsample": "error_sample"}

LinkSpec = tuple[str, str] | tuple[str, str, str]


def calendar_of(ws: Workspace) -> BusinessCalendar:
    from dataflywheel.flows.demand.lifecycle import calendar_of as of_settings

    return of_settings(ws.settings)


def parse_link(text: str) -> tuple[str, str]:
    """`batch:B-0001` → ("batch", "B-0001"); a clear error for anything else."""
    kind, sep, record_id = text.partition(":")
    if not sep or not record_id.strip() or not kind.strip():
        raise BadInput(f"cannot read link {text!r}", field="link",
                       expected="KIND:ID with KIND one of " + ", ".join(LINK_KINDS))
    return kind.strip(), record_id.strip()


def _link_field(kind: str) -> str:
    key = kind.strip().lower().replace("-", "_")
    key = _ALIASES.get(key, key)
    if key not in LINK_KINDS:
        raise BadInput(f"unknown linked record kind {kind!r}", field="links",
                       expected="one of " + ", ".join(LINK_KINDS))
    return LINK_KINDS[key]


def _target_exists(session: Session, field: str, record_id: str) -> bool:
    from dataflywheel.store.tables.data import BatchRow, DatasetVersionRow
    from dataflywheel.store.tables.demand import RequirementRow
    from dataflywheel.store.tables.experiments import ErrorSampleRow, ExperimentRow
    from dataflywheel.store.tables.feedback import FeedbackEventRow

    row_type: Any = {"batch_id": BatchRow, "version_id": DatasetVersionRow,
                     "experiment_id": ExperimentRow, "requirement_id": RequirementRow,
                     "error_sample_id": ErrorSampleRow, "feedback_event_id": FeedbackEventRow}[field]
    return session.get(row_type, record_id) is not None


def _build_links(session: Session, issue_id: str, links: Iterable[LinkSpec]) -> list[IssueLink]:
    built: dict[str, IssueLink] = {}
    for spec in links:
        kind, record_id = spec[0], spec[1]
        relation = _relation(spec[2]) if len(spec) == 3 else IssueRelation.AFFECTS
        field = _link_field(kind)
        if not _target_exists(session, field, record_id):
            raise NotFound(f"linked {kind} {record_id} does not exist", field="links",
                           kept="no issue was opened")
        link = IssueLink.to(issue_id, relation, **{field: record_id})
        built.setdefault(link.id, link)
    return list(built.values())


def _relation(value: str) -> IssueRelation:
    try:
        return IssueRelation(value)
    except ValueError:
        raise BadInput(f"unknown link relation {value!r}", field="links",
                       expected="one of " + ", ".join(r.value for r in IssueRelation)) from None


def _check_people(session: Session, project_id: str | None, **people: str | None) -> None:
    if project_id is not None and Projects(session).find(project_id) is None:
        raise NotFound(f"project {project_id} does not exist", field="project",
                       kept="no issue was opened", hint="flywheel projects list")
    for field, person in people.items():
        if person is not None and People(session).find(person) is None:
            raise NotFound(f"person {person} does not exist", field=field,
                           kept="no issue was opened", hint="flywheel people list")


def open_issue_in(
    session: Session, *, actor: str, calendar: BusinessCalendar, title: str,
    severity: Severity | str, source: DiscoverySource | str, project_id: str | None,
    owner_id: str | None = None, reporter_id: str | None = None,
    links: Sequence[LinkSpec] = (), description: str = "",
    remediate_by: datetime | None = None, now: datetime | None = None,
) -> Issue:
    """Open an issue inside the caller's transaction; refuses before writing anything.

    `links` are (record kind, record id[, relation]) pairs — kinds: batch, version, experiment,
    requirement, error_sample, feedback — and every linked record must exist. `remediate_by` may
    tighten (never loosen) the Table 24-19 remediation deadline and must lie in the future.
    """
    now = now or utcnow()
    sev = parse_severity(severity) if isinstance(severity, str) else severity
    src = _parse_source(source)
    deadlines = deadlines_for(sev, now, calendar)
    due = deadlines.remediate_by
    if remediate_by is not None:
        due = _explicit_deadline(remediate_by, now, deadlines.remediate_by)
    _check_people(session, project_id, owner=owner_id, reporter=reporter_id)
    repo = Issues(session)
    issue_id = repo.next_id()
    try:
        issue = Issue(id=issue_id, title=title.strip(), description=description, severity=sev,
                      source=src, project_id=project_id, owner_id=owner_id,
                      reporter_id=reporter_id, opened_at=now,
                      respond_by=min(deadlines.respond_by, due), remediate_by=due)
    except ValueError as exc:
        raise from_validation(exc, what="invalid issue") from None
    built = _build_links(session, issue_id, links)
    add_audited(repo, issue, actor=actor, reason=deadlines.rule)
    link_repo = IssueLinks(session)
    for link in built:
        add_audited(link_repo, link, actor=actor)
    if owner_id is not None:
        notify(session, actor=actor, to=owner_id, kind="issue", record_kind="issue",
               record_id=issue_id, at=now, subject=f"{sev.value} {issue_id} is yours: {issue.title}",
               body=f"respond by {issue.respond_by.isoformat() if issue.respond_by else '-'}; "
                    f"remediate by {due.isoformat()}")
    return issue


def open_issue(ws: Workspace, **fields: Any) -> Issue:
    """Open an issue in its own transaction (see `open_issue_in` for the fields)."""
    with ws.db.unit_of_work() as s:
        return open_issue_in(s, actor=ws.actor, calendar=calendar_of(ws), **fields)


def _parse_source(source: DiscoverySource | str) -> DiscoverySource:
    try:
        return DiscoverySource(str(source).strip().lower().replace("-", "_"))
    except ValueError:
        raise BadInput(f"unknown discovery source {source!r}", field="source",
                       expected="one of " + ", ".join(s.value for s in DiscoverySource)) from None


def _explicit_deadline(value: datetime, now: datetime, policy: datetime) -> datetime:
    if value.tzinfo is None:
        raise BadInput("a deadline must carry a time zone", field="remediate_by", got=str(value))
    if value <= now:
        raise BadInput("the remediation deadline is in the past", field="remediate_by",
                       expected=f"a time after {now.isoformat()}", got=value.isoformat(),
                       kept="no issue was opened")
    if value > policy:
        raise BadInput("a remediation deadline may only tighten the Table 24-19 deadline",
                       field="remediate_by", expected=f"no later than {policy.isoformat()}",
                       got=value.isoformat(), kept="no issue was opened")
    return value


# --- lifecycle -------------------------------------------------------------------------------


def _change(ws: Workspace, s: Session, issue: Issue, target: IssueState, action: str, *,
            reason: str | None = None, **fields: Any) -> Issue:
    state = move(f"issue {issue.id}", issue.state, target)
    try:
        after = Issue.model_validate({**issue.model_dump(), "state": state, **fields})
    except ValueError as exc:
        raise from_validation(exc, what=f"cannot {action.split('.')[-1]} issue {issue.id}") from None
    return update_audited(Issues(s), issue, after, actor=ws.actor, action=action, reason=reason)


def acknowledge(ws: Workspace, issue_id: str, *, note: str | None = None,
                now: datetime | None = None) -> Issue:
    """Record the response: new → acknowledged (stops the response clock)."""
    now = now or utcnow()
    with ws.db.unit_of_work() as s:
        issue = Issues(s).get(issue_id)
        return _change(ws, s, issue, IssueState.ACKNOWLEDGED, "issue.acknowledge", reason=note,
                       acknowledged_at=issue.acknowledged_at or now)


def assign(ws: Workspace, issue_id: str, *, owner_id: str, now: datetime | None = None) -> Issue:
    """Give the issue an owner (a response too, if none was recorded) and tell the owner."""
    now = now or utcnow()
    with ws.db.unit_of_work() as s:
        issue = Issues(s).get(issue_id)
        if People(s).find(owner_id) is None:
            raise NotFound(f"person {owner_id} does not exist", field="owner",
                           kept=f"{issue_id} is still {issue.state.value}", hint="flywheel people list")
        after = _change(ws, s, issue, IssueState.ASSIGNED, "issue.assign", owner_id=owner_id,
                        acknowledged_at=issue.acknowledged_at or now)
        notify(s, actor=ws.actor, to=owner_id, kind="issue", record_kind="issue", record_id=issue_id,
               at=now, subject=f"{issue.severity.value} {issue_id} is assigned to you: {issue.title}",
               body=f"remediate by {issue.remediate_by.isoformat() if issue.remediate_by else '-'}")
        return after


def resolve(ws: Workspace, issue_id: str, *, resolution: str, root_cause: str | None = None,
            now: datetime | None = None) -> Issue:
    """Fixed or mitigated: acknowledged|assigned → resolved, with what was done."""
    if not resolution.strip():
        raise BadInput(f"resolving {issue_id} needs a resolution (what was fixed or mitigated)",
                       field="resolution")
    with ws.db.unit_of_work() as s:
        issue = Issues(s).get(issue_id)
        return _change(ws, s, issue, IssueState.RESOLVED, "issue.resolve", resolution=resolution,
                       root_cause=root_cause or issue.root_cause, resolved_at=now or utcnow())


def close(ws: Workspace, issue_id: str, *, reason: str | None = None,
          now: datetime | None = None) -> Issue:
    """Close a resolved issue (or dismiss a new one with a reason).

    P0 and P1 issues close only with a published post-mortem whose process change links an
    implemented record; anything else is refused with what is missing.
    """
    from dataflywheel.flows.issues.postmortems import require_closable

    with ws.db.unit_of_work() as s:
        issue = Issues(s).get(issue_id)
        if issue.state is IssueState.NEW and not (reason or "").strip():
            raise BadInput(f"dismissing new issue {issue_id} needs a reason", field="reason",
                           kept=f"{issue_id} is still new")
        move(f"issue {issue.id}", issue.state, IssueState.CLOSED)
        if issue.severity.needs_post_mortem:
            require_closable(s, issue)
        return _change(ws, s, issue, IssueState.CLOSED, "issue.close", reason=reason,
                       closed_at=now or utcnow())


def reopen(ws: Workspace, issue_id: str, *, reason: str, now: datetime | None = None) -> Issue:
    """closed → acknowledged: the problem came back; the reason is audited."""
    if not reason.strip():
        raise BadInput(f"reopening {issue_id} needs a reason", field="reason")
    with ws.db.unit_of_work() as s:
        issue = Issues(s).get(issue_id)
        if issue.state is not IssueState.CLOSED:  # a state conflict (409), not a refusal of the caller
            raise Conflict(f"only a closed issue is reopened; {issue_id} is {issue.state.value}",
                           kept=f"{issue_id} is unchanged")
        return _change(ws, s, issue, IssueState.ACKNOWLEDGED, "issue.reopen", reason=reason,
                       closed_at=None, resolved_at=None, acknowledged_at=now or utcnow())


# --- escalation ------------------------------------------------------------------------------


class Escalation(BaseModel):
    issue_id: str
    severity: Severity
    from_level: int
    to_level: int
    notified: list[str]
    note: str = ""


def _level_people(s: Session, issue: Issue, level: EscalationLevel,
                  committee: Sequence[Role] = COMMITTEE_ROLES) -> set[str]:
    holdings = RoleHoldings(s).list()
    if level is EscalationLevel.OWNER:
        return {issue.owner_id} if issue.owner_id else set()
    if level is EscalationLevel.TEAM_LEAD:
        owner = People(s).find(issue.owner_id) if issue.owner_id else None
        team = Teams(s).find(owner.team_id) if owner and owner.team_id else None
        return {team.lead_id} if team and team.lead_id else set()
    if level is EscalationLevel.DATA_OWNER:
        return role_holders(Role.DATA_OWNER, issue.project_id, holdings)
    return set().union(*(role_holders(r, issue.project_id, holdings) for r in committee))


def _escalate_one(ws: Workspace, s: Session, issue: Issue, target: EscalationLevel,
                  now: datetime, committee: Sequence[Role]) -> Escalation:
    notified: set[str] = set()
    notes: list[str] = []
    for level in range(issue.escalation_level + 1, target + 1):
        step = EscalationLevel(level)
        people = _level_people(s, issue, step, committee)
        if not people:
            notes.append(f"no {step.label} on record")
            continue
        for person in sorted(people - notified):
            notify(s, actor=ws.actor, to=person, kind="escalation", record_kind="issue",
                   record_id=issue.id, at=now,
                   subject=f"{issue.severity.value} {issue.id} escalated to {step.label}: {issue.title}",
                   body=f"state {issue.state.value}; respond by {_iso(issue.respond_by)}; "
                        f"remediate by {_iso(issue.remediate_by)}")
        notified |= people
    if not notified:  # nobody on the path: the Data Owner hears of it rather than no one
        notified = _level_people(s, issue, EscalationLevel.DATA_OWNER)
        for person in sorted(notified):
            notify(s, actor=ws.actor, to=person, kind="escalation", record_kind="issue",
                   record_id=issue.id, at=now, body="; ".join(notes),
                   subject=f"{issue.severity.value} {issue.id} is overdue and has nobody on its "
                           f"escalation path: {issue.title}")
    note = "; ".join(notes)
    _change_level(ws, s, issue, target, now, reason=f"overdue → {target.label}" +
                  (f" ({note})" if note else ""))
    return Escalation(issue_id=issue.id, severity=issue.severity, from_level=issue.escalation_level,
                      to_level=int(target), notified=sorted(notified), note=note)


def _change_level(ws: Workspace, s: Session, issue: Issue, level: EscalationLevel, now: datetime,
                  *, reason: str) -> None:
    after = issue.model_copy(update={"escalation_level": int(level), "escalated_at": now})
    update_audited(Issues(s), issue, after, actor=ws.actor, action="issue.escalate", reason=reason)


def escalate_overdue(ws: Workspace, *, now: datetime | None = None,
                     committee: Sequence[Role] = COMMITTEE_ROLES) -> list[Escalation]:
    """Escalate every open issue whose deadlines have passed; each level is notified once.

    `committee` configures who the P0 decision committee is (role holders in the project).
    """
    if not committee:
        raise BadInput("the decision committee needs at least one role", field="committee")
    now = now or utcnow()
    done: list[Escalation] = []
    with ws.db.unit_of_work() as s:
        for issue in Issues(s).list():
            target = escalation_due(issue, now)
            if target > issue.escalation_level:
                done.append(_escalate_one(ws, s, issue, target, now, committee))
    return done


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else "-"


# --- reading ---------------------------------------------------------------------------------


def list_issues(ws: Workspace, *, state: str | None = None, severity: str | None = None,
                project_id: str | None = None, owner_id: str | None = None) -> list[Issue]:
    """Issues filtered by state, severity, project and owner, most urgent first (`issue_order`:
    severity, remediation deadline, age); unknown filter values are refused."""
    equals = _issue_filters(state, severity, project_id, owner_id)
    with ws.db.session() as s:
        found = Issues(s).list(**{k: v for k, v in equals.items() if v is not None})
    return sorted(found, key=issue_order)


def issues(ws: Workspace, *, state: str | None = None, severity: str | None = None,
           project_id: str | None = None, owner_id: str | None = None,
           opened_from: datetime | None = None,
           opened_to: datetime | None = None) -> Listing[Issue]:
    """The issues of `list_issues`, in its order, a page at a time or streamed (`flywheel issues
    list`, `GET /api/v1/issues`): sorted and paged by the database (`ISSUE_ORDER`), optionally
    only those opened in [`opened_from`, `opened_to`)."""
    _check_window(opened_from, opened_to)
    return Listing.ordered(ws, Issues, ISSUE_ORDER,
                           **_issue_filters(state, severity, project_id, owner_id),
                           opened_from=opened_from, opened_to=opened_to)


def _check_window(since: datetime | None, until: datetime | None) -> None:
    for field, value in (("opened_from", since), ("opened_to", until)):
        if value is not None and value.tzinfo is None:
            raise BadInput("a date filter must carry a time zone", field=field, got=str(value),
                           expected="ISO 8601 with a zone, e.g. 2026-12-01T00:00:00Z")
    if since is not None and until is not None and since >= until:
        raise BadInput("the opening window is empty", field="opened_to",
                       expected=f"a time after opened_from {since.isoformat()}",
                       got=until.isoformat())


def _issue_filters(state: str | None, severity: str | None, project_id: str | None,
                   owner_id: str | None) -> dict[str, str | None]:
    """The column filters of an issue list (None: no filter); an unknown state or severity is
    `BadInput`."""
    if state is not None and state not in {st.value for st in IssueState}:
        raise BadInput(f"unknown issue state {state!r}", field="state",
                       expected="one of " + ", ".join(st.value for st in IssueState))
    sev = parse_severity(severity).value if severity is not None else None
    return {"state": state, "severity": sev, "project_id": project_id, "owner_id": owner_id}


def issue_detail(ws: Workspace, issue_id: str) -> tuple[Issue, list[IssueLink]]:
    with ws.db.session() as s:
        issue = Issues(s).get(issue_id)
        return issue, Issues(s).links(issue_id)


class IssueView(Issue):
    """One issue as `flywheel issues show --json` and `GET /api/v1/issues/{issue}` answer it: the
    record, its links (`{KIND_id: ID, "relation": …}`), its post-mortem and its escalation clock."""

    links: list[dict[str, str]]
    post_mortem: PostMortem | None
    escalation: EscalationTimer


def issue_view(ws: Workspace, issue_id: str, *, now: datetime | None = None) -> IssueView:
    """The issue with its links, post-mortem (None if it has none) and escalation timers."""
    with ws.db.session() as s:
        issue = Issues(s).get(issue_id)
        links = Issues(s).links(issue_id)
        pm = s.scalar(select(PostMortemRow).where(PostMortemRow.issue_id == issue_id))
        post_mortem = PostMortems(s).to_record(pm) if pm is not None else None
    return IssueView(**issue.model_dump(),
                     links=[dict([lk.target]) | {"relation": lk.relation.value} for lk in links],
                     post_mortem=post_mortem, escalation=escalation_timer(issue, now or utcnow()))
