"""The manifest of a frozen version, and the lineage report of a baseline.

Guarantees: the manifest lists every file (name, sha256, bytes, rows, format) of every batch, the
total row count, the schema of every pinned contract version, the contract versions, the quality
report digests, the datasheet and the compliance conclusion. It holds no timestamps and no actors,
and is serialised canonically (`dataflywheel.canonjson`: sorted keys, compact separators,
UTF-8), so its sha256 is a pure function of the version's content: the version's identity.
"""

from __future__ import annotations

import json
from io import BytesIO
from typing import Any

from sqlalchemy.orm import Session

from dataflywheel.canonjson import canonical_json
from dataflywheel.domain.records.data import Dataset, DatasetVersion
from dataflywheel.store.blobs import BlobStore
from dataflywheel.store.repositories.data import Batches, DatasetVersions
from dataflywheel.store.repositories.people import Requirements

MANIFEST_KIND = "dataflywheel.dataset-version-manifest"
MANIFEST_SCHEMA = 1


def put_json(blobs: BlobStore, document: Any) -> str:
    """Store the canonical JSON of `document`; return its sha256."""
    return blobs.put_stream(BytesIO(canonical_json(document))).sha256


def read_json(blobs: BlobStore, sha256: str) -> Any:
    with blobs.open(sha256) as handle:
        return json.loads(handle.read().decode("utf-8"))


def build_manifest(s: Session, version: DatasetVersion, ds: Dataset, *,
                   extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The manifest document of `version` (its number already assigned)."""
    batches = DatasetVersions(s).batches_of(version.id)
    entries = [_batch_entry(s, b) for b in batches]
    contract_ids = sorted({b.contract_version_id for b in batches})
    manifest = {
        "kind": MANIFEST_KIND, "schema_version": MANIFEST_SCHEMA,
        "dataset": {"id": ds.id, "name": ds.name, "purpose": ds.purpose.value,
                    "sensitivity": ds.sensitivity.value, "project_id": ds.project_id},
        "version": {"id": version.id, "number": version.number, "baseline": version.baseline,
                    "experimental": version.experimental,
                    "parent_version_id": version.parent_version_id},
        "batches": entries,
        "row_count": sum(e["row_count"] for e in entries),
        "contract_versions": contract_ids,
        "schema": {cid: _schema_of(s, cid) for cid in contract_ids},
        "requirements": sorted({b.requirement_id for b in batches}),
        "quality_report_sha256": version.quality_summary.get("report_sha256"),
        "quality_summary": version.quality_summary,
        "datasheet": version.datasheet.model_dump(mode="json"),
        "compliance": version.compliance.value,
    }
    manifest.update(extra or {})
    return manifest


def _batch_entry(s: Session, batch: Any) -> dict[str, Any]:
    files = Batches(s).files(batch.id)
    return {
        "id": batch.id, "state": batch.state.value, "contract_version_id": batch.contract_version_id,
        "requirement_id": batch.requirement_id,
        "delivered_by": batch.delivered_by_person_id or batch.delivered_by_vendor_id,
        "annotator_ids": batch.annotator_ids, "guide_version": batch.guide_version,
        "report_sha256": batch.report_sha256, "row_count": batch.row_count,
        "files": [{"name": f.name, "sha256": f.sha256, "size_bytes": f.size_bytes,
                   "row_count": f.row_count, "format": f.format.value} for f in files],
    }


def _schema_of(s: Session, contract_version_id: str) -> list[dict[str, Any]]:
    from dataflywheel.integrations.odcs import parse_odcs
    from dataflywheel.store.repositories.contracts import ContractVersions

    cv = ContractVersions(s).get(contract_version_id)
    contract = parse_odcs(cv.document, source=cv.id)
    return [f.model_dump(mode="json", exclude_none=True) for f in contract.structural.fields]


def lineage_report(s: Session, version: DatasetVersion) -> dict[str, Any]:
    """Where a baseline's data came from: requirement → batch → deliverer → files → contract."""
    batches = DatasetVersions(s).batches_of(version.id)
    reqs = Requirements(s)
    return {
        "version": version.id, "dataset_id": version.dataset_id, "number": version.number,
        "parent_version_id": version.parent_version_id,
        "requirements": [{"id": r, "title": reqs.get(r).title}
                         for r in sorted({b.requirement_id for b in batches})],
        "batches": [{"id": b.id, "requirement_id": b.requirement_id,
                     "from": b.delivered_by_person_id or b.delivered_by_vendor_id,
                     "contract_version_id": b.contract_version_id,
                     "guide_version": b.guide_version, "annotator_ids": b.annotator_ids,
                     "files": [f.sha256 for f in Batches(s).files(b.id)]} for b in batches],
    }
