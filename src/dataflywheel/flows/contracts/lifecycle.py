"""Contracts: register, propose a new version, activate or reject it, and gate deliveries on it.

Guarantees (each write is one transaction with its audit entries; a refusal writes nothing):
- a contract names roles that people hold: producer, consumer and the owner of every layer;
- a new version moves SemVer forward by at least what its diff requires (breaking → major);
- only the owner of a layer changes it (structural: Data Engineer, semantic: Annotation
  Engineer, operational and change policy: Data Owner), judged by the role holdings the RACI uses;
- a breaking change carries a compatibility period and a migration note, takes effect no sooner
  than `notice_days` after its notices to the Consulted and Informed people of the contract's RACI
  item (a shorter notice needs a recorded reason and counts as late);
- deliveries under an old version are accepted until the new version's compatibility period ends,
  then refused with a message naming the new version (`check_delivery_allowed`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from hashlib import sha256
from pathlib import Path

from sqlalchemy.orm import Session

from dataflywheel.domain.policies.contract_changes import (
    ContractDiff,
    announced_in_time,
    check_version_step,
    diff_contracts,
    needs_notice,
)
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.contract import (
    LAYER_OWNERS,
    ChangeClass,
    Contract,
    ContractNotice,
    ContractRecord,
    ContractVersionRecord,
    Layer,
    split_version_id,
)
from dataflywheel.domain.roles import Role
from dataflywheel.domain.states import ContractVersionState as S
from dataflywheel.domain.states import move
from dataflywheel.errors import AlreadyExists, BadInput, Conflict, NotFound, PolicyViolation
from dataflywheel.flows._audit import add_audited, update_audited
from dataflywheel.flows._listing import Joined, Listing
from dataflywheel.flows.workspace import Workspace
from dataflywheel.integrations.odcs import load_odcs, parse_odcs
from dataflywheel.store.repositories.contracts import ContractNotices, Contracts, ContractVersions
from dataflywheel.store.repositories.people import People, Projects, RaciItems, RoleHoldings

RACI_ITEM_BY_PRODUCER = {
    Role.DATA_ENGINEER: "data_collection_and_cleaning",
    Role.ANNOTATION_ENGINEER: "annotation_task_design",
    Role.QUALITY_EVALUATOR: "annotation_quality_review",
}
FALLBACK_RACI_ITEM = "data_requirement_definition"


@dataclass
class Proposal:
    version: ContractVersionRecord
    diff: ContractDiff
    notices: list[ContractNotice] = field(default_factory=list)


def import_contract(ws: Workspace, path: str | Path, *, by: str | None = None,
                    project_id: str | None = None, now: datetime | None = None) -> ContractVersionRecord:
    """Register a new contract from an `*.odcs.yaml` file; its first version is active at once."""
    contract, text = load_odcs(path)
    return register_contract(ws, contract, text, by=by, project_id=project_id, now=now)


def register_contract(ws: Workspace, contract: Contract, text: str, *, by: str | None = None,
                      project_id: str | None = None, now: datetime | None = None) -> ContractVersionRecord:
    """Store a new contract and its first version (active), or refuse with nothing written."""
    now, by = now or utcnow(), by or ws.actor
    raci_item = _raci_item(contract)
    with ws.db.unit_of_work() as s:
        _person(s, by)
        if project_id is not None:
            Projects(s).get(project_id)
        RaciItems(s).get(raci_item)
        if Contracts(s).find(contract.id) is not None:
            raise AlreadyExists(f"contract {contract.id} already exists",
                                hint=f"flywheel contracts propose FILE (a version after "
                                     f"{ContractVersions(s).latest(contract.id).semver})")  # type: ignore[union-attr]
        roles = [contract.operational.producer_role, contract.operational.consumer_role,
                 *LAYER_OWNERS.values()]
        for role in dict.fromkeys(roles):
            _require_holders(s, role, project_id, why=f"contract {contract.id} names it")
        record = ContractRecord(
            id=contract.id, name=contract.name, project_id=project_id, raci_item_id=raci_item,
            producer_role=contract.operational.producer_role,
            consumer_role=contract.operational.consumer_role, registered_by=by, registered_at=now)
        add_audited(Contracts(s), record, actor=by, reason="register")
        version = _version(contract, text, state=move(contract.version_id, S.PROPOSED, S.ACTIVE),
                           change_class=ChangeClass.INITIAL, by=by, now=now, effective_from=now)
        return add_audited(ContractVersions(s), version, actor=by, reason="first version")


def propose_version(ws: Workspace, path: str | Path, *, by: str | None = None,
                    effective_from: datetime | None = None, short_notice_reason: str | None = None,
                    now: datetime | None = None) -> Proposal:
    """Propose the next version from a file: diff, classify, check ownership, send notices."""
    new, text = load_odcs(path)
    return propose(ws, new, text, source=str(path), by=by, effective_from=effective_from,
                   short_notice_reason=short_notice_reason, now=now)


def propose(ws: Workspace, new: Contract, text: str, *, source: str, by: str | None = None,
            effective_from: datetime | None = None, short_notice_reason: str | None = None,
            now: datetime | None = None) -> Proposal:
    now, by = now or utcnow(), by or ws.actor
    with ws.db.unit_of_work() as s:
        _person(s, by)
        record = Contracts(s).find_locked(new.id)
        if record is None:
            raise NotFound(f"contract {new.id} does not exist", path=source,
                           hint=f"flywheel contracts import {source}")
        versions = ContractVersions(s)
        pending = [v.id for v in versions.of_contract(new.id) if v.state is S.PROPOSED]
        if pending:
            raise Conflict(f"version {pending[0]} is still proposed", path=source,
                           hint=f"flywheel contracts activate|reject {pending[0]}")
        base = versions.active(new.id) or versions.latest(new.id)
        assert base is not None  # a registered contract always has its first version
        old = parse_odcs(base.document, source=base.id)
        diff = diff_contracts(old, new)
        check_version_step(old, new, diff, source=source)
        _check_declared_class(new, diff, source)
        _require_layer_owners(s, by, diff.layers, record.project_id)
        for role in (new.operational.producer_role, new.operational.consumer_role):
            _require_holders(s, role, record.project_id, why=f"contract {new.id} names it")
        effective, until = _schedule(new, diff, now, effective_from, short_notice_reason, source)
        version = _version(new, text, state=S.PROPOSED, change_class=diff.change_class, by=by,
                           now=now, effective_from=effective, previous=base.id, until=until,
                           changes=[c.model_dump(mode="json") for c in diff.changes],
                           short_notice_reason=short_notice_reason)
        add_audited(ContractVersions(s), version, actor=by, reason=new.change.reason)
        notices = _send_notices(s, record, version, by=by, now=now) \
            if diff.change_class is ChangeClass.BREAKING else []
        return Proposal(version=version, diff=diff, notices=notices)


def _check_declared_class(new: Contract, diff: ContractDiff, source: str) -> None:
    declared, computed = new.change.change_class, diff.change_class
    if declared != computed:
        kinds = "; ".join(c.describe() for c in diff.changes) or "no change outside the change layer"
        raise BadInput(f"the document declares a {declared.value} change but the diff is "
                       f"{computed.value} ({kinds})", path=source,
                       field="customProperties.flywheelChange.changeClass",
                       expected=repr(computed.value), got=declared.value)
    if computed is ChangeClass.BREAKING:
        for attr, name in (("compatibility_period_days", "compatibilityPeriodDays"),
                           ("migration_note", "migrationNote")):
            if not getattr(new.change, attr):
                raise BadInput("a breaking change needs a compatibility period and a migration "
                               "note", path=source, field=f"customProperties.flywheelChange.{name}",
                               expected="a value")


def _schedule(new: Contract, diff: ContractDiff, now: datetime, effective_from: datetime | None,
              short_notice_reason: str | None, source: str) -> tuple[datetime, datetime | None]:
    if diff.change_class is not ChangeClass.BREAKING:
        return effective_from or now, None
    earliest = now + timedelta(days=new.change.notice_days)
    effective = effective_from or earliest
    if effective < earliest and not short_notice_reason:
        raise PolicyViolation(
            f"a breaking change takes effect at least {new.change.notice_days} days after its "
            "notices", path=source, expected=f"effective from {earliest.isoformat()} or later",
            got=effective.isoformat(), hint="choose a later --effective, or give --short-notice REASON")
    assert new.change.compatibility_period_days is not None
    return effective, effective + timedelta(days=new.change.compatibility_period_days)


def _send_notices(s: Session, record: ContractRecord, version: ContractVersionRecord, *, by: str,
                  now: datetime) -> list[ContractNotice]:
    from dataflywheel.flows.governance.raci import who

    answer = who(s, record.raci_item_id, record.project_id)
    letters = {p: "I" for p in answer.informed} | {p: "C" for p in answer.consulted}
    if not letters:
        raise PolicyViolation(f"nobody to notify of breaking change {version.id}",
                              expected=f"people holding the C or I roles of {record.raci_item_id}",
                              hint="flywheel people grant-role PERSON ROLE")
    notices = [ContractNotice(id=ContractNotice.make_id(version.id, p), contract_version_id=version.id,
                              person_id=p, letter=letter, sent_at=now,
                              effective_at=version.effective_from)
               for p, letter in sorted(letters.items())]
    for notice in notices:
        add_audited(ContractNotices(s), notice, actor=by, reason=f"breaking change {version.id}")
    return notices


def activate_version(ws: Workspace, version_id: str, *, by: str | None = None,
                     now: datetime | None = None) -> ContractVersionRecord:
    """Make a proposed version the active one (Data Owner, not before it takes effect)."""
    now, by = now or utcnow(), by or ws.actor
    with ws.db.unit_of_work() as s:
        versions = ContractVersions(s)
        record, version = _locked_version(s, version_id)
        _require_role(s, by, Role.DATA_OWNER, record.project_id, action=f"activate {version_id}")
        state = move(version_id, version.state, S.ACTIVE)
        if now < version.effective_from:
            raise PolicyViolation(f"{version_id} takes effect at {version.effective_from.isoformat()}",
                                  expected="activation on or after that time", got=now.isoformat())
        old = versions.active(version.contract_id)
        if old is not None:
            update_audited(versions, old, old.model_copy(update={
                "state": move(old.id, old.state, S.DEPRECATED), "superseded_by_id": version_id}),
                actor=by, action="contract_version.deprecate", reason=f"superseded by {version_id}")
        active = version.model_copy(update={"state": state})
        return update_audited(versions, version, active, actor=by, action="contract_version.activate")


def reject_version(ws: Workspace, version_id: str, *, reason: str, by: str | None = None) -> ContractVersionRecord:
    """Turn down a proposed version (Data Owner); its notices stay on record."""
    by = by or ws.actor
    with ws.db.unit_of_work() as s:
        versions = ContractVersions(s)
        record, version = _locked_version(s, version_id)
        _require_role(s, by, Role.DATA_OWNER, record.project_id, action=f"reject {version_id}")
        after = version.model_copy(update={"state": move(version_id, version.state, S.REJECTED)})
        return update_audited(versions, version, after, actor=by, action="contract_version.reject",
                              reason=reason)


def retire_expired(ws: Workspace, *, by: str | None = None, now: datetime | None = None) -> list[str]:
    """Retire every deprecated version that deliveries may no longer use; returns their ids."""
    now, by = now or utcnow(), by or ws.actor
    retired: list[str] = []
    with ws.db.unit_of_work() as s:
        _person(s, by)
        versions = ContractVersions(s)
        for record in Contracts(s).list():
            Contracts(s).find_locked(record.id)
            for version in versions.of_contract(record.id):
                if version.state is not S.DEPRECATED:
                    continue
                try:
                    check_delivery_allowed(s, version.id, now)
                except PolicyViolation as exc:
                    after = version.model_copy(update={"state": move(version.id, version.state, S.RETIRED)})
                    update_audited(versions, version, after, actor=by, action="contract_version.retire",
                                   reason=exc.what)
                    retired.append(version.id)
    return retired


def check_delivery_allowed(session: Session, contract_version_id: str, at: datetime) -> ContractVersionRecord:
    """The version a delivery at `at` may be checked under, or a refusal naming the version to use."""
    try:
        split_version_id(contract_version_id)
    except ValueError as exc:
        raise BadInput("invalid contract version", expected=str(exc), got=contract_version_id) from None
    versions = ContractVersions(session)
    version = versions.get(contract_version_id)
    current = versions.active(version.contract_id)
    use = f"; deliver under {current.id}" if current is not None else ""
    if version.state is S.ACTIVE:
        return version
    if version.state is S.PROPOSED:
        raise PolicyViolation(f"contract version {version.id} is only proposed{use}",
                              expected=f"an active version (it takes effect {version.effective_from.isoformat()})")
    if version.state is S.DEPRECATED and version.superseded_by_id is not None:
        # Walk every later version: the first breaking one whose period has ended refuses it.
        successor: ContractVersionRecord | None = versions.get(version.superseded_by_id)
        while successor is not None:
            until = successor.compatibility_until
            if successor.change_class is ChangeClass.BREAKING and (until is None or at >= until):
                raise PolicyViolation(
                    f"contract version {version.id} is no longer accepted: the compatibility "
                    f"period of {successor.id} ended {until.isoformat() if until else ''}",
                    expected=f"a delivery under {current.id if current else successor.id}",
                    got=version.id,
                    hint=f"see the migration note: flywheel contracts show {successor.id}")
            nxt = successor.superseded_by_id
            successor = versions.get(nxt) if nxt is not None else None
        return version
    raise PolicyViolation(f"contract version {version.id} is {version.state.value}{use}",
                          expected="an active version", got=version.id)


def _locked_version(s: Session, version_id: str) -> tuple[ContractRecord, ContractVersionRecord]:
    """Lock the contract first, then read the version, so two writers cannot both move it."""
    try:
        contract_id, _ = split_version_id(version_id)
    except ValueError as exc:
        raise BadInput("invalid contract version", expected=str(exc), got=version_id) from None
    record = Contracts(s).find_locked(contract_id)
    if record is None:
        raise NotFound(f"contract version {version_id} does not exist", hint="flywheel contracts list")
    return record, ContractVersions(s).get(version_id)


def _version(contract: Contract, text: str, *, state: S, change_class: ChangeClass, by: str,
             now: datetime, effective_from: datetime, previous: str | None = None,
             until: datetime | None = None, changes: list[dict[str, object]] | None = None,
             short_notice_reason: str | None = None) -> ContractVersionRecord:
    return ContractVersionRecord(
        id=contract.version_id, contract_id=contract.id, semver=contract.version, state=state,
        document=text, document_sha256=sha256(text.encode("utf-8")).hexdigest(),
        change_class=change_class, changes=changes or [], previous_version_id=previous,
        proposed_by=by, proposed_at=now, effective_from=effective_from, compatibility_until=until,
        migration_note=contract.change.migration_note, notice_days=contract.change.notice_days,
        short_notice_reason=short_notice_reason)


def _raci_item(contract: Contract) -> str:
    producer = contract.operational.producer_role
    return contract.operational.raci_item or RACI_ITEM_BY_PRODUCER.get(producer, FALLBACK_RACI_ITEM)


def _person(s: Session, person_id: str) -> None:
    if People(s).find(person_id) is None:
        raise NotFound(f"person {person_id} does not exist",
                       expected="the id of a person (pass --by PERSON or set FLYWHEEL_ACTOR)",
                       hint="flywheel people list")


def _holders(s: Session, role: Role, project_id: str | None) -> set[str]:
    # The same rule the RACI uses: holders named for the project replace the team-wide ones.
    holdings = [h for h in RoleHoldings(s).list() if h.role == role]
    scoped = {h.person_id for h in holdings if project_id is not None and h.project_id == project_id}
    return scoped or {h.person_id for h in holdings if h.project_id is None}


def holders_of(ws: Workspace, role: Role, project_id: str | None = None) -> list[str]:
    """The people holding `role` where a contract of `project_id` looks for it, sorted."""
    with ws.db.session() as s:
        return sorted(_holders(s, role, project_id))


def _require_holders(s: Session, role: Role, project_id: str | None, *, why: str) -> None:
    if not _holders(s, role, project_id):
        where = f" in project {project_id}" if project_id else ""
        raise PolicyViolation(f"nobody holds role {role.value!r}{where} ({why})",
                              expected="at least one person holding it", kept="nothing was stored",
                              hint=f"flywheel people grant-role PERSON {role.value}")


def _require_role(s: Session, person: str, role: Role, project_id: str | None, *, action: str) -> None:
    if person not in _holders(s, role, project_id):
        raise PolicyViolation(f"{person} may not {action}", expected=f"a person holding {role.value!r}",
                              got=person, kept="nothing was stored")


def _require_layer_owners(s: Session, person: str, layers: list[Layer], project_id: str | None) -> None:
    for layer in layers:
        _require_role(s, person, LAYER_OWNERS[layer], project_id, action=f"change the {layer.value} layer")


# ---------------------------------------------------------------- reads and the metric


ContractWithVersions = tuple[ContractRecord, list[ContractVersionRecord]]
"""A contract as `flywheel contracts list` shows it: with its versions, oldest SemVer first."""


def list_contracts(ws: Workspace) -> list[ContractWithVersions]:
    """Every contract with its versions, at once (for the flows that need them all)."""
    return list(contracts(ws).stream())


def contracts(ws: Workspace, *, project_id: str | None = None
              ) -> Joined[ContractRecord, ContractWithVersions]:
    """Every contract (optionally of one project) with its versions, a page of contracts at a
    time or streamed (`flywheel contracts list`, `GET /api/v1/contracts`): the versions of a page
    are read in one query."""
    return Joined(Listing(ws, Contracts, project_id=project_id), _with_versions)


def version_notices(ws: Workspace, version_id: str) -> Listing[ContractNotice]:
    """The notices of version `ID@VERSION` (one per Consulted or Informed person of a breaking
    change), a page at a time; `NotFound` when the version does not exist."""
    with ws.db.session() as s:
        ContractVersions(s).get(version_id)
    return Listing(ws, ContractNotices, contract_version_id=version_id)


def _with_versions(s: Session, found: list[ContractRecord]) -> list[ContractWithVersions]:
    versions = ContractVersions(s).of_contracts([c.id for c in found])
    return [(c, versions.get(c.id, [])) for c in found]


def get_version(ws: Workspace, ref: str) -> tuple[ContractVersionRecord, Contract, list[ContractNotice]]:
    """`ID@VERSION`, or `ID` for its active version: the record, the contract and its notices."""
    with ws.db.session() as s:
        versions = ContractVersions(s)
        if "@" in ref:
            version = versions.get(ref)
        else:
            Contracts(s).get(ref)
            found = versions.active(ref) or versions.latest(ref)
            assert found is not None
            version = found
        notices = ContractNotices(s).list(contract_version_id=version.id)
    return version, parse_odcs(version.document, source=version.id), notices


@dataclass
class NoticeRate:
    """Interface-change advance-notice rate: breaking changes noticed ≥ N days ahead / all."""

    breaking: int
    on_time: int
    late: list[str]

    @property
    def rate(self) -> float | None:
        return None if self.breaking == 0 else self.on_time / self.breaking


def advance_notice_rate(ws: Workspace, *, since: datetime | None = None,
                        until: datetime | None = None) -> NoticeRate:
    """Over breaking versions proposed in [since, until): on time when every notice was sent at
    least the version's `notice_days` before it took effect (and there was at least one).
    A rejected proposal never took effect, so it is neither on time nor late."""
    with ws.db.session() as s:
        breaking = [v for c in Contracts(s).list() for v in ContractVersions(s).of_contract(c.id)
                    if needs_notice(v.change_class) and v.state is not S.REJECTED
                    and (since is None or v.proposed_at >= since)
                    and (until is None or v.proposed_at < until)]
        late: list[str] = []
        for v in breaking:
            if not announced_in_time(v.notice_days,
                                     ContractNotices(s).list(contract_version_id=v.id)):
                late.append(v.id)
    return NoticeRate(breaking=len(breaking), on_time=len(breaking) - len(late), late=late)
