"""The data asset registry and expiring access grants: discoverable → requestable → traceable →
revocable.

- `register`: a dataset or dataset version becomes an asset with a sensitivity (public, internal,
  confidential, restricted), never less sensitive than its dataset; by the dataset's owner or the
  Accountable of `cross_team_data_sharing_approval` for its project.
- `request`: a grant for one person on one asset, with a purpose and an expiry that is in the
  future and at most `MAX_GRANT_DAYS` (90) days away, at the asset's effective level (derived
  data inherits from its sources, `flows.sensitivity`). On restricted data it rests on an active
  compliance exception that covers the asset and lists the grantee, and ends no later than it
  (`flows.access_exception`); the exception's expiry or revocation revokes it.
- `approve` / `deny`: by the RACI Accountable of `cross_team_data_sharing_approval` for the
  asset's project; a confidential or restricted asset also needs a Legal/Compliance holder's
  approval (either may come first; the grant is active once both are in). Four eyes: neither the
  requester nor the grantee decides.
- `revoke`: the sharing Accountable or Legal/Compliance ends an active grant early, with a reason;
  `revoke_person` ends every active grant of one person (offboarding).
- expiry: a grant whose `expires_at` has passed never counts (reads compare times); its record
  moves to expired lazily (every flow here first expires what is due, audited) and by `sweep`.
  Expiry and revocation go through the one lifecycle of time-limited records
  (`flows.governance._lifecycle`, as `_grant_moves.GRANTS`).

The reading rule (Table 24-20) and its audit live in `flows.access_reads`.

Every change is audited in its flow's one transaction; a refused request writes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import ValidationError
from sqlalchemy.orm import Session

from dataflywheel.domain.policies.raci import role_holders
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.data import DatasetVersion
from dataflywheel.domain.records.governance import AccessGrant, Asset, AssetKind, Sensitivity
from dataflywheel.domain.roles import Role
from dataflywheel.domain.states import GrantState as GS
from dataflywheel.domain.states import VersionState, move
from dataflywheel.errors import AlreadyExists, BadInput, NotFound, PolicyViolation, from_validation
from dataflywheel.flows._audit import add_audited, update_audited
from dataflywheel.flows._listing import Listing
from dataflywheel.flows.governance._grant_moves import GRANTS, deny_in, tell
from dataflywheel.flows.governance.access_exception import resting_exception
from dataflywheel.flows.governance.exception_coverage import SYSTEM_ACTOR
from dataflywheel.flows.governance.sensitivity import dataset_grade, version_grade
from dataflywheel.store.repositories.data import resolve_version
from dataflywheel.flows.notifications import notify
from dataflywheel.flows.governance.raci import who
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.data import Datasets, DatasetVersions
from dataflywheel.store.repositories.governance import AccessGrants, Assets
from dataflywheel.store.repositories.people import People, RoleHoldings

MAX_GRANT_DAYS = 90
SHARING_ITEM = "cross_team_data_sharing_approval"
NOTHING = "nothing was stored"


def register(ws: Workspace, *, by: str, version: str | None = None, dataset: str | None = None,
             sensitivity: str | None = None, description: str = "",
             now: datetime | None = None) -> Asset:
    """Register version `version` (id or DATASET@N) or dataset `dataset` (id or name) as an asset
    whose id is the version's or dataset's id; its sensitivity defaults to the dataset's."""
    if (version is None) == (dataset is None):
        raise BadInput("register exactly one of a version or a dataset", field="asset",
                       expected="--version V or --dataset D", kept=NOTHING)
    level = _sensitivity(sensitivity)
    with ws.db.unit_of_work() as s:
        _person(s, by, "by")
        v = resolve_version(s, version) if version is not None else None
        repo = Datasets(s)
        ds = (repo.get(v.dataset_id) if v is not None
              else repo.find(dataset) or repo.by_name(str(dataset)))
        level = level or ds.sensitivity
        if level.rank < ds.sensitivity.rank:
            raise PolicyViolation(
                f"an asset of dataset {ds.id} may not be less sensitive than the dataset",
                field="sensitivity", expected=f"{ds.sensitivity.value} or higher",
                got=level.value, kept=NOTHING)
        accountable = who(s, SHARING_ITEM, ds.project_id).accountable
        if by not in {ds.owner_id, accountable}:
            raise PolicyViolation(f"{by} may not register assets of dataset {ds.id}",
                                  expected=f"the dataset's owner {ds.owner_id} or the sharing "
                                  f"Accountable {accountable}", got=by, kept=NOTHING)
        key = v.id if v is not None else ds.id
        if Assets(s).find(key) is not None:
            raise AlreadyExists(f"asset {key} is already registered", kept=NOTHING,
                                hint="flywheel access list --assets")
        asset = Asset(id=key, name=_name(ds.name, v),
                      kind=AssetKind.DATASET_VERSION if v is not None else AssetKind.DATASET,
                      dataset_id=ds.id, version_id=v.id if v is not None else None,
                      project_id=ds.project_id, owner_id=ds.owner_id, sensitivity=level,
                      description=description, registered_at=now or utcnow())
        return add_audited(Assets(s), asset, actor=ws.actor, reason=f"registered by {by}")


def _name(dataset_name: str, version: DatasetVersion | None) -> str:
    if version is None:
        return dataset_name
    return f"{dataset_name}@{version.number}" if version.number is not None else version.id


def _sensitivity(value: str | None) -> Sensitivity | None:
    if value is None:
        return None
    try:
        return Sensitivity(value)
    except ValueError:
        raise BadInput(f"unknown sensitivity {value!r}", field="sensitivity",
                       expected="one of " + ", ".join(s.value for s in Sensitivity),
                       kept=NOTHING) from None


def _person(s: Session, person: str, field: str, kept: str = NOTHING) -> None:
    if People(s).find(person) is None:
        raise NotFound(f"person {person} does not exist", field=field, kept=kept,
                       hint="flywheel people list")


def request(ws: Workspace, asset_id: str, *, grantee: str, purpose: str, expires_at: datetime,
            requested_by: str, exception_id: str | None = None,
            now: datetime | None = None) -> AccessGrant:
    """Store a requested grant at the asset's effective level (derived data inherits from its
    sources) and notify who may decide it. A grant on restricted data rests on compliance
    exception `exception_id` (`flows.access_exception.resting_exception`)."""
    now = now or utcnow()
    _check_expiry(expires_at, now)
    if not purpose.strip():
        raise BadInput("a grant request needs its purpose", field="purpose",
                       expected="a non-empty statement", kept=NOTHING, hint="--purpose TEXT")
    with ws.db.unit_of_work() as s:
        asset = _requestable(s, asset_id, grantee, requested_by)
        level = asset_level(s, asset)
        if level is Sensitivity.RESTRICTED:
            resting_exception(s, asset, exception_id=exception_id, grantee=grantee,
                              expires_at=expires_at, at=now)
        repo = AccessGrants(s)
        try:
            grant = AccessGrant(id=repo.next_id(), asset_id=asset.id, grantee_id=grantee,
                                sensitivity=level, purpose=purpose.strip(),
                                requested_by_id=requested_by, requested_at=now,
                                expires_at=expires_at, exception_id=exception_id
                                if level is Sensitivity.RESTRICTED else None)
        except ValidationError as exc:
            raise from_validation(exc, what="invalid grant request") from None
        add_audited(repo, grant, actor=ws.actor, reason=grant.purpose)
        for person in sorted(_deciders(s, asset, level) - {requested_by, grantee}):
            notify(s, actor=ws.actor, to=person, kind="access.request", record_kind="access_grant",
                   record_id=grant.id, at=now,
                   subject=f"grant {grant.id} for {grantee} on {asset.id} awaits your decision",
                   body=f"purpose: {grant.purpose}; expires {expires_at.isoformat()}")
        return grant


def _requestable(s: Session, asset_id: str, grantee: str, requested_by: str) -> Asset:
    asset = Assets(s).find(asset_id)
    if asset is None:
        raise NotFound(f"asset {asset_id} does not exist", field="asset", kept=NOTHING,
                       hint="flywheel access register --version V --by PERSON")
    _person(s, grantee, "grantee")
    _person(s, requested_by, "requested_by")
    if asset.retired_at is not None or not asset.requestable:
        raise PolicyViolation(f"asset {asset_id} is not requestable", kept=NOTHING)
    return asset


def asset_level(s: Session, asset: Asset) -> Sensitivity:
    """The effective level of an asset: its own, or what its version/dataset grades to."""
    if asset.version_id is not None:
        graded = version_grade(s, DatasetVersions(s).get(asset.version_id)).level
    else:
        graded = dataset_grade(s, str(asset.dataset_id)).level
    return max(asset.sensitivity, graded, key=lambda level: level.rank)


def _check_expiry(expires_at: datetime, now: datetime) -> None:
    if expires_at.tzinfo is None:
        raise BadInput("the expiry needs a time zone", field="expires_at",
                       expected="an aware time such as 2026-12-01T18:00:00+00:00",
                       got=expires_at.isoformat(), kept=NOTHING)
    if expires_at <= now:
        raise BadInput("the expiry is not in the future", field="expires_at",
                       expected=f"a time after {now.isoformat()}", got=expires_at.isoformat(),
                       kept=NOTHING)
    if expires_at > now + timedelta(days=MAX_GRANT_DAYS):
        raise BadInput(f"a grant lasts at most {MAX_GRANT_DAYS} days", field="expires_at",
                       expected=f"a time up to {(now + timedelta(days=MAX_GRANT_DAYS)).isoformat()}",
                       got=expires_at.isoformat(), kept=NOTHING)


def _accountable(s: Session, asset: Asset) -> str:
    return who(s, SHARING_ITEM, asset.project_id).accountable


def _legal(s: Session, asset: Asset, level: Sensitivity) -> set[str]:
    """Legal/Compliance holders whose approval a grant at `level` needs (none below
    confidential)."""
    if level.rank < Sensitivity.CONFIDENTIAL.rank:
        return set()
    return role_holders(Role.LEGAL_COMPLIANCE, asset.project_id, RoleHoldings(s).list())


def _deciders(s: Session, asset: Asset, level: Sensitivity) -> set[str]:
    return {_accountable(s, asset)} | _legal(s, asset, level)


def approve(ws: Workspace, grant_id: str, *, approver: str, note: str = "",
            now: datetime | None = None) -> AccessGrant:
    """Record `approver`'s approval (as the sharing Accountable, or as Legal/Compliance for a
    confidential or restricted asset); active once every needed approval is in."""
    now = now or utcnow()
    with ws.db.unit_of_work() as s:
        grant, asset = _decidable(s, grant_id, approver, now)
        accountable, legal = _accountable(s, asset), _legal(s, asset, grant.sensitivity)
        # two approvals are two people: one who holds both roles fills one slot
        if approver == accountable and grant.approved_by_id is None \
                and approver != grant.compliance_approved_by_id:
            fields: dict[str, object] = {"approved_by_id": approver}
        elif approver in legal and grant.compliance_approved_by_id is None \
                and approver != grant.approved_by_id:
            fields = {"compliance_approved_by_id": approver}
        else:
            raise _not_decider(grant, asset, approver, accountable, legal, "approve")
        staged = GRANTS.moved(grant, None, **fields)
        complete = staged.approved_by_id is not None and (
            not legal or staged.compliance_approved_by_id is not None)
        after = GRANTS.moved(staged, GS.ACTIVE, granted_at=now) if complete else staged
        update_audited(AccessGrants(s), grant, after, actor=ws.actor,
                       action="access_grant.approve" if complete else "access_grant.consent",
                       reason=note or f"approved by {approver}")
        if complete:
            tell(s, ws.actor, after, now, "approved")
        return after


def _decidable(s: Session, grant_id: str, person: str,
               now: datetime) -> tuple[AccessGrant, Asset]:
    grant = AccessGrants(s).get(grant_id)
    _person(s, person, "approver", kept=f"{grant_id} is unchanged")
    move(f"access grant {grant_id}", grant.state, GS.ACTIVE)
    if now >= grant.expires_at:
        raise PolicyViolation(f"grant {grant_id} expired at {grant.expires_at.isoformat()} before "
                              "it was decided", kept=f"{grant_id} is still requested and grants "
                              "nothing", hint="flywheel access request … with a later --expires")
    if person in {grant.requested_by_id, grant.grantee_id}:
        raise PolicyViolation(f"{person} requested or receives grant {grant_id} and may not "
                              "decide it", expected="a decider other than the requester and the "
                              "grantee", got=person, kept=f"{grant_id} is still requested")
    return grant, Assets(s).get(grant.asset_id)


def _not_decider(grant: AccessGrant, asset: Asset, person: str, accountable: str,
                 legal: set[str], verb: str) -> PolicyViolation:
    needed = f"the sharing Accountable {accountable}"
    if legal:
        needed += f" and Legal/Compliance ({', '.join(sorted(legal))})"
    done = [p for p in (grant.approved_by_id, grant.compliance_approved_by_id) if p]
    return PolicyViolation(
        f"{person} may not {verb} grant {grant.id} on {asset.sensitivity.value} asset {asset.id}",
        expected=needed + (f", not again ({', '.join(done)} already approved)" if done else ""),
        got=person, kept=f"{grant.id} is still {grant.state.value}")


def deny(ws: Workspace, grant_id: str, *, approver: str, reason: str,
         now: datetime | None = None) -> AccessGrant:
    """Any decider of the grant refuses it, with a reason."""
    now = now or utcnow()
    if not reason.strip():
        raise BadInput("a denial needs a reason", field="reason", hint="--reason TEXT",
                       kept=f"{grant_id} is unchanged")
    with ws.db.unit_of_work() as s:
        grant, asset = _decidable(s, grant_id, approver, now)
        accountable, legal = _accountable(s, asset), _legal(s, asset, grant.sensitivity)
        if approver not in {accountable} | legal:
            raise _not_decider(grant, asset, approver, accountable, legal, "deny")
        return deny_in(s, ws.actor, grant, reason=reason, now=now)


def revoke(ws: Workspace, grant_id: str, *, by: str, reason: str,
           now: datetime | None = None) -> AccessGrant:
    """End an active grant before its expiry; the sharing Accountable or Legal/Compliance may."""
    now = now or utcnow()
    if not reason.strip():
        raise BadInput("a revocation needs a reason", field="reason", hint="--reason TEXT",
                       kept=f"{grant_id} is unchanged")
    with ws.db.unit_of_work() as s:
        expire_due(s, at=now)
        return _revoke_one(s, ws.actor, AccessGrants(s).get(grant_id), by, reason, now)


def revoke_person(ws: Workspace, grantee: str, *, by: str, reason: str,
                  now: datetime | None = None) -> list[AccessGrant]:
    """End every active grant of `grantee` (offboarding) in one transaction, each audited; `by`
    must be allowed to revoke each of them, or none is revoked."""
    now = now or utcnow()
    if not reason.strip():
        raise BadInput("a revocation needs a reason", field="reason", hint="--reason TEXT",
                       kept=f"the grants of {grantee} are unchanged")
    with ws.db.unit_of_work() as s:
        expire_due(s, at=now)
        _person(s, grantee, "grantee", kept=f"the grants of {grantee} are unchanged")
        active = AccessGrants(s).list(grantee_id=grantee, state=GS.ACTIVE.value)
        return [_revoke_one(s, ws.actor, g, by, reason, now)
                for g in sorted(active, key=lambda g: g.id)]


def _revoke_one(s: Session, actor: str, grant: AccessGrant, by: str, reason: str,
                now: datetime) -> AccessGrant:
    _person(s, by, "by", kept=f"{grant.id} is unchanged")
    asset = Assets(s).get(grant.asset_id)
    accountable = _accountable(s, asset)
    legal = role_holders(Role.LEGAL_COMPLIANCE, asset.project_id, RoleHoldings(s).list())
    if by not in {accountable} | legal:
        raise PolicyViolation(f"{by} may not revoke grant {grant.id}",
                              expected=f"the sharing Accountable {accountable} or "
                              f"Legal/Compliance ({', '.join(sorted(legal)) or 'nobody'})",
                              got=by, kept=f"{grant.id} is still {grant.state.value}")
    move(f"access grant {grant.id}", grant.state, GS.REVOKED)
    GRANTS.revoke(s, grant, reason=reason, at=now, actor=actor)
    return AccessGrants(s).get(grant.id)


def expire_due(session: Session, *, at: datetime, actor: str = SYSTEM_ACTOR) -> list[str]:
    """Move every active grant whose expiry is at or before `at` to expired, audited, and tell
    grantee and requester; a grant already moved by someone else is skipped. Returns the ids."""
    expired: list[str] = []
    for grant in AccessGrants(session).list(state=GS.ACTIVE.value):
        if grant.expires_at <= at and GRANTS.expire(session, grant, at=at, actor=actor):
            expired.append(grant.id)
    return expired


def sweep(ws: Workspace, now: datetime | None = None) -> list[str]:
    """Expire, in one transaction, every active grant past its expiry; returns their ids."""
    with ws.db.unit_of_work() as s:
        return expire_due(s, at=now or utcnow(), actor=ws.actor)


def list_grants(ws: Workspace, *, state: str | None = None, grantee: str | None = None,
                asset: str | None = None, now: datetime | None = None) -> list[AccessGrant]:
    """Grants by id, optionally filtered, after expiring what is due."""
    return list(grants(ws, state=state, grantee=grantee, asset=asset, now=now).stream())


def grants(ws: Workspace, *, state: str | None = None, grantee: str | None = None,
           asset: str | None = None, now: datetime | None = None) -> Listing[AccessGrant]:
    """Grants by id, optionally filtered (in the database), paged or streamed; what is due
    expires first, in its own transaction."""
    if state is not None and state not in {m.value for m in GS}:
        raise BadInput(f"unknown grant state {state!r}", field="state",
                       expected="one of " + ", ".join(m.value for m in GS))
    with ws.db.unit_of_work() as s:
        expire_due(s, at=now or utcnow())
    return Listing(ws, AccessGrants, state=state, grantee_id=grantee, asset_id=asset)


def list_assets(ws: Workspace) -> list[Asset]:
    """The registry, by id."""
    return list(assets(ws).stream())


def assets(ws: Workspace, *, project: str | None = None) -> Listing[Asset]:
    """The registry by id, optionally of one project, paged or streamed (`flywheel access list
    --assets`)."""
    return Listing(ws, Assets, project_id=project)


# The questions the team server asks before a route runs (`api.record_rules.Asks`): the same
# people `approve`, `deny` and `revoke` accept, so a caller let through is never refused for who
# they are (a grant in the wrong state is still the flow's 409).

def may_decide(session: Session, grant_id: str, person: str) -> bool:
    """Whether `person` may approve or deny grant `grant_id`: the sharing Accountable, or
    Legal/Compliance above internal, neither its requester nor its grantee, before its expiry."""
    grant = AccessGrants(session).get(grant_id)
    if person in {grant.requested_by_id, grant.grantee_id} or utcnow() >= grant.expires_at:
        return False
    asset = Assets(session).get(grant.asset_id)
    try:
        return person in _deciders(session, asset, grant.sensitivity)
    except PolicyViolation:  # no single Accountable: nobody decides until the matrix is fixed
        return False


def may_revoke(session: Session, grant_id: str, person: str) -> bool:
    """Whether `person` may revoke grant `grant_id`: the sharing Accountable or Legal/Compliance."""
    asset = Assets(session).get(AccessGrants(session).get(grant_id).asset_id)
    legal = role_holders(Role.LEGAL_COMPLIANCE, asset.project_id, RoleHoldings(session).list())
    try:
        return person in {_accountable(session, asset)} | legal
    except PolicyViolation:
        return False


def may_revoke_all(session: Session, grantee: str, person: str) -> bool:
    """Whether `person` may revoke every grant of `grantee` that is active now (offboarding:
    `revoke_person` ends all of them or none)."""
    now = utcnow()
    return all(may_revoke(session, g.id, person)
               for g in AccessGrants(session).list(grantee_id=grantee, state=GS.ACTIVE.value)
               if g.expires_at > now)
