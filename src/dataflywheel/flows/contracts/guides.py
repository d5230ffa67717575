"""Annotation guides: add a guide, change it (a new version with its change record and notices),
answer questions in its FAQ, and read, list and diff its versions.

Guarantees (each write is one transaction with its audit entries; a refusal writes nothing):
- a guide file is parsed before anything is kept, then kept byte for byte in the blob store under
  its sha256; `read_file` re-hashes it and refuses bytes that no longer match their name;
- only a holder of the Annotation Engineer role (the owner of the semantic layer, as for a
  contract) adds or changes a guide;
- a change is classified by the contract change rules (`domain/policies/guide_changes.py`) and must
  step SemVer as far as its class needs; the version records who changed it, why (required), the
  changes and which examples changed;
- every change is announced to the people of the annotation RACI item (R, C and I of
  `annotation_task_design`) and to every active vendor annotator; a breaking change takes effect
  only `notice_days` after its notices (`contract_changes.needs_notice`), a compatible one at once;
- a FAQ entry cites an existing guide version.
"""

from __future__ import annotations

import difflib
import io
from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy.orm import Session

from dataflywheel.domain.policies.contract_changes import ContractDiff, needs_notice
from dataflywheel.domain.policies.guide_changes import check_guide_step, diff_guides, examples_changed
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.contract import ChangeClass
from dataflywheel.domain.records.guide import (
    AnnotationGuide,
    GuideDocument,
    GuideFaq,
    GuideVersion,
    parse_guide,
    split_version_id,
)
from dataflywheel.domain.records.notification import Notification
from dataflywheel.domain.roles import Role
from dataflywheel.errors import AlreadyExists, BadInput, IntegrityError, NotFound, PolicyViolation
from dataflywheel.flows._audit import add_audited
from dataflywheel.flows.contracts.lifecycle import _person, _require_role
from dataflywheel.flows.notifications import notify
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.guides import GuideFaqs, GuideVersions, Guides
from dataflywheel.store.repositories.people import People, Projects

GUIDE_RACI_ITEM = "annotation_task_design"
NOTICE_KIND = "guide_change"


class GuideChange(BaseModel):
    """A stored version, the diff that classified it (none for a first version), its notices."""

    version: GuideVersion
    diff: ContractDiff | None = None
    notices: list[Notification] = []


class GuideView(BaseModel):
    """A version as `flywheel guides show` prints it: the record, its FAQ, the file's text."""

    guide: AnnotationGuide
    version: GuideVersion
    faq: list[GuideFaq]
    text: str


class GuideDiffView(BaseModel):
    diff: ContractDiff
    text_diff: list[str]


def _decode(data: bytes, source: str) -> GuideDocument:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput("guide file is not UTF-8", path=source,
                       expected="UTF-8 Markdown", got=f"byte {exc.start}") from None
    return parse_guide(text, source=source)


def add_guide(ws: Workspace, data: bytes, *, source: str, by: str | None = None,
              project_id: str | None = None, now: datetime | None = None) -> GuideChange:
    """Register a new guide with its first version (in effect at once)."""
    now, by = now or utcnow(), by or ws.actor
    doc = _decode(data, source)
    with ws.db.unit_of_work() as s:
        _person(s, by)
        if project_id is not None:
            Projects(s).get(project_id)
        if Guides(s).find(doc.guide) is not None:
            raise AlreadyExists(f"annotation guide {doc.guide} already exists", path=source,
                                hint=f"flywheel guides change {source}")
        _require_role(s, by, Role.ANNOTATION_ENGINEER, project_id, action="add an annotation guide")
        add_audited(Guides(s), AnnotationGuide(id=doc.guide, title=doc.title, project_id=project_id,
                                               registered_by=by, registered_at=now),
                    actor=by, reason="register")
        version = _version(ws, doc, data, by=by, now=now, effective=now,
                           change_class=ChangeClass.INITIAL, diff=None, previous=None)
        add_audited(GuideVersions(s), version, actor=by, reason=doc.reason or "first version")
        return GuideChange(version=version)


def change_guide(ws: Workspace, data: bytes, *, source: str, by: str | None = None,
                 guide_id: str | None = None, now: datetime | None = None) -> GuideChange:
    """Store the next version of a guide with its change record, and announce it (`guide_id`:
    the guide the caller means, which the file must name)."""
    now, by = now or utcnow(), by or ws.actor
    new = _decode(data, source)
    if guide_id is not None and new.guide != guide_id:
        raise BadInput("the file is a version of another guide", path=source, field="guide",
                       expected=repr(guide_id), got=new.guide)
    if not (new.reason or "").strip():
        raise BadInput("a guide change says why", path=source, field="reason",
                       expected="a reason in the front matter (the change record's 'why')")
    with ws.db.unit_of_work() as s:
        _person(s, by)
        guide = Guides(s).find_locked(new.guide)
        if guide is None:
            raise NotFound(f"annotation guide {new.guide} does not exist", path=source,
                           hint=f"flywheel guides add {source}")
        versions = GuideVersions(s)
        base = versions.latest(new.guide)
        assert base is not None  # a guide is registered with its first version
        old = parse_guide(_read(ws, base).decode("utf-8"), source=base.id)
        diff = diff_guides(old, new)
        check_guide_step(old, new, diff, source=source)
        _require_role(s, by, Role.ANNOTATION_ENGINEER, guide.project_id,
                      action="change an annotation guide")
        lead = timedelta(days=new.notice_days) if needs_notice(diff.change_class) else timedelta()
        version = _version(ws, new, data, by=by, now=now, effective=now + lead,
                           change_class=diff.change_class, diff=diff, previous=base.id)
        add_audited(versions, version, actor=by, reason=new.reason)
        notices = _announce(s, guide, version, by=by, now=now)
        return GuideChange(version=version, diff=diff, notices=notices)


def _version(ws: Workspace, doc: GuideDocument, data: bytes, *, by: str, now: datetime,
             effective: datetime, change_class: ChangeClass, diff: ContractDiff | None,
             previous: str | None) -> GuideVersion:
    ref = ws.blobs.put_stream(io.BytesIO(data))
    return GuideVersion(
        id=doc.version_id, guide_id=doc.guide, version=doc.version, title=doc.title,
        sha256=ref.sha256, size=ref.size, labels=doc.labels, examples=doc.examples,
        change_class=change_class,
        changes=[] if diff is None else [c.model_dump(mode="json") for c in diff.changes],
        examples_changed=[] if diff is None else examples_changed(diff),
        previous_version_id=previous, author_id=by, reason=doc.reason,
        notice_days=doc.notice_days, created_at=now, effective_from=effective)


def _announce(s: Session, guide: AnnotationGuide, version: GuideVersion, *, by: str,
              now: datetime) -> list[Notification]:
    from dataflywheel.flows.governance.raci import who

    answer = who(s, GUIDE_RACI_ITEM, guide.project_id)
    people = {*answer.responsible, *answer.consulted, *answer.informed, answer.accountable}
    people |= {p.id for p in People(s).list() if p.vendor_id is not None and p.active}
    people.discard(by)
    if not people:
        raise PolicyViolation(f"nobody to notify of guide change {version.id}",
                              expected=f"people on the RACI item {GUIDE_RACI_ITEM}",
                              hint="flywheel people grant-role PERSON ROLE")
    subject = (f"annotation guide {version.id} ({version.change_class.value}) takes effect "
               f"{version.effective_from:%Y-%m-%d}")
    body = (f"why: {version.reason}\nchanged examples: "
            f"{', '.join(version.examples_changed) or 'none'}\n"
            + "\n".join(f"- {c['kind']} {c['path']}" for c in version.changes))
    return [notify(s, actor=by, to=p, kind=NOTICE_KIND, subject=subject, body=body,
                   record_kind="guide_version", record_id=version.id, at=now)
            for p in sorted(people)]


def add_faq(ws: Workspace, version_id: str, *, question: str, answer: str,
            asked_by: str | None = None, by: str | None = None,
            now: datetime | None = None) -> GuideFaq:
    """Answer a question about a guide, citing the version it clarifies."""
    now, by = now or utcnow(), by or ws.actor
    with ws.db.unit_of_work() as s:
        _person(s, by)
        if asked_by is not None:
            _person(s, asked_by)
        GuideVersions(s).get(version_id)
        repo = GuideFaqs(s)
        entry = GuideFaq(id=repo.next_id(), guide_version_id=version_id, question=question,
                         answer=answer, asked_by=asked_by, answered_by=by, created_at=now)
        return add_audited(repo, entry, actor=by)


# ---------------------------------------------------------------- deliveries


def check_named_version(s: Session, guide_version: str | None) -> None:
    """A delivery or review naming `GUIDE@VERSION` of a registered guide names a stored version
    (a free-text name such as `sft-guide-3.0`, of a guide kept elsewhere, is taken as it is)."""
    if guide_version is None or "@" not in guide_version:
        return
    guide_id, _ = split_version_id(guide_version)
    if Guides(s).find(guide_id) is not None and GuideVersions(s).find(guide_version) is None:
        known = ", ".join(v.id for v in GuideVersions(s).of_guide(guide_id))
        raise NotFound(f"guide version {guide_version} does not exist", field="guide_version",
                       expected=f"one of {known}", kept="nothing was stored",
                       hint=f"flywheel guides list --guide {guide_id}")


def unknown_guide_version(s: Session, guide_version: str | None) -> str | None:
    """`check_named_version` as a reason to reject one row (a review) rather than a whole input."""
    try:
        check_named_version(s, guide_version)
    except (NotFound, BadInput) as exc:
        return exc.what
    return None


def guide_gate(contract_version_id: str, guide_required: bool,
               guide_version: str | None) -> str | None:
    """Why a delivery fails its gate for want of a guide version (None: it does not): a contract
    whose semantic layer sets `guideRequired` takes no delivery that names no guide version."""
    if guide_required and not guide_version:
        return (f"contract {contract_version_id} requires the annotation-guide version a delivery "
                "followed, and this delivery names none (deliver with --guide-version "
                "GUIDE@VERSION)")
    return None


# ---------------------------------------------------------------- reads


def _read(ws: Workspace, version: GuideVersion) -> bytes:
    with ws.blobs.open(version.sha256) as f:
        data = f.read()
    from hashlib import sha256

    if sha256(data).hexdigest() != version.sha256:
        raise IntegrityError(f"the file of guide version {version.id} does not match its hash",
                             expected=version.sha256, hint="flywheel verify")
    return data


def read_file(ws: Workspace, version_id: str) -> bytes:
    """The guide file exactly as it was added, re-hashed."""
    split_version_id(version_id)
    with ws.db.session() as s:
        version = GuideVersions(s).get(version_id)
    return _read(ws, version)


def show(ws: Workspace, version_id: str) -> GuideView:
    split_version_id(version_id)
    with ws.db.session() as s:
        version = GuideVersions(s).get(version_id)
        guide = Guides(s).get(version.guide_id)
        faq = GuideFaqs(s).citing([version_id])
    return GuideView(guide=guide, version=version, faq=faq,
                     text=_read(ws, version).decode("utf-8"))


def list_versions(ws: Workspace, guide_id: str | None = None) -> list[GuideVersion]:
    """Every version (of one guide, or of all), guide by guide, oldest SemVer first."""
    with ws.db.session() as s:
        repo = GuideVersions(s)
        if guide_id is not None:
            Guides(s).get(guide_id)
            return repo.of_guide(guide_id)
        return [v for g in sorted(gd.id for gd in Guides(s).list()) for v in repo.of_guide(g)]


def diff(ws: Workspace, old_id: str, new_id: str) -> GuideDiffView:
    """The classified changes between two versions of one guide, and the line diff of the files."""
    if split_version_id(old_id)[0] != split_version_id(new_id)[0]:
        raise BadInput("a diff compares two versions of one guide", field="guide_version",
                       expected=f"two versions of {split_version_id(old_id)[0]}", got=new_id)
    texts = [read_file(ws, v).decode("utf-8") for v in (old_id, new_id)]
    docs = [parse_guide(t, source=v) for t, v in zip(texts, (old_id, new_id), strict=True)]
    lines = list(difflib.unified_diff(texts[0].splitlines(), texts[1].splitlines(), old_id, new_id,
                                      lineterm=""))
    return GuideDiffView(diff=diff_guides(docs[0], docs[1]), text_diff=lines)
