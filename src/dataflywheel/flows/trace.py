"""Traceability answers: the chapter's self-assessment questions (Table 24-30), from records.

Each answer carries its evidence (record ids and the fields that prove it) and a status:
`answered` when the records settle the question, `gaps` when they show something missing (a
high-priority issue without preventive measures), `no_records` when nothing of the kind has been
recorded yet — said plainly, never guessed. Read-only: nothing here writes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from sqlalchemy import select
from sqlalchemy.orm import Session

from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.issue import Severity
from dataflywheel.domain.states import PostMortemState, VersionState
from dataflywheel.errors import BadInput
from dataflywheel.flows.workspace import Workspace
from dataflywheel.metrics.maturity import Answer, Status


QUESTIONS: dict[str, str] = {
    "release": "Who approved the latest release, and on what basis?",
    "experiment": "Which data versions did the experiment use?",
    "guide": "Which batches did the annotation-guide change affect?",
    "preventive": "Did the high-priority issues produce preventive measures?",
    "reuse": "Which assets do several projects reuse?",
    "expiring": "Which permissions expire soon?",
    "fluctuation": "Were this month's quality fluctuations caused by process problems or "
                   "data-structure changes?",
    "onboarding": "Can a new member understand the core processes within one week?",
}


def _found(key: str, found: tuple[str, str, list[str]]) -> Answer:
    status, answer, evidence = found
    return Answer(key=key, question=QUESTIONS[key], status=Status(status), answer=answer,
                  evidence=evidence)


def _none(key: str, what: str) -> Answer:
    return Answer(key=key, question=QUESTIONS[key], status=Status.NO_RECORDS,
                  answer=f"no records yet: {what}")


def latest_release(s: Session) -> Answer:
    from dataflywheel.store.repositories.data import DatasetVersions
    from dataflywheel.store.tables.audit import AuditEntryRow

    repo = DatasetVersions(s)
    released = [v for v in repo.list() if v.state is VersionState.FROZEN and v.frozen_at]
    if not released:
        return _none("release", "no dataset version has been frozen")
    v = max(released, key=lambda x: (x.frozen_at, x.id))
    batches = repo.batches_of(v.id)
    entries = s.execute(select(AuditEntryRow.seq, AuditEntryRow.action, AuditEntryRow.actor,
                               AuditEntryRow.reason).where(
        AuditEntryRow.record_kind == "dataset_version", AuditEntryRow.record_id == v.id,
        AuditEntryRow.action.in_(("version.freeze", "version.consulted", "version.compliance_approved")))
        .order_by(AuditEntryRow.seq)).all()
    evidence = [f"version {v.label} ({v.id}) frozen {v.frozen_at.isoformat() if v.frozen_at else ''}",
                f"manifest sha256 {v.manifest_sha256}",
                f"compliance {v.compliance.value} by {v.compliance_by_id or 'nobody'}",
                f"quality summary: {_summary(v.quality_summary)}",
                "batches: " + (", ".join(f"{b.id} ({b.state.value}, contract "
                                         f"{b.contract_version_id})" for b in batches) or "none")]
    evidence += [f"audit #{e.seq} {e.action} by {e.actor}" + (f": {e.reason}" if e.reason else "")
                 for e in entries]
    who = v.approved_by_id or "nobody on record"
    return Answer(key="release", question=QUESTIONS["release"],
                  status=Status.ANSWERED if v.approved_by_id else Status.GAPS,
                  answer=f"{v.label} was approved by {who}, on its frozen manifest, its quality "
                         f"report and compliance {v.compliance.value}", evidence=evidence)


def _summary(summary: dict[str, object]) -> str:
    if not summary:
        return "none"
    return ", ".join(f"{k}={summary[k]}" for k in sorted(summary)[:6])


def experiment_versions(s: Session, experiment_id: str | None) -> Answer:
    from dataflywheel.store.repositories.experiments import Experiments, ExperimentVersions

    repo = Experiments(s)
    if experiment_id is None:
        every = repo.list()
        if not every:
            return _none("experiment", "no experiment has been logged")
        experiment = max(every, key=lambda e: (e.started_at, e.id))
    else:
        experiment = repo.get(experiment_id)
    uses = ExperimentVersions(s).list(experiment_id=experiment.id)
    if not uses:
        return Answer(key="experiment", question=QUESTIONS["experiment"], status=Status.GAPS,
                      answer=f"{experiment.id} records no data version")
    evidence = [f"{u.version_id} as {u.role.value} (state when used: {u.version_state.value})"
                for u in uses]
    return Answer(key="experiment", question=QUESTIONS["experiment"], status=Status.ANSWERED,
                  answer=f"{experiment.id} ({experiment.kind.value}, model {experiment.model_version}) "
                         f"used {', '.join(u.version_id for u in uses)}", evidence=evidence)


def guide_change(s: Session, guide: str | None) -> Answer:
    """From the guide's change record when the guide is kept here (`flows/trace_guides.py`),
    else from the guide names batches carry."""
    from dataflywheel.flows.trace_guides import guide_change_found
    from dataflywheel.store.repositories.data import Batches, DatasetVersions

    found = guide_change_found(s, guide)
    if found is not None:
        return _found("guide", found)
    batches = [b for b in Batches(s).list() if b.guide_version]
    if not batches:
        return _none("guide", "no batch names an annotation-guide version")
    by_guide: dict[str, list[str]] = defaultdict(list)
    first_seen: dict[str, datetime] = {}
    for b in sorted(batches, key=lambda x: (x.received_at, x.id)):
        assert b.guide_version is not None
        by_guide[b.guide_version].append(b.id)
        first_seen.setdefault(b.guide_version, b.received_at)
    if guide is None:
        guide = max(first_seen, key=lambda g: first_seen[g])
    elif guide not in by_guide:
        raise BadInput(f"no batch was delivered under guide version {guide!r}", field="guide",
                       expected="one of " + ", ".join(sorted(by_guide)))
    versions = DatasetVersions(s)
    evidence = [f"batch {b} in versions " + (", ".join(v.id for v in versions.containing(b)) or "none")
                for b in by_guide[guide]]
    older = [g for g in by_guide if first_seen[g] < first_seen[guide]]
    if older:
        evidence.append("delivered under earlier guides: " + "; ".join(
            f"{g}: {', '.join(by_guide[g])}" for g in sorted(older, key=lambda g: first_seen[g])))
    return Answer(key="guide", question=QUESTIONS["guide"], status=Status.ANSWERED,
                  answer=f"guide {guide} (first used {first_seen[guide].isoformat()}) covers "
                         f"{len(by_guide[guide])} batch(es): {', '.join(by_guide[guide])}",
                  evidence=evidence)


def preventive_measures(s: Session) -> Answer:
    from dataflywheel.flows.issues.postmortems import change_of
    from dataflywheel.store.repositories.issues import Issues, PostMortems

    serious = [i for i in Issues(s).list() if i.severity in (Severity.P0, Severity.P1)]
    if not serious:
        return _none("preventive", "no P0 or P1 issue has been opened")
    pms = {pm.issue_id: pm for pm in PostMortems(s).list()}
    evidence, missing = [], []
    for issue in serious:
        pm = pms.get(issue.id)
        change = change_of(pm) if pm else None
        if pm and pm.state is PostMortemState.PUBLISHED and pm.preventive_measures and change:
            evidence.append(f"{issue.id} ({issue.severity.value}, {issue.state.value}): {pm.id} — "
                            f"{'; '.join(pm.preventive_measures)}; change {change[0].value} "
                            f"{change[1]}")
        else:
            why = "no post-mortem" if pm is None else f"post-mortem {pm.id} is {pm.state.value}"
            missing.append(f"{issue.id} ({issue.severity.value}, {issue.state.value}): {why}")
    done = len(serious) - len(missing)
    return Answer(key="preventive", question=QUESTIONS["preventive"],
                  status=Status.GAPS if missing else Status.ANSWERED,
                  answer=f"{done} of {len(serious)} P0/P1 issues have a published post-mortem with "
                         "preventive measures and an implemented change",
                  evidence=evidence + [f"missing: {m}" for m in missing])


def reused_assets(s: Session) -> Answer:
    from dataflywheel.store.repositories.governance import Assets, AssetUses

    if not Assets(s).list():
        return _none("reuse", "no data asset is registered")
    reused = Assets(s).reused(min_projects=2)
    if not reused:
        return Answer(key="reuse", question=QUESTIONS["reuse"], status=Status.ANSWERED,
                      answer="no asset is used by more than one project")
    uses = AssetUses(s)
    evidence = [f"{a.id} ({a.name}): " + ", ".join(sorted(u.project_id for u in
                                                         uses.list(asset_id=a.id)))
                for a, _ in reused]
    return Answer(key="reuse", question=QUESTIONS["reuse"], status=Status.ANSWERED,
                  answer=f"{len(reused)} asset(s) serve several projects: "
                         + ", ".join(f"{a.id} ({n} projects)" for a, n in reused),
                  evidence=evidence)


def expiring_permissions(s: Session, now: datetime, days: int) -> Answer:
    from dataflywheel.store.repositories.governance import AccessGrants, Exceptions

    until = now + timedelta(days=days)
    if not AccessGrants(s).list() and not Exceptions(s).list():
        return _none("expiring", "no access grant or exception has been recorded")
    grants = AccessGrants(s).expiring(after=now, until=until)
    exceptions = [e for e in Exceptions(s).list(state="approved") if now < e.expires_at <= until]
    evidence = [f"grant {g.id}: {g.grantee_id} on {g.asset_id} expires {g.expires_at.isoformat()}"
                for g in grants]
    evidence += [f"exception {e.id} ({e.type.value}) expires {e.expires_at.isoformat()}"
                 for e in sorted(exceptions, key=lambda e: (e.expires_at, e.id))]
    return Answer(key="expiring", question=QUESTIONS["expiring"], status=Status.ANSWERED,
                  answer=f"{len(grants)} grant(s) and {len(exceptions)} exception(s) expire within "
                         f"{days} days", evidence=evidence)


def trace(ws: Workspace, *, experiment_id: str | None = None, guide: str | None = None,
          days: int = 14, now: datetime | None = None,
          only: str | None = None) -> list[Answer]:
    """Every self-assessment question (or only the one keyed `only`, one of `QUESTIONS`),
    answered from the records (or said to have none)."""
    if days < 0:
        raise BadInput("days must be 0 or more", field="days", got=days)
    if only is not None and only not in QUESTIONS:
        raise BadInput(f"no such trace question: {only!r}", field="question",
                       expected="one of " + ", ".join(QUESTIONS), hint="flywheel trace")
    from dataflywheel.flows.trace_trends import onboarding, quality_fluctuation

    now = now or utcnow()
    answers: dict[str, Callable[[Session], Answer]] = {
        "release": latest_release,
        "experiment": lambda s: experiment_versions(s, experiment_id),
        "guide": lambda s: guide_change(s, guide),
        "preventive": preventive_measures,
        "reuse": reused_assets,
        "expiring": lambda s: expiring_permissions(s, now, days),
        "fluctuation": lambda s: _found("fluctuation", quality_fluctuation(s, now)),
        "onboarding": lambda s: _found("onboarding", onboarding(s, now)),
    }
    with ws.db.session() as s:
        return [answer(s) for key, answer in answers.items() if only in (None, key)]
