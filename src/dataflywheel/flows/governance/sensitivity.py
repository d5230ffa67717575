"""Effective sensitivity of datasets and versions (Table 24-20), derived data and re-grades.

- `version_grade` / `dataset_grade`: the level a read is decided at — the highest of the dataset's
  declared level, its registered assets' levels, and what its sources pass on (derived data);
  an approved re-grade replaces what the sources pass on (never below the data's own level).
  A cycle in the derivations is cut where it closes (a dataset never inherits from itself).
- `derive`: record that a dataset is derived from a version or dataset, by a method; by the
  dataset's owner or the sharing Accountable of its project (as for registering assets).
- `regrade`: a Legal/Compliance holder of the dataset's project approves a new level for a derived
  dataset, with a reason (e.g. "de-identified, no user ids left").

Both writers are audited in their one transaction; a refused one writes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dataflywheel.domain.policies.raci import role_holders
from dataflywheel.domain.policies.sensitivity import Grade, grade, read_rule, row_for
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.data import Dataset, DatasetVersion
from dataflywheel.domain.records.governance import (
    AssetKind,
    Derivation,
    Regrade,
    Sensitivity,
)
from dataflywheel.domain.roles import Role
from dataflywheel.errors import BadInput, NotFound, PolicyViolation
from dataflywheel.flows._audit import add_audited
from dataflywheel.flows.governance.raci import who
from dataflywheel.store.repositories.data import resolve_version
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.data import Datasets
from dataflywheel.store.repositories.governance import Assets, Derivations, Regrades
from dataflywheel.store.repositories.people import People, RoleHoldings

SHARING_ITEM = "cross_team_data_sharing_approval"
NOTHING = "nothing was stored"
Inputs = tuple[list[Sensitivity], dict[str, Sensitivity], Sensitivity | None]


def _inputs(session: Session, dataset_id: str, seen: frozenset[str]) -> Inputs:
    """(declared levels, source → its effective level, re-grade) of dataset `dataset_id`."""
    ds = Datasets(session).get(dataset_id)
    declared = [ds.sensitivity] + [a.sensitivity for a in Assets(session).list(
        dataset_id=dataset_id, kind=AssetKind.DATASET.value)]
    sources: dict[str, Sensitivity] = {}
    for d in Derivations(session).list(dataset_id=dataset_id):
        source_ds = d.source_dataset_id or resolve_version(session, d.source).dataset_id
        if source_ds in seen | {dataset_id}:
            continue  # a cycle: nothing is inherited from itself
        level = (version_grade(session, resolve_version(session, d.source), seen | {dataset_id})
                 if d.source_version_id else
                 dataset_grade(session, d.source, seen | {dataset_id})).level
        sources[d.source] = level
    latest = Regrades(session).latest(dataset_id)
    return declared, sources, latest.level if latest is not None else None


def dataset_grade(session: Session, dataset_id: str,
                  seen: frozenset[str] = frozenset()) -> Grade:
    """The effective level of dataset `dataset_id` (what a dataset-wide read is decided at)."""
    return grade(*_inputs(session, dataset_id, seen))


def version_grade(session: Session, version: DatasetVersion,
                  seen: frozenset[str] = frozenset()) -> Grade:
    """The effective level of `version`: its dataset's, raised by a version asset's level."""
    declared, sources, regraded = _inputs(session, version.dataset_id, seen)
    declared += [a.sensitivity for a in Assets(session).list(version_id=version.id)]
    return grade(declared, sources, regraded)


def _dataset(session: Session, ref: str) -> Dataset:
    repo = Datasets(session)
    found = repo.find(ref) or next((d for d in repo.list() if d.name == ref), None)
    if found is None:
        raise NotFound(f"dataset {ref} does not exist", field="dataset", kept=NOTHING,
                       hint="flywheel datasets list")
    return found


def _person(session: Session, person: str, field: str) -> None:
    if People(session).find(person) is None:
        raise NotFound(f"person {person} does not exist", field=field, kept=NOTHING,
                       hint="flywheel people list")


def derive(ws: Workspace, dataset: str, *, source: str, method: str, by: str,
           now: datetime | None = None) -> Derivation:
    """Record that `dataset` (id or name) is derived from `source` (a version id, DATASET@N, or
    a dataset id or name) by `method`."""
    if not method.strip():
        raise BadInput("a derivation needs its processing method", field="method",
                       expected="e.g. cleaning, annotation, generation", kept=NOTHING,
                       hint="--method TEXT")
    with ws.db.unit_of_work() as s:
        _person(s, by, "by")
        ds = _dataset(s, dataset)
        version = resolve_version(s, source) if "@" in source or source.startswith("V-") else None
        source_ds = _dataset(s, source) if version is None else Datasets(s).get(version.dataset_id)
        if source_ds.id == ds.id:
            raise PolicyViolation(f"dataset {ds.id} cannot be derived from itself", field="source",
                                  got=source, kept=NOTHING)
        allowed = {ds.owner_id, who(s, SHARING_ITEM, ds.project_id).accountable}
        if by not in allowed:
            raise PolicyViolation(f"{by} may not record what dataset {ds.id} is derived from",
                                  expected="the dataset's owner or the sharing Accountable ("
                                  + ", ".join(sorted(allowed)) + ")", got=by, kept=NOTHING)
        repo = Derivations(s)
        record = Derivation(id=repo.next_id(), dataset_id=ds.id,
                            source_version_id=version.id if version else None,
                            source_dataset_id=None if version else source_ds.id,
                            method=method.strip(), recorded_by_id=by,
                            recorded_at=now or utcnow())
        return add_audited(repo, record, actor=ws.actor,
                           reason=f"{ds.id} derived from {record.source} by {record.method}")


def regrade(ws: Workspace, dataset: str, *, level: str, by: str, reason: str,
            now: datetime | None = None) -> Regrade:
    """A Legal/Compliance holder re-grades derived dataset `dataset` to `level`, with a reason."""
    if not reason.strip():
        raise BadInput("a re-grade needs its reason", field="reason", kept=NOTHING,
                       expected="why the derived data is at this level", hint="--reason TEXT")
    try:
        target = Sensitivity(level)
    except ValueError:
        raise BadInput(f"unknown sensitivity {level!r}", field="level", kept=NOTHING,
                       expected="one of " + ", ".join(x.value for x in Sensitivity)) from None
    with ws.db.unit_of_work() as s:
        _person(s, by, "by")
        ds = _dataset(s, dataset)
        before = dataset_grade(s, ds.id)
        if not before.derived:
            raise PolicyViolation(
                f"dataset {ds.id} is not derived data; only derived data is re-graded",
                expected="a dataset with a recorded source", kept=NOTHING,
                hint=f"flywheel access derive {ds.name} --from SOURCE --method TEXT --by PERSON")
        legal = role_holders(Role.LEGAL_COMPLIANCE, ds.project_id, RoleHoldings(s).list())
        if by not in legal:
            raise PolicyViolation(f"{by} may not re-grade dataset {ds.id}",
                                  expected="a Legal/Compliance holder ("
                                  + (", ".join(sorted(legal)) or "nobody") + ")",
                                  got=by, kept=NOTHING)
        repo = Regrades(s)
        record = Regrade(id=repo.next_id(), dataset_id=ds.id, level=target,
                         inherited=before.inherited, approved_by_id=by, reason=reason.strip(),
                         approved_at=now or utcnow())
        return add_audited(repo, record, actor=ws.actor, reason=(
            f"{ds.id} re-graded from {before.inherited.value} to {target.value} by {by}: "
            f"{record.reason}"))


def grade_answer(key: str, graded: Grade) -> dict[str, Any]:
    """What `flywheel access grade --json` prints and `GET …/grade` answers: the level, why, and
    what Table 24-20 asks of reading it."""
    row = row_for(graded.level.value)
    return {"id": key, "level": graded.level.value, "grade": graded.explain(),
            "sources": list(graded.sources), "policy": row.default_access_policy,
            "audit": row.audit_requirements,
            "read_rule": read_rule(graded.level, archived=False).summary()}


def grade_of(ws: Workspace, ref: str) -> tuple[str, Grade]:
    """(what was graded, its grade) for a version (id or DATASET@N) or a dataset (id or name)."""
    if "@" in ref or ref.startswith("V-"):
        return version_grade_of(ws, ref)
    return dataset_grade_of(ws, ref)


def version_grade_of(ws: Workspace, ref: str) -> tuple[str, Grade]:
    """(the version's id, its grade) for a version id or DATASET@N."""
    with ws.db.session() as s:
        version = resolve_version(s, ref)
        return version.id, version_grade(s, version)


def dataset_grade_of(ws: Workspace, ref: str) -> tuple[str, Grade]:
    """(the dataset's id, its grade) for a dataset id or name."""
    with ws.db.session() as s:
        ds = _dataset(s, ref)
        return ds.id, dataset_grade(s, ds.id)


# The questions the team server asks before a route runs (`api.record_rules.Asks`): the same
# people the writers above accept, so a caller the server lets through is never refused by them.

def stewards(session: Session, dataset_id: str) -> set[str]:
    """Who registers a dataset's assets and records what it is derived from: its owner and the
    sharing Accountable of its project; nobody while the matrix names no single A (the writers
    then refuse everyone, the owner too)."""
    ds = _dataset(session, dataset_id)
    try:
        return {ds.owner_id, who(session, SHARING_ITEM, ds.project_id).accountable}
    except PolicyViolation:
        return set()


def may_steward(session: Session, dataset_id: str, person: str) -> bool:
    """Whether `person` may register dataset `dataset_id` as an asset or record its sources."""
    return person in stewards(session, dataset_id)


def may_steward_version(session: Session, version_ref: str, person: str) -> bool:
    """Whether `person` may register version `version_ref` (id or DATASET@N) as an asset."""
    return person in stewards(session, resolve_version(session, version_ref).dataset_id)


def may_regrade(session: Session, dataset_id: str, person: str) -> bool:
    """Whether `person` may re-grade dataset `dataset_id`: derived data, by a Legal/Compliance
    holder of its project (what `regrade` refuses otherwise)."""
    ds = _dataset(session, dataset_id)
    legal = role_holders(Role.LEGAL_COMPLIANCE, ds.project_id, RoleHoldings(session).list())
    return person in legal and dataset_grade(session, ds.id).derived
