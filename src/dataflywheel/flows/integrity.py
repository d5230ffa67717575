"""Integrity of a workspace: every stored object against its name, every reference against the
store, every sealed version's manifest against its rows, and the audit chain. Reads only; the
CLI, the demo and the API render the results."""

from __future__ import annotations

from dataclasses import dataclass, field

from dataflywheel.flows.data.version_verify import ManifestProblem, check_manifests
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.audit import ChainProblem, verify_chain
from dataflywheel.store.blobs import SHA256_RE, BlobProblem, referenced_blobs


@dataclass
class ObjectsCheck:
    """What re-hashing the blob store found."""

    root: str
    objects: int
    references: dict[str, list[str]]
    problems: list[BlobProblem] = field(default_factory=list)
    malformed: dict[str, list[str]] = field(default_factory=dict)
    temp_files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.malformed


def check_objects(ws: Workspace) -> ObjectsCheck:
    """Re-hash every object; every object a record refers to must exist and match its name."""
    with ws.db.session() as session:
        refs = referenced_blobs(session)
    malformed = {sha: places for sha, places in refs.items() if not SHA256_RE.match(sha)}
    problems = ws.blobs.verify([sha for sha in refs if sha not in malformed])
    return ObjectsCheck(root=ws.blobs.root_url, objects=sum(1 for _ in ws.blobs.iter_objects()),
                        references=refs, problems=problems, malformed=malformed,
                        temp_files=ws.blobs.temp_files())


def check_audit(ws: Workspace) -> tuple[int, list[ChainProblem]]:
    """(number of entries, problems of the hash chain — the first bad entry first)."""
    from sqlalchemy import func, select

    from dataflywheel.store.tables.audit import AuditEntryRow

    with ws.db.session() as session:
        entries = session.scalar(select(func.count()).select_from(AuditEntryRow)) or 0
        return entries, verify_chain(session)


def check_versions(ws: Workspace) -> tuple[int, list[ManifestProblem]]:
    """(sealed versions checked, differences between their manifests and their rows now).

    Holds even where the freeze triggers were dropped: the manifest is rebuilt from the rows."""
    return check_manifests(ws)
