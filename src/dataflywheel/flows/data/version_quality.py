"""The quality reports behind a version: each batch's stored report, and the union report the
candidate's working summary names (`version_summary`). Reads only.

The batch reports are those `GET /api/v1/batches/{batch}/report` answers (the same query,
`reports.quality.batch_quality_report`, over the same stored bytes); the union report is the blob
`quality_summary.report_sha256` of `GET /api/v1/versions/{version}`. A batch without a report (it
never passed its checks) is listed as such, never skipped.
"""

from __future__ import annotations

from pydantic import BaseModel

from dataflywheel.checks.report import QualityReport
from dataflywheel.domain.records.data import Batch, DatasetVersion
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.data import DatasetVersions, resolve_version


class BatchQuality(BaseModel):
    """One batch of the version and its stored quality report (None: it has none)."""

    batch: Batch
    report: QualityReport | None


class VersionQuality(BaseModel):
    version: DatasetVersion
    union: QualityReport | None
    batches: list[BatchQuality]


def version_quality(ws: Workspace, version_ref: str) -> VersionQuality:
    """The union report and every batch's report of the version (id or DATASET@N)."""
    from dataflywheel.reports.quality import batch_quality_report

    with ws.db.session() as s:
        version = resolve_version(s, version_ref)
        batches = DatasetVersions(s).batches_of(version.id)
        parts = [BatchQuality(batch=b, report=batch_quality_report(s, ws.blobs, b.id)
                              if b.report_sha256 else None) for b in batches]
    sha = version.quality_summary.get("report_sha256")
    union = None
    if sha:
        with ws.blobs.open(str(sha)) as fh:
            union = QualityReport.model_validate_json(fh.read())
    return VersionQuality(version=version, union=union, batches=parts)
