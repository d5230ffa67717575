"""Integrity of a workspace: every stored object against its name, every reference against the
store, every sealed version's manifest against its rows, and the audit chain. Reads only; the
CLI, the demo and the API render the results."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dataflywheel.flows.data.version_verify import ManifestProblem, check_manifests
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.audit import (
    ChainProblem,
    ChainWalk,
    SignedHead,
    export_head,
    load_or_create_key,
    verify_after_head,
    verify_chain,
    verify_head,
)
from dataflywheel.store.blobs import SHA256_RE, BlobProblem, referenced_blobs


if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


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


@dataclass
class AuditVerdict:
    """What `flywheel audit verify` (and `POST /api/v1/audit/verify`) found: the full walk
    (`entries` counted, `walk` None) or, from a signed head, the incremental one (`walk`)."""

    problems: list[ChainProblem]
    head_seq: int | None
    entries: int | None = None
    walk: ChainWalk | None = None

    def to_json(self) -> dict[str, Any]:
        """The answer both the CLI's `--json` and the API give."""
        problems = [problem_json(p) for p in self.problems]
        walk = self.walk
        if walk is None:
            return {"ok": not problems, "entries": self.entries, "head_seq": self.head_seq,
                    "problems": problems}
        assert self.head_seq is not None
        before = f"entries 1..{self.head_seq - 1}" if self.head_seq > 1 else "no entries"
        return {"ok": not problems, "incremental": True, "head_seq": self.head_seq,
                "checked": walk.checked, "first_seq": walk.first_seq if walk.checked else None,
                "last_seq": walk.last_seq if walk.checked else None,
                "not_rechecked": f"{before} (before the signed head)", "problems": problems}


def problem_json(problem: ChainProblem) -> dict[str, Any]:
    return {"seq": problem.seq, "kind": problem.kind, "detail": problem.detail,
            "expected": problem.expected, "actual": problem.actual, "message": str(problem)}


def verify_audit_log(ws: Workspace, *, head: SignedHead | None = None,
                     public_key: Ed25519PublicKey | None = None,
                     incremental: bool = False) -> AuditVerdict:
    """Re-hash and re-link the chain: all of it (O(entries): ~13 s at 1M on SQLite, see
    bench/RESULTS.md), checking `head` against the log when given; or, `incremental` with a head,
    only the head's entry and those after it (O(new entries))."""
    from sqlalchemy import func, select

    from dataflywheel.store.tables.audit import AuditEntryRow

    if head is not None and public_key is None:
        public_key = load_or_create_key(ws.settings.audit_key_path, create=False).public_key()
    with ws.db.session() as session:
        if head is not None and incremental:
            walk = verify_after_head(session, head.model_dump(), public_key)  # type: ignore[arg-type]
            return AuditVerdict(problems=walk.problems, head_seq=head.seq, walk=walk)
        problems = verify_chain(session)
        if head is not None:
            problems += verify_head(session, head.model_dump(), public_key)  # type: ignore[arg-type]
        entries = session.scalar(select(func.count()).select_from(AuditEntryRow)) or 0
    return AuditVerdict(problems=problems, head_seq=None if head is None else head.seq,
                        entries=entries)


def signed_head(ws: Workspace, key_path: Path | None = None) -> dict[str, Any]:
    """The chain head signed with the audit key (`key_path`, default the workspace's; created
    on first use): `flywheel audit head`, `GET /api/v1/audit/head`."""
    with ws.db.session() as session:
        return export_head(session, key_path or ws.settings.audit_key_path)
