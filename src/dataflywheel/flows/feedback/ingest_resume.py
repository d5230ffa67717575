"""Resuming an interrupted file ingest: where the last committed batch of a file ended.

Why: a bulk ingest commits one batch at a time (flows.feedback.ingest), so a crash, a kill or a
lost database connection leaves the first batches stored and the rest not. Each batch's
transaction also records the file's sha256 and the last line it covered (`ingest_checkpoints`),
so the checkpoint and the events it covers commit together or not at all. A rerun of the same
bytes skips the lines up to that checkpoint and says so; the checkpoint is removed once the whole
file is in. Lines a rerun reads again are never stored twice anyway (same id and content: a
duplicate; same rejected bytes on the same line: the same rejection), so skipping is an economy
and a message, not what makes the ingest exactly-once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from dataflywheel.checks.readers.source import open_raw
from dataflywheel.errors import FlywheelError
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.feedback import IngestCheckpoints

_READ = 1 << 20


def file_sha256(source: str) -> str:
    """sha256 of the file's bytes, read in 1 MiB chunks (a checkpoint names these bytes only)."""
    hasher = hashlib.sha256()
    with open_raw(source) as fileobj:
        while chunk := fileobj.read(_READ):
            hasher.update(chunk)
    return hasher.hexdigest()


@dataclass
class FileCheckpoint:
    """The resume point of one file: `after` is the last line an earlier run committed (0: none),
    `reached` the last line committed so far, by this run or the earlier one."""

    source: str
    origin: str
    sha256: str
    after: int
    reached: int

    @classmethod
    def load(cls, ws: Workspace, source: str, origin: str) -> FileCheckpoint:
        digest = file_sha256(source)
        with ws.db.session() as s:
            after = IngestCheckpoints(s).line_reached(digest) or 0
        return cls(source=source, origin=origin, sha256=digest, after=after, reached=after)

    def save(self, session: Session, line: int, now: datetime) -> None:
        """Record `line` as reached in the batch's own transaction."""
        IngestCheckpoints(session).save(self.sha256, origin=self.origin, line=line, at=now)
        self.reached = line

    def clear(self, ws: Workspace) -> None:
        """The whole file is in: a later run of the same bytes starts from line 1 again."""
        with ws.db.unit_of_work() as s:
            IngestCheckpoints(s).clear(self.sha256)

    def explain(self, exc: FlywheelError) -> None:
        """Tell, in an error that stopped the ingest part-way, what is stored and how to go on."""
        if self.reached <= self.after or exc.kept is not None:
            return
        exc.kept = f"lines 1-{self.reached} of {self.source} (committed)"
        exc.hint = (f"run the same ingest of {self.source} again: it continues from line "
                    f"{self.reached + 1}")
        exc.args = (exc._build(),)
