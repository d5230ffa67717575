"""The Issue Pool: open issues with their Table 24-19 deadlines, and move them through their life.

new → acknowledged → assigned → resolved → closed (reopen: closed → acknowledged). Every change
is one transaction with its audit entry; `open_issue_in` joins the caller's transaction so the
delivery and experiment flows can open an issue atomically with their own writes. A P0/P1 issue
closes only with a published post-mortem that links an implemented process change
(see flows/postmortems.py). Overdue issues escalate along owner → team lead → Data Owner →
decision committee (P0), each level notified and audited once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dataflywheel.domain.calendar import BusinessCalendar
from dataflywheel.domain.policies.risk import deadlines_for, parse_severity
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.issue import DiscoverySource, Issue, IssueLink, IssueRelation, Severity
from dataflywheel.errors import BadInput, NotFound, from_validation
from dataflywheel.flows._audit import add_audited
from dataflywheel.flows.notifications import notify
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.issues import IssueLinks, Issues
from dataflywheel.store.repositories.people import People, Projects

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
    from dataflywheel.flows.demand import calendar_of as of_settings

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
        relation = IssueRelation(spec[2]) if len(spec) == 3 else IssueRelation.AFFECTS
        field = _link_field(kind)
        if not _target_exists(session, field, record_id):
            raise NotFound(f"linked {kind} {record_id} does not exist", field="links",
                           kept="no issue was opened")
        link = IssueLink.to(issue_id, relation, **{field: record_id})
        built.setdefault(link.id, link)
    return list(built.values())


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
