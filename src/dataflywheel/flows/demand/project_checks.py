"""A project's "checks passed" (P10 §5.1): from its records where it has them, imported otherwise.

The checks a project's records hold are its deliveries and its experiments:
- every batch of its datasets, or delivered against one of its contracts, that the checks have
  judged: `passed` passes; `failed` and `awaiting_review` (people's reviews not yet in — a gate
  that could not evaluate never passes) do not; batches still `received`/`checking` are not
  counted yet;
- every finished experiment of the project: `completed` passes, `failed` does not; running ones
  are not counted yet.

A project with none of these takes the results its registry entry imported
(`imported_checks_passed` of `imported_checks_total`), and says so (`source: imported`); a project
with neither has `source: none` and has not passed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dataflywheel.domain.records.project import Project
from dataflywheel.domain.states import BatchState, ExperimentState

Source = Literal["records", "imported", "none"]
JUDGED_BATCHES = (BatchState.PASSED, BatchState.FAILED, BatchState.AWAITING_REVIEW)
FINISHED_EXPERIMENTS = (ExperimentState.COMPLETED, ExperimentState.FAILED)


@dataclass(frozen=True)
class ProjectChecks:
    passed: int
    total: int
    source: Source

    @property
    def all_passed(self) -> bool:
        """Whether there were checks and every one passed."""
        return self.total > 0 and self.passed == self.total


def _record_states(s: Session, project_id: str) -> Counter[str]:
    from dataflywheel.store.tables.contracts import ContractRow, ContractVersionRow
    from dataflywheel.store.tables.data import BatchRow, DatasetRow
    from dataflywheel.store.tables.experiments import ExperimentRow

    of_contracts = select(ContractVersionRow.id).join(
        ContractRow, ContractRow.id == ContractVersionRow.contract_id).where(
        ContractRow.project_id == project_id)
    batches = s.execute(select(BatchRow.id, BatchRow.state).join(
        DatasetRow, DatasetRow.id == BatchRow.dataset_id).where(or_(
            DatasetRow.project_id == project_id,
            BatchRow.contract_version_id.in_(of_contracts)))).all()
    counts: Counter[str] = Counter(f"batch:{state}" for _, state in batches)
    counts.update(f"experiment:{state}" for state in s.scalars(
        select(ExperimentRow.state).where(ExperimentRow.project_id == project_id)))
    return counts


def checks_of(s: Session, project: Project) -> ProjectChecks:
    """The project's checks passed, from records when it has any judged, else imported."""
    counts = _record_states(s, project.id)
    total = sum(counts[f"batch:{b.value}"] for b in JUDGED_BATCHES) + sum(
        counts[f"experiment:{e.value}"] for e in FINISHED_EXPERIMENTS)
    if total:
        passed = counts[f"batch:{BatchState.PASSED.value}"] + counts[
            f"experiment:{ExperimentState.COMPLETED.value}"]
        return ProjectChecks(passed, total, "records")
    if project.imported_checks_total is not None:
        return ProjectChecks(project.imported_checks_passed or 0, project.imported_checks_total,
                             "imported")
    return ProjectChecks(0, 0, "none")
