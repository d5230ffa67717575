"""Stored blobs under their delivered names, for the quality engine (it picks a reader by name).

The engine reads files by path and chooses the reader from the suffix, while the blob store keeps
bytes under their sha256 only. `staged` gives each blob its delivered name in a private temporary
folder (a symlink to the read-only object on a local store, a streamed copy otherwise), so the
engine checks exactly the stored bytes. `relative_report` removes that folder from the report, so
the same bytes give the same report JSON in every workspace and on every run.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from dataflywheel.checks.report import QualityReport
from dataflywheel.store.blobs import BlobStore


@contextmanager
def staged(blobs: BlobStore, files: Sequence[tuple[str, str]]) -> Iterator[tuple[Path, list[str]]]:
    """Yield (folder, paths) with `files` [(name, sha256), …] visible under their names."""
    root = Path(tempfile.mkdtemp(prefix="flywheel-stage-"))
    try:
        paths: list[str] = []
        for name, sha in files:
            target = root / name
            if blobs.is_local:
                target.symlink_to(blobs.path_of(sha))
            else:
                with blobs.open(sha) as src, target.open("wb") as out:
                    shutil.copyfileobj(src, out)
            paths.append(str(target))
        yield root, paths
    finally:
        shutil.rmtree(root, ignore_errors=True)


def relative_report(report: QualityReport, *roots: Path | None) -> str:
    """The report's stable JSON with the staging folders (the batch's, the references') cut
    from every file path: it names stored objects by their staged names, never a temp path."""
    text = report.to_json()
    for root in roots:
        if root is not None:
            text = text.replace(json.dumps(str(root) + "/")[1:-1], "")
    return text
