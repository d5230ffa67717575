"""Export a frozen dataset version: `hf` (Parquet + dataset card), `croissant` (Parquet, card and
Croissant 1.1 JSON-LD with the datasheet in its RAI fields) or `dvc` (Parquet and card, the Parquet
tracked by a `.dvc` file and, inside a DVC repository, put into its cache).

Guarantees: only a frozen or archived version is exported, and only as the one access decision
allows (`flows.access_reads.decide`, Table 24-20): above the public level — whatever the state —
or archived, the reader (`reader`) states a purpose and holds an active grant (for restricted
data, resting on an active compliance exception); a candidate, withdrawn or abandoned version, or
a read the decision refuses, writes no output. Every export and every refusal is audited in the
store (`version.read` / `version.read_refused`: reader, purpose, level, format, fields, grants);
that entry is the only thing exporting writes to the store, and it is committed before the output
folder appears. The rows are read from the stored files its manifest names, and the manifest blob
must hash to the version's `manifest_sha256`; the output folder appears whole or not at all
(written beside it, then renamed) and an existing non-empty folder is never overwritten.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from dataflywheel.atomicfile import fsync_dir
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.data import DatasetVersion
from dataflywheel.domain.states import VersionState
from dataflywheel.errors import EXIT_BAD_INPUT, BadInput, IntegrityError, PolicyViolation
from dataflywheel.flows.governance.access_reads import decide, record
from dataflywheel.store.repositories.data import resolve_version
from dataflywheel.flows.workspace import Workspace
from dataflywheel.integrations import croissant, dvc, huggingface

FORMATS = ("hf", "croissant", "dvc")
CROISSANT_FILE = "croissant.json"
EXPORT_HEADER = "Flywheel-Export"  # the server's answer header: `ExportResult.to_dict()` less `out`


@dataclass
class ExportResult:
    version_id: str
    label: str
    format: str
    out: Path
    rows: int
    manifest_sha256: str
    files: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version_id, "label": self.label, "format": self.format,
                "out": str(self.out), "rows": self.rows, "manifest_sha256": self.manifest_sha256,
                "files": self.files, "fields": self.fields}


def export_version(ws: Workspace, version_ref: str, *, format: str, out: Path,
                   license: str | None = None, reader: str | None = None,
                   purpose: str | None = None) -> ExportResult:
    """Write the frozen version `version_ref` in `format` to the new folder `out`; `license` is
    an SPDX id stated in the card or the Croissant metadata (left out when not given); `reader`
    is the person reading and `purpose` why, required (with an active grant) above the public
    level or for an archived version. The export, or its refusal, is audited."""
    if format not in FORMATS:
        raise BadInput(f"unknown export format {format!r}", field="format",
                       expected="one of " + ", ".join(FORMATS), kept="nothing was written")
    license = spdx_id(license, required=format == "croissant")
    out = check_out(Path(out))
    started = utcnow()
    prepared: tuple[ExportResult, Path] | None = None
    try:
        with ws.db.unit_of_work() as s:
            version = resolve_version(s, version_ref)
            _exportable(version)
            lineage_label = version.label  # the name the freeze's lineage gave it
            decision = decide(s, reader, version, utcnow(), purpose=purpose)
            if decision.allowed:
                prepared = _prepare(ws, version, format, out, license)
            record(s, ws.actor, decision, via=f"export {format}",
                   fields=prepared[0].fields if prepared else [])
    except BaseException:
        if prepared is not None:
            shutil.rmtree(prepared[1], ignore_errors=True)
        raise
    if decision.refusal is not None or prepared is None:
        raise decision.refusal or PolicyViolation("the export was refused")
    _publish(prepared[1], out)
    if format == "dvc":
        into_dvc_cache(out)
    from dataflywheel.integrations.openlineage import emit_export

    done = prepared[0]
    emit_export(ws.settings, version_label=lineage_label, fmt=done.format,
                manifest_sha256=done.manifest_sha256, started_at=started, at=utcnow())
    return done


def spdx_id(license: str | None, *, required: bool) -> str | None:
    """`license` as its canonical SPDX id (`cc-by-4.0` → `CC-BY-4.0`), checked against the SPDX
    licence list; `BadInput` for anything else, or for none where it is `required` (a Croissant
    file states its licence: its readers decide from it whether they may use the data)."""
    from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression

    if license is None:
        if required:
            raise BadInput("a Croissant export needs a licence", field="license",
                           expected="--license with an SPDX id, e.g. CC-BY-4.0",
                           kept="nothing was written")
        return None
    try:
        canonical = canonicalize_license_expression(license)
    except InvalidLicenseExpression:
        canonical = None
    if canonical is None or " " in canonical or canonical.startswith("LicenseRef-"):
        raise BadInput(f"not an SPDX license id: {license!r}", field="license",
                       expected="one id of the SPDX licence list, such as CC-BY-4.0 or "
                                "Apache-2.0", kept="nothing was written")
    return canonical


def check_out(out: Path) -> Path:
    """`out` when it is a new or empty folder; `BadInput` otherwise (nothing is overwritten)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BadInput(f"{out} exists and is not an empty folder", path=str(out),
                       expected="a new or empty folder", kept=f"{out} is unchanged",
                       hint="choose another --out")
    return out


class NotExportable(PolicyViolation):
    """The version is in a state that is never exported (a candidate, withdrawn, abandoned):
    refused whoever asks, so over HTTP it is 409 (the record's state), not 403 (the caller)."""

    exit_code = EXIT_BAD_INPUT
    http_status = 409


def _exportable(version: DatasetVersion) -> None:
    if version.state not in (VersionState.FROZEN, VersionState.ARCHIVED):
        raise NotExportable(
            f"version {version.id} is {version.state.value}; only frozen versions are exported",
            expected="a frozen version", got=version.state.value, kept="nothing was written",
            hint=f"flywheel versions freeze {version.id}"
            if version.state is VersionState.CANDIDATE else None)


def _prepare(ws: Workspace, version: DatasetVersion, format: str, out: Path,
             license: str | None) -> tuple[ExportResult, Path]:
    """The export written into a hidden folder beside `out` (renamed by `_publish`)."""
    assert version.manifest_sha256 is not None  # a frozen version always has one
    manifest = read_manifest(ws, version.manifest_sha256)
    schema = unified_schema(ws, manifest)
    label = f"{manifest['dataset']['name']}@{version.number}"
    result = ExportResult(version_id=version.id, label=label, format=format, out=out, rows=0,
                          manifest_sha256=version.manifest_sha256, fields=list(schema.names))
    tmp = _write_beside(out, lambda tmp: _write(ws, tmp, format, schema, manifest, version,
                                                result, license))
    return result, tmp


def read_manifest(ws: Workspace, sha256: str) -> dict[str, Any]:
    """The manifest blob, checked against its name."""
    with ws.blobs.open(sha256) as handle:
        data = handle.read()
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        raise IntegrityError("the manifest blob does not match its recorded digest",
                             path=ws.blobs.path_of(sha256), expected=sha256, got=actual,
                             kept="nothing was written", hint="flywheel verify")
    document: dict[str, Any] = json.loads(data.decode("utf-8"))
    return document


def file_tables(ws: Workspace, manifest: dict[str, Any]) -> Iterator[pa.Table]:
    """One Arrow table per file the manifest lists, in batch and file order; every stored file is
    re-hashed against the manifest first."""
    for batch in manifest["batches"]:
        for entry in batch["files"]:
            yield _table(_verified(ws, entry), entry)


def unified_schema(ws: Workspace, manifest: dict[str, Any]) -> pa.Schema:
    """One schema for every file (a field missing from a file is null there)."""
    schemas = [t.schema for t in file_tables(ws, manifest)]
    if not schemas:
        return pa.schema([])
    try:
        return pa.unify_schemas(schemas, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise BadInput(f"the version's files do not share one table schema: {exc}",
                       expected="the same type for each field in every file",
                       kept="nothing was written") from None


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """`table` with exactly the columns of `schema`, in its order and types."""
    columns = [table.column(f.name).cast(f.type) if f.name in table.column_names
               else pa.nulls(table.num_rows, f.type) for f in schema]
    return pa.Table.from_arrays(columns, schema=schema)


def _verified(ws: Workspace, entry: dict[str, Any]) -> bytes:
    with ws.blobs.open(entry["sha256"]) as handle:
        data: bytes = handle.read()
    actual = hashlib.sha256(data).hexdigest()
    if actual != entry["sha256"]:
        raise IntegrityError(f"stored file {entry['name']} does not match its manifest digest",
                             path=ws.blobs.path_of(entry["sha256"]), expected=entry["sha256"],
                             got=actual, kept="nothing was written", hint="flywheel verify")
    return data


def _table(data: bytes, entry: dict[str, Any]) -> pa.Table:
    if entry["format"] == "parquet":
        return pq.read_table(io.BytesIO(data))
    try:
        return pa.Table.from_pylist(_records(data, entry))
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise BadInput(f"stored file {entry['name']} has no single table schema: {exc}",
                       path=entry["name"], kept="nothing was written") from None


def _records(data: bytes, entry: dict[str, Any]) -> list[dict[str, Any]]:
    name = entry["name"]
    if entry["format"] == "json":
        loaded = json.loads(data.decode("utf-8"))
        return loaded if isinstance(loaded, list) else [loaded]
    out: list[dict[str, Any]] = []
    for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise BadInput(f"stored file {name} has an unreadable record: {exc.msg}",
                           path=name, line=number, kept="nothing was written") from None
    return out


def _write(ws: Workspace, tmp: Path, format: str, schema: pa.Schema, manifest: dict[str, Any],
           version: DatasetVersion, result: ExportResult, license: str | None) -> None:
    parquet = tmp / "data" / huggingface.PARQUET_NAME
    result.rows = huggingface.write_parquet(
        parquet, schema, (conform(t, schema) for t in file_tables(ws, manifest)))
    sha = result.manifest_sha256
    if format in ("hf", "dvc"):
        written = [parquet, huggingface.write_card(tmp, manifest, label=result.label,
                                                   rows=result.rows, manifest_sha256=sha,
                                                   license=license)]
        if format == "dvc":
            written += dvc.track(parquet)
    else:
        document = croissant.croissant_document(
            manifest, schema, label=result.label, manifest_sha256=sha,
            parquet_path=f"data/{huggingface.PARQUET_NAME}",
            parquet_sha256=hashlib.sha256(parquet.read_bytes()).hexdigest(),
            url=f"urn:dataflywheel:{result.label}",
            published=version.frozen_at.date().isoformat() if version.frozen_at else None,
            license=license)
        card = huggingface.write_card(tmp, manifest, label=result.label, rows=result.rows,
                                      manifest_sha256=sha, license=license)
        written = [parquet, card, croissant.write_croissant(tmp / CROISSANT_FILE, document)]
    result.files = sorted(str(p.relative_to(tmp)) for p in written)


def into_dvc_cache(out: Path) -> Path | None:
    """When `out` lies in a DVC repository, put each file a `.dvc` file of the export tracks into
    the repository's cache (as `dvc add` would), so `dvc status` is clean and `dvc push` sends it;
    returns the repository (None outside one: the `.dvc` files are written all the same, and
    `dvc commit` there fills the cache)."""
    repository = dvc.repository_of(out)
    if repository is None:
        return None
    for tracker in sorted(out.rglob("*.dvc")):
        data = tracker.with_name(tracker.name.removesuffix(".dvc"))
        dvc.add_to_cache(repository, data, dvc.md5_of(data))
    return repository


def _write_beside(out: Path, write: Any) -> Path:
    """Run `write` into a new hidden folder beside `out`; removed again if it fails."""
    tmp = out.parent / f".{out.name}.tmp-{uuid.uuid4().hex[:8]}"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp.mkdir()
    try:
        write(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tmp


def _publish(tmp: Path, out: Path) -> None:
    """Rename the finished folder to `out` (empty or absent, checked before); the new name is
    made durable as `dataflywheel.atomicfile` makes a file's."""
    try:
        if out.exists():
            out.rmdir()
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    fsync_dir(out.parent)


def zip_folder(folder: Path, dest: Path) -> Path:
    """The export folder as one ZIP archive at `dest` (the team server answers it); paths inside
    are relative to `folder`."""
    import zipfile

    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            archive.write(path, path.relative_to(folder).as_posix())
    return dest


def unpack_export(archive_path: Path, out: Path) -> list[str]:
    """Unpack an export archive (from the team server) into the new or empty folder `out`, whole
    or not at all, as a local export is written: into a hidden folder beside it, then renamed.
    A member that would land outside `out` (absolute, or `..`) is refused; nothing is written."""
    import zipfile

    out = check_out(out)
    try:
        archive = zipfile.ZipFile(archive_path)
    except zipfile.BadZipFile:
        raise BadInput("the server's export is not a ZIP archive", expected="application/zip",
                       kept=f"{out} is unchanged") from None
    with archive:
        names = archive.namelist()
        unsafe = [n for n in names if n.startswith(("/", "\\")) or ".." in Path(n).parts]
        if unsafe:
            raise BadInput("the server's export names files outside its folder",
                           got=", ".join(unsafe[:3]), kept=f"{out} is unchanged")
        tmp = _write_beside(out, archive.extractall)
    _publish(tmp, out)
    return sorted(n for n in names if not n.endswith("/"))
