"""Which project a record belongs to: the question the team server asks before it authorises.

A route names the record it acts on by a path parameter (`{requirement}`, `{version}`, …); the
server's policy (`api/policy.py`) asks `project_of(session, kind, value)` which project that is,
then whether the caller may act there. None means the record is team-wide (it names no project).
A record that does not exist is `NotFound` (404) before any authorisation is decided, the same
answer the flow would give. Reads only.

Adding a kind: one entry in `PROJECT_OF`, named like the path parameter routes use. A rule that
follows a person the record names (a requirement's Accountable) reads `PERSON_NAMED`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dataflywheel.errors import NotFound
from dataflywheel.store.base import Base
from dataflywheel.store.repositories.data import resolve_version
from dataflywheel.store.tables.contracts import ContractRow
from dataflywheel.store.tables.data import BatchRow, DatasetRow
from dataflywheel.store.tables.demand import RequirementRow
from dataflywheel.store.tables.experiments import ExperimentRow
from dataflywheel.store.tables.feedback import FeedbackEventRow, ThemeRow
from dataflywheel.store.tables.governance import AccessGrantRow, AssetRow, ExceptionRow
from dataflywheel.store.tables.guides import GuideRow
from dataflywheel.store.tables.issues import IssueRow
from dataflywheel.store.tables.kb import KbDocumentRow
from dataflywheel.store.tables.people import PersonRow
from dataflywheel.store.tables.projects import ProjectRow
from dataflywheel.store.tables.raci import ConsultationRow

Resolver = Callable[[Session, str], str | None]


def _column(s: Session, row_type: type[Base], key: str, column: str, noun: str) -> Any:
    table: Any = row_type
    found = s.execute(select(getattr(table, column)).where(table.id == key)).first()
    if found is None:
        raise NotFound(f"{noun} {key} does not exist")
    return found[0]


def _direct(row_type: type[Base], noun: str) -> Resolver:
    """The record's own `project_id`."""
    return lambda s, key: _column(s, row_type, key, "project_id", noun)


def _via(row_type: type[Base], column: str, noun: str, parent: str) -> Resolver:
    """The project of the record `column` points at (a batch's dataset, a grant's asset)."""
    return lambda s, key: PROJECT_OF[parent](s, _column(s, row_type, key, column, noun))


def _project(s: Session, key: str) -> str:
    _column(s, ProjectRow, key, "id", "project")
    return key


def _dataset(s: Session, ref: str) -> str | None:
    """A dataset by id, or by name as the CLI names it (`flywheel versions create raw-pool`)."""
    found = s.execute(select(DatasetRow.project_id).where(DatasetRow.id == ref)).first() \
        or s.execute(select(DatasetRow.project_id).where(DatasetRow.name == ref)).first()
    if found is None:
        raise NotFound(f"dataset {ref} does not exist", hint="flywheel datasets list")
    return found[0]  # type: ignore[no-any-return]
def _person(s: Session, key: str) -> None:
    """A person belongs to no project (they may hold roles in several): team-wide."""
    _column(s, PersonRow, key, "id", "person")


def _version(s: Session, ref: str) -> str | None:
    return PROJECT_OF["dataset"](s, resolve_version(s, ref).dataset_id)


PROJECT_OF: dict[str, Resolver] = {
    "project": _project,
    "requirement": _direct(RequirementRow, "requirement"),
    "dataset": _dataset,
    "batch": _via(BatchRow, "dataset_id", "batch", "dataset"),
    "version": _version,
    "experiment": _direct(ExperimentRow, "experiment"),
    "issue": _direct(IssueRow, "issue"),
    "contract": _direct(ContractRow, "contract"),
    "exception": _direct(ExceptionRow, "exception"),
    "asset": _direct(AssetRow, "asset"),
    "grant": _via(AccessGrantRow, "asset_id", "access grant", "asset"),
    "theme": _direct(ThemeRow, "theme"),
    "event": _direct(FeedbackEventRow, "feedback event"),
    "person": _person,
    "document": _direct(KbDocumentRow, "kb document"),
    "guide": _direct(GuideRow, "annotation guide"),
}


def project_of(s: Session, kind: str, value: str) -> str | None:
    """The project record `value` of `kind` belongs to (None: team-wide); `NotFound` if absent."""
    return PROJECT_OF[kind](s, value)


def _named(row_type: type[Base], column: str, noun: str) -> Resolver:
    """The person the record's `column` names."""
    return lambda s, key: _column(s, row_type, key, column, noun)


PERSON_NAMED: dict[tuple[str, str], Resolver] = {
    ("requirement", "accountable"): _named(RequirementRow, "accountable_id", "requirement"),
    ("consultation", "consulted"): _named(ConsultationRow, "person_id", "consultation"),
}
"""(record kind, letter) → the person a record itself names for that letter (None: nobody), for
rules that follow the record rather than the RACI matrix (`api.policy.Named`)."""


def person_named(s: Session, kind: str, value: str, letter: str) -> str | None:
    """The person record `value` of `kind` names as `letter`; `NotFound` if absent."""
    return PERSON_NAMED[(kind, letter)](s, value)
