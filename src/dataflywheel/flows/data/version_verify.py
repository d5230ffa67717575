"""Recompute every sealed version's manifest from its rows, for `flywheel verify`.

Why: the triggers of migrations 0002/0003 refuse edits to what a frozen version's manifest covers,
but someone with the database's password can drop them. The manifest blob is content-addressed
and its digest is on the version row, so rebuilding the manifest from the rows as they are now
(`version_manifest.build_manifest`, the same code the freeze used) and hashing it proves that no
covered row changed; where it differs, the stored manifest says what the rows held at the freeze,
and each difference is named by table, row key and field.

Guarantees: reads only; a version whose manifest blob cannot be read is itself a problem (the
object check names the blob); keys the freeze added beyond the rows (a baseline's reports) are
taken from the stored manifest, not recomputed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from dataflywheel.canonjson import canonical_json, sorted_json
from dataflywheel.domain.records.data import Dataset, DatasetVersion
from dataflywheel.errors import FlywheelError
from dataflywheel.flows.data.version_manifest import build_manifest, read_json
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.data import Batches, Datasets, DatasetVersions

VERSION_KEYS = {"quality_summary": "quality_summary", "quality_report_sha256": "quality_summary",
                "datasheet": "datasheet", "compliance": "compliance"}
DERIVED_KEYS = ("contract_versions", "requirements", "row_count")


@dataclass(frozen=True)
class ManifestProblem:
    """One difference between a sealed version's manifest and the rows it was built from."""

    version: str
    table: str
    key: str
    field: str | None
    expected: str | None  # what the frozen manifest holds
    actual: str | None  # what the rows hold now

    @property
    def row(self) -> str:
        return f"{self.table} {self.key}"

    def __str__(self) -> str:
        field = f" field {self.field}" if self.field else ""
        return (f"version {self.version}: {self.table} row {self.key}{field} differs from its "
                f"frozen manifest: manifest has {self.expected}, the rows have {self.actual}")


def check_manifests(ws: Workspace) -> tuple[int, list[ManifestProblem]]:
    """(sealed versions checked, the differences found, by version id)."""
    problems: list[ManifestProblem] = []
    with ws.db.session() as s:
        sealed = [v for v in DatasetVersions(s).list() if v.manifest_sha256]
        for version in sealed:
            problems += _check_version(ws, s, version)
    return len(sealed), problems


def _check_version(ws: Workspace, s: Session, version: DatasetVersion) -> list[ManifestProblem]:
    sha = version.manifest_sha256 or ""
    try:
        stored = read_json(ws.blobs, sha)
    except (FlywheelError, ValueError, OSError) as exc:
        return [ManifestProblem(version.id, "dataset_versions", version.id, "manifest_sha256",
                                sha, f"a manifest that cannot be read ({exc})")]
    ds = Datasets(s).get(version.dataset_id)
    rebuilt = build_manifest(s, version, ds)
    rebuilt.update({k: v for k, v in stored.items() if k not in rebuilt})
    digest = hashlib.sha256(canonical_json(rebuilt)).hexdigest()
    if digest == sha:
        return []
    found = _differences(s, version, ds, stored, rebuilt)
    return found or [ManifestProblem(version.id, "dataset_versions", version.id, "manifest_sha256",
                                     sha, f"rows that hash to {digest}")]


def _differences(s: Session, version: DatasetVersion, ds: Dataset, stored: dict[str, Any],
                 rebuilt: dict[str, Any]) -> list[ManifestProblem]:
    def problem(table: str, key: str, field: str | None, old: Any, new: Any) -> ManifestProblem:
        return ManifestProblem(version.id, table, key, field, _text(old), _text(new))

    found = [problem("datasets", ds.id, f, *pair)
             for f, pair in _fields(stored.get("dataset"), rebuilt["dataset"])]
    found += [problem("dataset_versions", version.id, f, *pair)
              for f, pair in _fields(stored.get("version"), rebuilt["version"])]
    found += [problem("dataset_versions", version.id, VERSION_KEYS[k], stored.get(k), rebuilt[k])
              for k in VERSION_KEYS if stored.get(k) != rebuilt[k]]
    schema = stored.get("schema") or {}
    found += [problem("contract_versions", cid, "document", schema.get(cid), fields)
              for cid, fields in rebuilt["schema"].items() if schema.get(cid) != fields]
    found += _batch_differences(s, version, stored.get("batches") or [], rebuilt["batches"], problem)
    if not found:
        found = [problem("version_batches", version.id, k, stored.get(k), rebuilt[k])
                 for k in DERIVED_KEYS if stored.get(k) != rebuilt[k]]
    return found


def _batch_differences(s: Session, version: DatasetVersion, stored: list[dict[str, Any]],
                       rebuilt: list[dict[str, Any]], problem: Any) -> list[ManifestProblem]:
    before, now = {b["id"]: b for b in stored}, {b["id"]: b for b in rebuilt}
    found = [problem("version_batches", f"({version.id}, {bid})", "batch_id",
                     bid if bid in before else "absent", bid if bid in now else "absent")
             for bid in sorted(set(before) ^ set(now))]
    for bid in sorted(set(before) & set(now)):
        old, new = dict(before[bid]), dict(now[bid])
        old_files, new_files = old.pop("files", []), new.pop("files", [])
        found += [problem("batches", bid, f, *pair) for f, pair in _fields(old, new)]
        positions = [f.position for f in Batches(s).files(bid)]
        if len(old_files) != len(new_files):
            found.append(problem("batch_files", f"({bid}, *)", "count", len(old_files),
                                 len(new_files)))
        for j, (a, b) in enumerate(zip(old_files, new_files, strict=False)):
            key = f"({bid}, {positions[j] if j < len(positions) else j})"
            found += [problem("batch_files", key, f, *pair) for f, pair in _fields(a, b)]
    return found


def _fields(old: Any, new: Any) -> list[tuple[str, tuple[Any, Any]]]:
    """The fields two flat dicts disagree on, by name, with (old, new)."""
    old, new = old or {}, new or {}
    return [(k, (old.get(k), new.get(k))) for k in sorted(set(old) | set(new))
            if old.get(k) != new.get(k)]


def _text(value: Any, limit: int = 160) -> str:
    text = value if isinstance(value, str) else sorted_json(value, ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"
