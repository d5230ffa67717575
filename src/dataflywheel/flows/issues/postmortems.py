"""Blameless post-mortems: draft → review → published, and the gate that closes P0/P1 issues.

A post-mortem asks why the process let the problem through, not who: its root cause may not name a
person of the team. Its process change must link an implemented record, verified when linked and
again when published and when the issue closes:

- `contract_version` — a contract version added or activated after the issue was opened, and
  now active (or since superseded);
- `raci_change` — a RACI item that exists, with a `raci.import` audit entry after the issue opened;
- `check` — a check registered in this installation (`flywheel check list` names them);
- `guide_version` — an annotation-guide version that a delivered batch already uses.

"After the issue was opened" is decided by audit-log order, not by clocks.
Publishing files the post-mortem in the knowledge base, linked to its issue.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.issue import Issue, PostMortem, ProcessChangeKind, TimelineEntry
from dataflywheel.domain.states import ContractVersionState, PostMortemState, move
from dataflywheel.errors import BadInput, NotFound, PolicyViolation, from_validation
from dataflywheel.flows._audit import add_audited, update_audited
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.issues import Issues, PostMortems
from dataflywheel.store.repositories.people import People
from dataflywheel.store.tables.audit import AuditEntryRow
from dataflywheel.store.tables.issues import PostMortemRow

SECTIONS = ("event", "impact", "timeline", "root_cause", "remediation", "preventive_measures",
            "process_change")

# Each section with the question it answers and its empty value, in the order of the template.
QUESTIONS: tuple[tuple[str, str, str], ...] = (
    ("event", "What happened, and how was it discovered?", '""'),
    ("impact", "Which data, versions, experiments and people were affected, and how much?", '""'),
    ("timeline", "One entry per moment (UTC): detected, acknowledged, mitigated, resolved. E.g.\n"
                 "  - at: 2026-11-25T10:00:00Z\n    what: the Wednesday spot check flagged the batch",
     "[]"),
    ("root_cause", "Why did the process let it through? Which check, contract clause or review was\n"
                   "missing or weak? Name a process, not a person: a root cause naming someone of\n"
                   "the team is refused.", '""'),
    ("remediation", "What was done to fix or mitigate it?", '""'),
    ("preventive_measures", "What will stop it from happening again? One list item per measure.",
     "[]"),
    ("process_change", "Which implemented change (contract version, RACI change, check, guide\n"
                       "version) carries the lesson? Link it afterwards:\n"
                       "flywheel issues postmortem-link {issue_id} --kind KIND --ref ID", '""'),
)


def template(ws: Workspace, issue_id: str) -> str:
    """The blameless template, headed with the issue: YAML that `write` (and the CLI's
    `postmortem --file`) accepts back as it is, the questions as comments, every section empty.
    Empty sections stay "still missing" until filled, so a half-filled file is a valid draft."""
    with ws.db.session() as s:
        issue = Issues(s).get(issue_id)
    title = " ".join(issue.title.split())
    lines = [f"# Post-mortem of {issue.id}: {title}",
             "# Blameless by design: we ask why the process let this through, not who.",
             f"# Fill in the sections, then: flywheel issues postmortem {issue.id} --file FILE",
             "# (again while it is a draft)."]
    for section, question, empty in QUESTIONS:
        comment = question.format(issue_id=issue.id).splitlines()
        lines += ["", *(f"# {line}" for line in comment), f"{section}: {empty}"]
    return "\n".join(lines) + "\n"


def _issue_added_seq(s: Session, issue_id: str) -> int:
    seq = s.scalar(select(func.min(AuditEntryRow.seq)).where(
        AuditEntryRow.record_kind == "issue", AuditEntryRow.record_id == issue_id))
    return int(seq or 0)


def _audited_after(s: Session, seq: int, *, actions: tuple[str, ...], record_id: str | None) -> bool:
    stmt = select(func.count()).select_from(AuditEntryRow).where(
        AuditEntryRow.seq > seq, AuditEntryRow.action.in_(actions))
    if record_id is not None:
        stmt = stmt.where(AuditEntryRow.record_id == record_id)
    return bool(s.scalar(stmt))


def verify_change(s: Session, issue: Issue, kind: ProcessChangeKind, ref: str) -> None:
    """Raise unless `ref` names an implemented change of `kind` made for this issue."""
    after = _issue_added_seq(s, issue.id)
    if kind is ProcessChangeKind.CONTRACT_VERSION:
        _verify_contract_version(s, after, ref)
    elif kind is ProcessChangeKind.RACI_CHANGE:
        _verify_raci(s, after, ref)
    elif kind is ProcessChangeKind.CHECK:
        from dataflywheel.checks.base import available_checks

        if ref not in available_checks():
            raise NotFound(f"check {ref!r} is not registered", field="change",
                           expected="one of " + ", ".join(available_checks()))
    else:
        _verify_guide(s, ref)


def _verify_contract_version(s: Session, after: int, ref: str) -> None:
    from dataflywheel.store.repositories.contracts import ContractVersions

    version = ContractVersions(s).find(ref)
    if version is None:
        raise NotFound(f"contract version {ref} does not exist", field="change",
                       hint="flywheel contracts list")
    implemented = {ContractVersionState.ACTIVE, ContractVersionState.DEPRECATED,
                   ContractVersionState.RETIRED}
    if version.state not in implemented:
        raise PolicyViolation(f"contract version {ref} is {version.state.value}, not implemented",
                              field="change", expected="an active contract version",
                              hint=f"flywheel contracts activate {ref}")
    if not _audited_after(s, after, actions=("contract_version.add", "contract_version.activate"),
                          record_id=ref):
        raise PolicyViolation(f"contract version {ref} predates the issue; it cannot be its change",
                              field="change", expected="a contract version made after the issue")


def _verify_raci(s: Session, after: int, ref: str) -> None:
    from dataflywheel.store.repositories.people import RaciItems

    if RaciItems(s).find(ref) is None:
        raise NotFound(f"RACI item {ref} does not exist", field="change", hint="flywheel raci show")
    if not _audited_after(s, after, actions=("raci.import",), record_id=None):
        raise PolicyViolation("no RACI change was imported since the issue was opened",
                              field="change", expected="a raci.import audit entry after the issue",
                              hint="flywheel raci import FILE")


def _verify_guide(s: Session, ref: str) -> None:
    from dataflywheel.store.tables.data import BatchRow

    used = s.scalars(select(BatchRow.id).where(BatchRow.guide_version == ref).limit(1)).first()
    if used is None:
        raise NotFound(f"guide version {ref!r} is used by no delivered batch",
                       field="change", expected="a guide version already in use")


def _refuse_blame(s: Session, text: str) -> None:
    for person in People(s).list():
        for token in {person.id, person.name}:
            if len(token) >= 3 and re.search(rf"(?<![\w.-]){re.escape(token)}(?![\w-])", text, re.IGNORECASE):
                raise PolicyViolation(
                    f"the root cause names {token!r}; a blameless post-mortem asks why the process "
                    "let it through, not who", field="root_cause",
                    expected="a process, check, contract clause or review step")


def _sections(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(SECTIONS) - {"author_id"}
    if unknown:
        raise BadInput(f"unknown post-mortem section {', '.join(sorted(unknown))}",
                       expected="one of " + ", ".join(SECTIONS))
    if "timeline" in fields:
        fields = {**fields, "timeline": [e if isinstance(e, TimelineEntry)
                                         else TimelineEntry.model_validate(e)
                                         for e in fields["timeline"]]}
    return fields


def _validated(data: dict[str, Any], what: str) -> PostMortem:
    try:
        return PostMortem.model_validate(data)
    except ValueError as exc:
        raise from_validation(exc, what=what) from None


def write(ws: Workspace, issue_id: str, *, now: datetime | None = None,
          **fields: Any) -> PostMortem:
    """Create the issue's post-mortem, or update its sections while it is a draft."""
    with ws.db.unit_of_work() as s:
        issue = Issues(s).get(issue_id)
        repo = PostMortems(s)
        fields = _sections(fields)
        author = fields.get("author_id")
        if author is not None and People(s).find(author) is None:
            raise NotFound(f"person {author} does not exist", field="author_id",
                           kept="the post-mortem is unchanged", hint="flywheel people list")
        if fields.get("root_cause"):
            _refuse_blame(s, fields["root_cause"])
        existing = s.scalar(select(func.count()).select_from(PostMortemRow).where(
            PostMortemRow.issue_id == issue.id))
        if not existing:
            pm = _validated({"id": repo.next_id(), "issue_id": issue.id,
                             "created_at": now or utcnow(), **fields}, "invalid post-mortem")
            return add_audited(repo, pm, actor=ws.actor)
        before = repo.for_issue(issue.id)
        if before.state is not PostMortemState.DRAFT:
            raise PolicyViolation(f"post-mortem {before.id} is {before.state.value}; only a draft "
                                  "is edited", kept=f"{before.id} is unchanged")
        after = _validated({**before.model_dump(), **fields}, "invalid post-mortem")
        return update_audited(repo, before, after, actor=ws.actor, action="post_mortem.edit")


def link_change(ws: Workspace, issue_id: str, *, kind: ProcessChangeKind | str,
                ref: str) -> PostMortem:
    """Link the implemented process change; refused unless the record exists and is in effect."""
    try:
        change = ProcessChangeKind(str(kind).strip().lower().replace("-", "_"))
    except ValueError:
        raise BadInput(f"unknown process-change kind {kind!r}", field="change",
                       expected="one of " + ", ".join(k.value for k in ProcessChangeKind)) from None
    with ws.db.unit_of_work() as s:
        issue = Issues(s).get(issue_id)
        repo = PostMortems(s)
        before = repo.for_issue(issue_id)
        verify_change(s, issue, change, ref)
        cleared = {"change_ref": None, "change_contract_version_id": None, "change_raci_item_id": None}
        target = {ProcessChangeKind.CONTRACT_VERSION: "change_contract_version_id",
                  ProcessChangeKind.RACI_CHANGE: "change_raci_item_id"}.get(change, "change_ref")
        after = _validated({**before.model_dump(), **cleared, "change_kind": change, target: ref},
                           "invalid process-change link")
        return update_audited(repo, before, after, actor=ws.actor, action="post_mortem.link_change",
                              reason=f"{change.value} {ref}")


def change_of(pm: PostMortem) -> tuple[ProcessChangeKind, str] | None:
    """(kind, record id) of the linked change, if any."""
    if pm.change_kind is None:
        return None
    ref = pm.change_contract_version_id or pm.change_raci_item_id or pm.change_ref
    return pm.change_kind, str(ref)


def submit(ws: Workspace, issue_id: str) -> PostMortem:
    """draft → review."""
    with ws.db.unit_of_work() as s:
        repo = PostMortems(s)
        before = repo.for_issue(issue_id)
        state = move(f"post-mortem {before.id}", before.state, PostMortemState.REVIEW)
        return update_audited(repo, before, before.model_copy(update={"state": state}),
                              actor=ws.actor, action="post_mortem.submit")


def publish(ws: Workspace, issue_id: str, *, now: datetime | None = None) -> PostMortem:
    """review → published, complete and with a verified change; filed in the knowledge base."""
    from dataflywheel.flows.issues.kb import file_post_mortem

    with ws.db.unit_of_work() as s:
        issue = Issues(s).get(issue_id)
        repo = PostMortems(s)
        before = repo.for_issue(issue_id)
        state = move(f"post-mortem {before.id}", before.state, PostMortemState.PUBLISHED)
        _require_complete(s, issue, before)
        after = _validated({**before.model_dump(), "state": state, "published_at": now or utcnow()},
                           "cannot publish post-mortem")
        update_audited(repo, before, after, actor=ws.actor, action="post_mortem.publish")
        file_post_mortem(s, actor=ws.actor, issue=issue, pm=after, now=now)
        return after


def _require_complete(s: Session, issue: Issue, pm: PostMortem) -> None:
    missing = pm.missing()
    if missing:
        what = ("has no linked process change" if missing == ["change_link"]
                else "lacks " + ", ".join(missing))
        raise PolicyViolation(f"post-mortem {pm.id} of {issue.id} {what}",
                              expected="every section and an implemented change",
                              kept=f"{pm.id} is still {pm.state.value}",
                              hint=f"flywheel issues postmortem-link {issue.id} --kind KIND --ref ID")
    change = change_of(pm)
    assert change is not None
    verify_change(s, issue, *change)


def require_closable(s: Session, issue: Issue) -> None:
    """Raise unless a P0/P1 issue has a published post-mortem with a verified process change."""
    kept = f"{issue.id} is still {issue.state.value}"
    try:
        pm = PostMortems(s).for_issue(issue.id)
    except NotFound:
        raise PolicyViolation(f"{issue.severity.value} issue {issue.id} closes only with a "
                              "post-mortem, and it has none", kept=kept,
                              hint=f"flywheel issues postmortem-template {issue.id}, then "
                                   f"flywheel issues postmortem {issue.id} --file FILE") from None
    if pm.state is not PostMortemState.PUBLISHED:
        raise PolicyViolation(f"{issue.severity.value} issue {issue.id} closes only with a published "
                              f"post-mortem; {pm.id} is {pm.state.value}", kept=kept,
                              hint=f"flywheel issues postmortem-publish {issue.id}")
    _require_complete(s, issue, pm)


def post_mortem_of(ws: Workspace, issue_id: str) -> PostMortem:
    with ws.db.session() as s:
        return PostMortems(s).for_issue(issue_id)
