"""The one access decision every read of a version's contents goes through, and its audit entry.

`decide(session, reader, version, at, purpose=...)` applies Table 24-20
(`domain.policies.sensitivity.read_rule`) at the version's effective level (`flows.sensitivity`:
derived data inherits from its sources unless re-graded):

- public and not archived: open; the read is still audited (version citation and download);
- above public — whatever the version's state — or archived: the reader must be named, must state
  a purpose (above public), and must hold an active, unexpired grant on the version or its
  dataset; for restricted data that grant must rest on a compliance exception that is still
  active, covers the version and lists the reader.

`record(session, actor, decision, via=..., fields=...)` writes the audit entry of a read
(`version.read`) or a refusal (`version.read_refused`): who (the reader, and the actor in the
entry), what (the version, the fields read, how: `via`), when (the entry's time), purpose, level
and the grants that allowed it. A missing reader, an unknown reader or a missing purpose is bad
input: refused before anything is decided, nothing written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dataflywheel.domain.policies.sensitivity import Grade, ReadRule, read_rule
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.data import DatasetVersion
from dataflywheel.domain.records.governance import AccessGrant, AssetKind
from dataflywheel.domain.states import GrantState as GS
from dataflywheel.domain.states import VersionState
from dataflywheel.errors import BadInput, NotFound, PolicyViolation
from dataflywheel.flows._audit import audit
from dataflywheel.flows.governance.access import expire_due
from dataflywheel.flows.governance.access_exception import rests_on_active
from dataflywheel.flows.governance.sensitivity import version_grade
from dataflywheel.store.repositories.data import resolve_version
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.governance import AccessGrants, Assets
from dataflywheel.store.paging import Page, page_rows, stream_rows
from dataflywheel.store.repositories.people import People

REFUSED_KEPT = "nothing was read or written; the refusal is in the audit log"


@dataclass(frozen=True)
class ReadDecision:
    """Whether `reader` may read `version` now, at which level, by which grants, and why not."""

    version: DatasetVersion
    reader: str | None
    purpose: str | None
    grade: Grade
    rule: ReadRule
    grants: tuple[AccessGrant, ...]
    refusal: PolicyViolation | None

    @property
    def allowed(self) -> bool:
        return self.refusal is None

    def answer(self) -> dict[str, Any]:
        """The answer to "may this person read this version now?" (`flywheel access check
        --json`, `GET /api/v1/versions/{version}/access`)."""
        return {"person": self.reader, "version": self.version.id,
                "state": self.version.state.value, "level": self.grade.level.value,
                "grade": self.grade.explain(), "grant_needed": self.rule.grant_needed,
                "allowed": self.allowed, "grants": [g.id for g in self.grants],
                "refusal": str(self.refusal) if self.refusal else None}

    def details(self, via: str, fields: list[str]) -> dict[str, Any]:
        """What the audit entry records (its digest covers all of it)."""
        return {"version": self.version.id, "reader": self.reader, "purpose": self.purpose,
                "level": self.grade.level.value, "grade": self.grade.explain(), "via": via,
                "grants": [g.id for g in self.grants],
                "exceptions": sorted({g.exception_id for g in self.grants if g.exception_id}),
                "fields": fields, "allowed": self.allowed}


def _ask(version: DatasetVersion, reader: str | None) -> str:
    return (f"flywheel access request {version.id} --grantee {reader or 'PERSON'} "
            "--purpose TEXT --expires TIME --by PERSON")


def _what(version: DatasetVersion, grade: Grade) -> str:
    archived = version.state is VersionState.ARCHIVED
    if grade.level.rank == 0:
        return f"version {version.id} is archived"
    return f"version {version.id} is {grade.explain()}" + (" and archived" if archived else "")


def decide(session: Session, reader: str | None, version: DatasetVersion, at: datetime, *,
           purpose: str | None = None, asking: bool = False,
           kept: str = "nothing was written") -> ReadDecision:
    """The access decision for one read (see the module docstring); `asking` (`access check`)
    needs no purpose. A grant counts by time (an expired one never reads, swept or not); for
    restricted data the exceptions due are expired first, in `session`, revoking their grants."""
    graded = version_grade(session, version)
    rule = read_rule(graded.level, archived=version.state is VersionState.ARCHIVED)
    said = purpose.strip() if purpose and purpose.strip() else None
    base = ReadDecision(version, reader, said, graded, rule, (), None)
    if not rule.grant_needed:
        return base
    if reader is None:
        raise PolicyViolation(f"{_what(version, graded)}; reading it needs a reader with an "
                              "access grant", expected="--as PERSON", kept=kept,
                              hint=_ask(version, None))
    if People(session).find(reader) is None:
        raise NotFound(f"person {reader} does not exist", field="reader", kept=kept,
                       hint="flywheel people list")
    if rule.purpose_needed and said is None and not asking:
        raise BadInput(f"reading {graded.level.value} data needs its purpose, for the audit log",
                       field="purpose", expected="a non-empty statement", kept=kept,
                       hint="--purpose TEXT")
    grants = tuple(_grants_for(session, reader, version, at, rule))
    if grants:
        return ReadDecision(version, reader, said, graded, rule, grants, None)
    return ReadDecision(version, reader, said, graded, rule, (),
                        _refusal(session, reader, version, graded, rule, at))


def _grants_for(session: Session, person: str, version: DatasetVersion, at: datetime,
                rule: ReadRule) -> list[AccessGrant]:
    assets = {a.id: a for a in Assets(session).list(version_id=version.id)}
    assets |= {a.id: a for a in Assets(session).list(dataset_id=version.dataset_id,
                                                      kind=AssetKind.DATASET.value)}
    grants = [g for g in AccessGrants(session).list(grantee_id=person)
              if g.asset_id in assets and g.is_active(at)]
    if rule.exception_needed:
        grants = [g for g in grants if rests_on_active(session, g, assets[g.asset_id], at)]
    return sorted(grants, key=lambda g: g.id)


def _refusal(session: Session, reader: str, version: DatasetVersion, graded: Grade,
             rule: ReadRule, at: datetime) -> PolicyViolation:
    lapsed = [g for g in AccessGrants(session).list(grantee_id=reader)
              if g.asset_id in (version.id, version.dataset_id) and g.state is not GS.REQUESTED]
    got = "; ".join(f"{g.id} {_lapse(g, at, rule)}" for g in lapsed) or "no grant"
    resting = " resting on an active compliance exception" if rule.exception_needed else ""
    return PolicyViolation(
        f"{_what(version, graded)}; {reader} has no active access grant for it",
        expected=f"an active grant{resting} on {version.id} or dataset {version.dataset_id}",
        got=got, kept=REFUSED_KEPT, hint=_ask(version, reader))


def _lapse(grant: AccessGrant, at: datetime, rule: ReadRule) -> str:
    if grant.state is GS.ACTIVE and grant.expires_at <= at:
        return f"expired at {grant.expires_at.isoformat()}"
    if grant.state is GS.ACTIVE and rule.exception_needed:
        return "active but its compliance exception is not"
    return grant.state.value


def record(session: Session, actor: str, decision: ReadDecision, *, via: str,
           fields: list[str]) -> None:
    """The audit entry of a read (`version.read`) or a refusal (`version.read_refused`)."""
    d = decision.details(via, fields)
    grants = f"; grants {', '.join(d['grants'])}" if d["grants"] else ""
    shown = f"; fields {', '.join(fields)}" if fields else ""
    reason = (f"{'read' if decision.allowed else 'refused'} by {d['reader'] or 'nobody named'} "
              f"via {via}; purpose: {d['purpose'] or 'not stated'}; level {d['grade']}"
              f"{grants}{shown}")
    audit(session, actor=actor, action="version.read" if decision.allowed else
          "version.read_refused", kind="dataset_version", record_id=decision.version.id,
          before=None, after=d, reason=reason)


def can_read(session: Session, person: str, version: DatasetVersion, at: datetime) -> bool:
    """Whether `person` may read `version` at `at` (a question: nothing is audited)."""
    return decide(session, person, version, at, asking=True).allowed


def check(ws: Workspace, person: str, version_ref: str, *,
          now: datetime | None = None) -> ReadDecision:
    """May `person` read the version now? (after lazy expiry; the question is not a read)"""
    now = now or utcnow()
    with ws.db.unit_of_work() as s:
        if People(s).find(person) is None:
            raise NotFound(f"person {person} does not exist", field="person",
                           kept="nothing was changed", hint="flywheel people list")
        expire_due(s, at=now)
        return decide(s, person, resolve_version(s, version_ref), now, asking=True,
                      kept="nothing was changed")


@dataclass(frozen=True)
class ReadEntry:
    """One audited read or refusal: when, the actor, allowed or not, and the entry's words
    (reader, via, purpose, level, grants, fields)."""

    seq: int
    at: datetime
    actor: str
    version_id: str
    allowed: bool
    reason: str

    def row(self) -> dict[str, Any]:
        """As `flywheel access reads --json` prints it and `GET …/reads` answers it."""
        return {"seq": self.seq, "at": self.at.isoformat(), "actor": self.actor,
                "version": self.version_id, "allowed": self.allowed, "reason": self.reason}


class Reads:
    """The audited reads and refusals of one version (None: all), by audit sequence, a page at a
    time (keyset on `seq`, `store.paging`) or streamed."""

    def __init__(self, ws: Workspace, version_ref: str | None = None) -> None:
        self.ws = ws
        self.version_ref = version_ref

    def _query(self, s: Session) -> Any:
        from sqlalchemy import select

        from dataflywheel.store.tables.audit import AuditEntryRow

        table: Any = AuditEntryRow.__table__  # plain rows: no ORM identity map, flat memory
        query = select(*table.columns).where(
            table.c.action.in_(("version.read", "version.read_refused")))
        if self.version_ref is not None:
            query = query.where(table.c.record_id == resolve_version(s, self.version_ref).id)
        return query, table.c.seq

    @staticmethod
    def _entry(r: Any) -> ReadEntry:
        return ReadEntry(seq=r.seq, at=r.at, actor=r.actor, version_id=r.record_id,
                         allowed=r.action == "version.read", reason=r.reason or "")

    def page(self, limit: int | None = None, cursor: str | None = None) -> Page[ReadEntry]:
        with self.ws.db.session() as s:
            query, seq = self._query(s)
            found = page_rows(s, query, [seq], limit=limit, cursor=cursor)
            return Page([self._entry(r) for r in found.items], found.next_cursor,
                        found.remaining)

    def stream(self) -> Iterator[ReadEntry]:
        with self.ws.db.session() as s:
            query, seq = self._query(s)
            for r in stream_rows(s, query, [seq]):
                yield self._entry(r)


def reads(ws: Workspace, version_ref: str | None = None) -> Reads:
    """The audited reads and refusals, oldest first, of one version (id or DATASET@N) or all."""
    return Reads(ws, version_ref)


def reads_of(ws: Workspace, version_ref: str | None = None) -> list[ReadEntry]:
    """The audited reads and refusals, oldest first, of one version (id or DATASET@N) or all."""
    return list(reads(ws, version_ref).stream())
