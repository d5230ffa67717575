"""The quarterly version freeze (Tables 24-11, 24-12) on the report pattern.

Inputs, as Table 24-12 names them: the candidate data versions, their quality reports and their
compliance confirmation. Outputs: each baseline frozen in the quarter with its lineage (batches,
and what changed since the dataset's previous baseline) and its known limitations, and the
candidates still waiting. The table's success criterion is "is the version reproducible and
auditable?" and its common deviation "freeze is just a file copy without accompanying
documentation": a baseline whose datasheet leaves items unstated, or that names no known defects
(not even "none"), or has no quality report, is reported as that deviation.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel

from dataflywheel.canonjson import canonical_json
from dataflywheel.domain.calendar import REPORT_YEARS
from dataflywheel.domain.states import VersionState
from dataflywheel.reports.spec import ReportSpec

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

_FROZEN = frozenset({VersionState.FROZEN, VersionState.ARCHIVED, VersionState.WITHDRAWN})


class Baseline(BaseModel):
    id: str
    label: str
    dataset_id: str
    frozen_at: datetime
    approved_by_id: str | None
    compliance: str
    manifest_sha256: str | None
    quality_report: bool
    batches: list[str]
    previous: str | None
    added: list[str]
    removed: list[str]
    missing: list[str]
    known_defects: list[str] | None
    inapplicable: list[str] | None


class Candidate(BaseModel):
    id: str
    dataset_id: str
    compliance: str
    missing: list[str]


class Deviation(BaseModel):
    record_id: str
    detail: str


class QuarterlyFreeze(BaseModel):
    """The freeze of `quarter` (`2026-Q4`), of one project or the whole team."""

    quarter: str
    project: str | None
    baselines: list[Baseline]
    candidates: list[Candidate]
    deviations: list[Deviation]
    inputs_sha256: str


def quarter_bounds(quarter: str) -> tuple[datetime, datetime]:
    """[first moment, first moment of the next) of `2026-Q4`, in UTC; `ValueError` otherwise."""
    match = re.fullmatch(r"([0-9]{4})-Q([1-4])", quarter)
    if match is None or int(match.group(1)) not in REPORT_YEARS:
        raise ValueError(f"not a quarter: {quarter!r} (expected e.g. 2026-Q4)")
    year, q = int(match.group(1)), int(match.group(2))
    start = datetime(year, 3 * q - 2, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC) if q == 4 else datetime(year, 3 * q + 1, 1,
                                                                       tzinfo=UTC)
    return start, end


def quarterly_freeze(session: Session, *, quarter: str,
                     project: str | None = None) -> QuarterlyFreeze:
    """The query: the quarter's baselines and the candidates at its end (reads only)."""
    from dataflywheel.store.repositories.data import Datasets, DatasetVersions

    start, end = quarter_bounds(quarter)
    only = {} if project is None else {"project_id": project}
    datasets = {d.id for d in Datasets(session).list(**only)}
    repo = DatasetVersions(session)
    versions = [v for v in repo.list() if v.dataset_id in datasets]
    baselines = sorted((v for v in versions if v.baseline and v.state in _FROZEN
                        and v.frozen_at is not None), key=lambda v: (v.frozen_at, v.id))
    lines = []
    for v in baselines:
        if v.frozen_at is None or not start <= v.frozen_at < end:
            continue
        earlier = [b for b in baselines if b.dataset_id == v.dataset_id and b.frozen_at
                   and b.frozen_at < v.frozen_at]
        previous = earlier[-1] if earlier else None
        mine = [b.id for b in repo.batches_of(v.id)]
        theirs = [] if previous is None else [b.id for b in repo.batches_of(previous.id)]
        lines.append(Baseline(
            id=v.id, label=v.label, dataset_id=v.dataset_id, frozen_at=v.frozen_at,
            approved_by_id=v.approved_by_id, compliance=v.compliance.value,
            manifest_sha256=v.manifest_sha256,
            quality_report=bool(v.quality_summary.get("report_sha256")), batches=mine,
            previous=None if previous is None else previous.id,
            added=sorted(set(mine) - set(theirs)), removed=sorted(set(theirs) - set(mine)),
            missing=v.datasheet.missing(), known_defects=v.datasheet.known_defects,
            inapplicable=v.datasheet.inapplicable_scenarios))
    candidates = [Candidate(id=v.id, dataset_id=v.dataset_id, compliance=v.compliance.value,
                            missing=v.datasheet.missing())
                  for v in sorted(versions, key=lambda v: v.id)
                  if v.state is VersionState.CANDIDATE and v.created_at < end]
    deviations = [Deviation(record_id=b.id, detail=_undocumented(b)) for b in lines
                  if _undocumented(b)]
    read = ([[b.id, b.manifest_sha256, b.batches, b.missing] for b in lines]
            + [[c.id, c.missing] for c in candidates])
    return QuarterlyFreeze(quarter=quarter, project=project, baselines=lines,
                           candidates=candidates, deviations=deviations,
                           inputs_sha256=hashlib.sha256(canonical_json(read)).hexdigest())


def _undocumented(b: Baseline) -> str:
    gaps = []
    if b.missing:
        gaps.append("datasheet leaves " + ", ".join(b.missing) + " unstated")
    if not b.quality_report:
        gaps.append("no quality report")
    return "; ".join(gaps)


QUARTERLY = ReportSpec(name="quarterly", context=QuarterlyFreeze, template="quarterly")
