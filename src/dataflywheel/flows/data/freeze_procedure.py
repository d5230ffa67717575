"""The chapter's version-freeze procedure (ch24, after Table 24-13), steps 1 and 2, for the
quarterly baseline freeze (`flywheel freeze --baseline`):

1. a freeze notice goes to every data producer of the version at least 3 days before the freeze
   (`issue_notice`: one notification per producer — the person who delivered a batch, or the
   people of the vendor that did, or, for a vendor with nobody registered, the requirement's
   Responsible person);
2. within the 24 hours before the freeze, Quality Evaluators complete the final spot check
   (`final_check_sheet` writes the stratified sample over the version's batches;
   `take_final_check` takes their verdicts: a reviewer who is not a Quality Evaluator is
   rejected by line like any bad row).

`procedure_conditions` gives both as gate conditions (g) and (h), each naming what is missing.
A baseline freeze with either unmet is refused. The release's Accountable person may waive them
with a reason (`freeze(..., waive_procedure=REASON)`): the waiver is audited
(`version.freeze_waiver`) and never covers the gate (a)-(f). Steps 3 and 4 (snapshot, known issues
in the Issue Pool) are the freeze itself and its baseline reports (`version_release`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.data import DatasetVersion
from dataflywheel.domain.records.notification import Notification
from dataflywheel.domain.roles import Role
from dataflywheel.domain.states import VersionState
from dataflywheel.errors import PolicyViolation
from dataflywheel.flows._audit import audit
from dataflywheel.flows.notifications import notify
from dataflywheel.flows.data.review_input import RejectedRow, read_reviews
from dataflywheel.store.repositories.data import resolve_version
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.data import Batches, Datasets, DatasetVersions
from dataflywheel.store.repositories.people import (
    Notifications, People, Requirements, RoleHoldings,
)
from dataflywheel.store.repositories.reviews import Reviews

NOTICE_DAYS = 3
FINAL_CHECK_HOURS = 24
NOTICE_KIND = "freeze_notice"
FINAL_CHECK_SIZE = 50


def producers(s: Session, version: DatasetVersion) -> list[str]:
    """Who produced the version's data: deliverers, a vendor's people, else the Responsible."""
    found: set[str] = set()
    people = People(s).list()
    for batch in DatasetVersions(s).batches_of(version.id):
        if batch.delivered_by_person_id:
            found.add(batch.delivered_by_person_id)
            continue
        staff = {p.id for p in people if p.vendor_id == batch.delivered_by_vendor_id}
        responsible = Requirements(s).get(batch.requirement_id).responsible_id
        found |= staff or ({responsible} if responsible else set())
    return sorted(found)


def issue_notice(ws: Workspace, version_ref: str, *,
                 now: datetime | None = None) -> list[Notification]:
    """Step 1: notify every producer that the candidate will be frozen in `NOTICE_DAYS` days."""
    now = now or utcnow()
    with ws.db.unit_of_work() as s:
        version = resolve_version(s, version_ref)
        _require_candidate(version, "a freeze notice")
        ds = Datasets(s).get(version.dataset_id)
        when = (now + timedelta(days=NOTICE_DAYS)).strftime("%Y-%m-%d %H:%M UTC")
        sent = [notify(s, actor=ws.actor, to=person, kind=NOTICE_KIND,
                       record_kind="dataset_version", record_id=version.id, at=now,
                       subject=f"{ds.name} candidate {version.id} freezes on or after {when}",
                       body="Deliver fixes before then; after the freeze the version never "
                            "changes (version-freeze procedure, step 1).")
                for person in producers(s, version)]
        audit(s, actor=ws.actor, action="version.freeze_notice", kind="dataset_version",
              record_id=version.id, before=None, after={"to": [n.to_person_id for n in sent]},
              reason=f"freeze notice to {len(sent)} producer(s); freeze from {when}")
        return sent


def _require_candidate(version: DatasetVersion, what: str) -> None:
    if version.state is not VersionState.CANDIDATE:
        raise PolicyViolation(f"version {version.id} is {version.state.value}: {what} is for "
                              "a candidate", kept="nothing was recorded",
                              hint=f"flywheel versions show {version.id}")


def final_check_sheet(ws: Workspace, version_ref: str, out: str | Path) -> int:
    """Step 2: write the final spot check's sheet, a stratified sample over the version."""
    from dataflywheel.flows.data.review_sample import write_sheet

    return write_sheet(final_sample(ws, version_ref), Path(out))


def final_sample(ws: Workspace, version_ref: str) -> list[dict[str, object]]:
    """Stratified by batch: each batch's share of `FINAL_CHECK_SIZE` is proportional to its
    records, at least one (`checks.stats.sampling.allocate`), drawn by the spot check."""
    from dataflywheel.checks.stats.sampling import allocate
    from dataflywheel.flows.data.review_sample import drawn_sample, id_field_of

    with ws.db.session() as s:
        version = resolve_version(s, version_ref)
        _require_candidate(version, "a final spot check")
        batches = DatasetVersions(s).batches_of(version.id)
        files = {b.id: [(b, f) for f in Batches(s).files(b.id)] for b in batches}
    quota = allocate({b.id: b.row_count for b in batches if b.row_count}, FINAL_CHECK_SIZE)
    rows: list[dict[str, object]] = []
    for batch_id, size in quota.items():
        drawn = drawn_sample(ws, files[batch_id], size=size,
                             id_field=id_field_of(ws, files[batch_id][0][0]))
        rows += [r | {"record_id": f"{batch_id}:{r['record_id']}", "stratum": batch_id}
                 for r in drawn]
    return rows


def take_final_check(ws: Workspace, version_ref: str, path: str | Path, *,
                     now: datetime | None = None,
                     reviewer: str | None = None) -> tuple[int, list[RejectedRow], int]:
    """Step 2: take the Quality Evaluators' verdicts; (taken, rejected rows, still pending).

    `reviewer`: the one person these verdicts may be from (the team server passes the token's
    person: a caller may not file verdicts in someone else's name); a row naming anyone else is
    rejected by line, the others kept, and an empty reviewer is that person
    (`review_input.read_reviews`)."""
    from dataflywheel.flows.data.reviews import take_rows

    now, path = now or utcnow(), Path(path)
    parsed = read_reviews(path, sender=reviewer, who="Quality Evaluator")
    sample = final_sample(ws, version_ref)
    sha = ws.blobs.put_file(path).sha256
    with ws.db.unit_of_work() as s:
        version = resolve_version(s, version_ref)
        evaluators = {h.person_id for h in RoleHoldings(s).list(role=Role.QUALITY_EVALUATOR.value)}
        reasons = {r.line: _not_evaluator(r.reviewer, evaluators) for r in parsed.rows}
        rows = [r for r in parsed.rows if reasons[r.line] is None]
        rejected = [RejectedRow(line, why) for line, why in reasons.items() if why is not None]
        first = DatasetVersions(s).batches_of(version.id)[0]
        taken, refused = take_rows(ws, s, first, rows, sample, source=path.name, now=now,
                               version_id=version.id)
        rejected = sorted([*parsed.rejected, *rejected, *refused], key=lambda r: r.line)
        done = {r.record_id for r in Reviews(s).list(version_id=version.id)
                if r.taken_at >= now - timedelta(hours=FINAL_CHECK_HOURS)}
        pending = len([r for r in sample if r["record_id"] not in done])
        audit(s, actor=ws.actor, action="version.final_spot_check", kind="dataset_version",
              record_id=version.id, before=None, after={"file_sha256": sha, "taken": len(taken)},
              reason=f"{len(taken)} verdict(s) taken, {len(rejected)} rejected, {pending} "
                     f"sampled record(s) pending, from {path.name} (blob {sha})")
        return len(taken), rejected, pending


def _not_evaluator(named: str, evaluators: set[str]) -> str | None:
    """Why a final-check row naming `named` is refused (None: taken)."""
    if named not in evaluators:
        return f"{named} is not a Quality Evaluator (the final spot check is theirs)"
    return None


def procedure_conditions(s: Session, version: DatasetVersion,
                         now: datetime) -> list[tuple[str, str, list[str]]]:
    """(code, title, problems) of steps 1 and 2 as the freeze gate's conditions (g) and (h)."""
    return [("g", f"a freeze notice to every producer at least {NOTICE_DAYS} days before",
             _notice_problems(s, version, now)),
            ("h", f"the final spot check completed within {FINAL_CHECK_HOURS} h before",
             _final_check_problems(s, version, now))]


def _notice_problems(s: Session, version: DatasetVersion, now: datetime) -> list[str]:
    sent = Notifications(s).list(kind=NOTICE_KIND, record_kind="dataset_version",
                                 record_id=version.id)
    if not sent:
        return [f"no freeze notice was sent; run flywheel versions notice {version.id}"]
    first = min(n.created_at for n in sent)
    ready = first + timedelta(days=NOTICE_DAYS)
    problems = [] if now >= ready else [
        f"the freeze notice went out {first:%Y-%m-%d %H:%M} UTC; the notice period ends "
        f"{ready:%Y-%m-%d %H:%M} UTC"]
    missing = sorted(set(producers(s, version)) - {n.to_person_id for n in sent})
    if missing:
        problems.append(f"producer(s) {', '.join(missing)} got no freeze notice")
    return problems


def _final_check_problems(s: Session, version: DatasetVersion, now: datetime) -> list[str]:
    from dataflywheel.checks.stats.sampling import allocate

    counts = {b.id: b.row_count for b in DatasetVersions(s).batches_of(version.id) if b.row_count}
    needed = sum(allocate(counts, FINAL_CHECK_SIZE).values())
    since = now - timedelta(hours=FINAL_CHECK_HOURS)
    done = {r.record_id for r in Reviews(s).list(version_id=version.id)
            if since <= r.taken_at <= now}
    if len(done) >= needed:
        return []
    return [f"{len(done)} of {needed} sampled record(s) have a Quality Evaluator's verdict from "
            f"the last {FINAL_CHECK_HOURS} h; run flywheel versions final-check-sheet "
            f"{version.id} --out SHEET.jsonl"]
