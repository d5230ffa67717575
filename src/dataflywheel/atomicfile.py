"""The one way a file is written in place: whole or not at all, and durable once written.

Guarantee: while `atomic_text` (or `write_text`) runs, readers of `path` see the old file; after
it returns they see the new one, and the new name survives a power cut. The bytes go to a temp
file in the same folder (so the rename stays on one filesystem), are flushed and fsynced, the temp
file is renamed over `path` with `os.replace`, and the folder is fsynced (POSIX). If anything
fails, or the caller's block raises, the temp file is removed and the error re-raised unchanged,
so each caller keeps its own message (`OSError` → its `FlywheelError`).

A top-level module: every layer may import it, and it imports no subpackage.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


@contextmanager
def atomic_text(path: str | Path) -> Iterator[IO[str]]:
    """A UTF-8 text handle (newlines written as ``\\n``) whose content replaces `path` when the
    block ends without an error; the parent folder must exist."""
    target = Path(path)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)


def write_text(path: str | Path, text: str) -> None:
    """Replace `path` with `text` (UTF-8) atomically and durably."""
    with atomic_text(path) as out:
        out.write(text)


def fsync_dir(path: str | Path) -> None:
    """Make a rename in `path` durable: fsync the folder that holds the new name (POSIX only;
    elsewhere a no-op, as there is no portable way to open a folder)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
