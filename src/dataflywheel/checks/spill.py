"""Spill files: where a check puts bulky per-record data that only `finish` reads, in bulk.

Why: a `Partial` lives in memory from the first batch to `finish`. A check that needs per-record
data at the end (near duplicates needs every record's MinHash signature) would otherwise grow
with the corpus; writing that data to disk per batch keeps the partial to a few file names and
small arrays, so memory stays flat from 200k to millions of records. File paths are plain
strings, so such a partial still pickles across the local engine's processes (they all share
the machine, hence the directory).

Who owns what:
- The engine's run creates one temporary directory, works inside `using(path)` in every process
  that reads (the run's, and each helper), and deletes the whole directory after `finish`. A
  check never deletes spill files itself unless it wants to free disk early.
- The directory in use is a context variable, not a process-wide setting: two runs in one process
  (threads of a server) each spill into their own, and a thread the run starts sees the run's
  directory only when started in a copy of its context (`contextvars.copy_context().run`, as the
  engines' and `similarity.parallel`'s thread pools do).
- When no directory was set (a check used directly, e.g. in a unit test), `directory()` creates
  a private `flywheel-spill-*` temporary directory on first use and removes it at interpreter
  exit, so nothing is left behind.

Files are written under a fresh unique name (`tempfile.mkstemp`) and only referenced by a
partial after the write returned, so no reader ever sees a half-written file and no two writers
(processes, batches) share a name.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import numpy as np
import numpy.typing as npt

_chosen: ContextVar[Path | None] = ContextVar("flywheel_spill_directory", default=None)
_private: Path | None = None  # the fallback of code that runs outside any run, made once
_lock = threading.Lock()


@contextmanager
def using(path: str) -> Iterator[None]:
    """Spill into `path` inside the block, in this context only (a run's thread or a helper
    process); the directory in use before is back on leaving."""
    token = _chosen.set(Path(path))
    try:
        yield
    finally:
        _chosen.reset(token)


def directory() -> Path:
    """The directory of the `using` block this code runs in, else a private one made on first
    use."""
    global _private
    chosen = _chosen.get()
    if chosen is not None:
        return chosen
    with _lock:  # two threads of one process must not each make (and leak) one
        if _private is None or not _private.is_dir():
            _private = Path(tempfile.mkdtemp(prefix="flywheel-spill-"))
            atexit.register(shutil.rmtree, str(_private), True)
        return _private


def write_bytes(data: bytes, prefix: str = "spill-") -> str:
    """Write `data` to a new uniquely-named file in `directory()`; return its path."""
    fd, path = tempfile.mkstemp(prefix=prefix, suffix=".bin", dir=directory())
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
    except BaseException:
        Path(path).unlink(missing_ok=True)
        raise
    return path


def write_array(array: npt.NDArray[np.generic], prefix: str = "spill-") -> str:
    """Write the raw C-order bytes of `array` to a new file; the caller keeps dtype and shape."""
    fd, path = tempfile.mkstemp(prefix=prefix, suffix=".bin", dir=directory())
    try:
        with os.fdopen(fd, "wb") as f:
            np.ascontiguousarray(array).tofile(f)
    except BaseException:
        Path(path).unlink(missing_ok=True)
        raise
    return path


def write_parts(parts: Sequence[npt.NDArray[np.generic] | bytes], prefix: str = "spill-") -> str:
    """Write several arrays (raw C-order bytes) and byte strings one after the other to a new
    file; the caller keeps their layout (offsets follow from the sizes)."""
    fd, path = tempfile.mkstemp(prefix=prefix, suffix=".bin", dir=directory())
    try:
        with os.fdopen(fd, "wb") as f:
            for part in parts:
                if isinstance(part, bytes):
                    f.write(part)
                else:
                    np.ascontiguousarray(part).tofile(f)
    except BaseException:
        Path(path).unlink(missing_ok=True)
        raise
    return path


class SpillMissing(FileNotFoundError):
    """A spill file a partial refers to is gone or short: its directory was removed (or the
    disk emptied) before `finish` read it. A bug in whoever cleaned up, never bad input."""

    def __init__(self, path: str, detail: str = "no such file") -> None:
        super().__init__(
            f"spill file {path} cannot be read back ({detail}): the spill directory "
            "must live until every check has finished"
        )
        self.path = path
        self.detail = detail

    def __reduce__(self) -> tuple[type[SpillMissing], tuple[str, str]]:
        """Pickled as its arguments (a helper process sends it back whole), not as the message
        `OSError` would pass to `__init__` as a path."""
        return (type(self), (self.path, self.detail))


def read_array(
    path: str, dtype: npt.DTypeLike, count: int = -1, offset: int = 0
) -> npt.NDArray[np.generic]:
    """Read `count` items (all when -1) of `dtype` from `path`, starting `offset` bytes in."""
    try:
        return np.fromfile(path, dtype=dtype, count=count, offset=offset)
    except FileNotFoundError:
        raise SpillMissing(path) from None


def read_into(path: str, buffers: Sequence[npt.NDArray[np.generic]], offset: int = 0) -> None:
    """Fill `buffers` (each C-contiguous) with consecutive bytes of `path` from `offset` on: a
    scattered read straight into the caller's arrays (e.g. one chunk's run of slots into the
    columns of a whole-input array), with no intermediate array. Much cheaper per call than
    `np.fromfile`, which matters when a pass makes thousands of small reads."""
    views = [buf.data.cast("B") for buf in buffers]
    if hasattr(os, "preadv") and len(views) > 1:  # one system call for all buffers
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            raise SpillMissing(path) from None
        try:
            got = os.preadv(fd, views, offset)
        finally:
            os.close(fd)
        if got == sum(len(v) for v in views):
            return
    try:
        with open(path, "rb", buffering=0) as f:
            f.seek(offset)
            for buf in buffers:
                view = buf.data.cast("B")
                done = 0
                while done < len(view):
                    got = f.readinto(view[done:])
                    if not got:
                        raise SpillMissing(path, f"it ends before byte {offset + done}")
                    done += got
                offset += len(view)
    except FileNotFoundError as err:
        if isinstance(err, SpillMissing):
            raise
        raise SpillMissing(path) from None


def remove(path: str) -> None:
    """Delete one spill file early (to free disk); a missing file is not an error."""
    Path(path).unlink(missing_ok=True)
