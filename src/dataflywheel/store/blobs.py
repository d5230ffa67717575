"""Content-addressed blob store: a delivered file is kept byte for byte under its sha256.

Layout under the store root (a local directory or any fsspec URL such as ``s3://bucket/prefix``)::

    <root>/<aa>/<bb>/<sha256>     one object; aa and bb are the first two byte pairs of its name
    <root>/.tmp/<uuid>.part       a write in progress (never an object; removed by `gc_temp`)

Guarantees:
- Writes stream in chunks of `CHUNK_SIZE` bytes; no file is ever held whole in memory.
- A write is atomic: bytes go to a temp file inside the store while they are hashed, the temp file
  is fsynced, renamed to its final name, and the directory is fsynced (local filesystems). A crash
  at any point leaves either no object or the whole object, never a partial one under an object name.
- Local objects are read-only files (mode 0444).
- Putting the same bytes twice is idempotent: the second put returns the same `BlobRef`.
- On an object store (``s3://``, the `[s3]` extra) the bytes stream to a temp key under ``.tmp/``
  as one multipart upload, which S3 makes visible only whole when it completes; the object is then
  a server-side copy to its final key (again visible only whole) and the temp key is deleted. A
  crash leaves at most a temp key (`gc_temp`), never a partial object under an object name. The
  store never creates a bucket: one that does not exist is an error (`probe`).
- `verify` re-hashes every object and names each mismatch with both hashes, and each expected
  object that is missing.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from functools import cached_property
from typing import IO, TYPE_CHECKING, Any, Literal

from dataflywheel.atomicfile import fsync_dir
from dataflywheel.errors import BadInput, NotFound, WorkspaceError
from dataflywheel.extras import install_hint

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem  # type: ignore[import-untyped]
    from sqlalchemy import MetaData
    from sqlalchemy.orm import Session

CHUNK_SIZE = 1024 * 1024
TEMP_DIR = ".tmp"
TEMP_SUFFIX = ".part"
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
SCHEME_EXTRAS = {"s3": "s3", "s3a": "s3"}
"""The extra (`dataflywheel.extras`) that installs the fsspec implementation of a URL scheme."""

ProblemKind = Literal["mismatch", "missing", "stray"]


@dataclass(frozen=True)
class BlobRef:
    """The identity of stored bytes: their sha256 (lowercase hex) and their length."""

    sha256: str
    size: int


@dataclass(frozen=True)
class BlobProblem:
    """One thing `BlobStore.verify` found wrong.

    `expected` is the hash the object is named by (or was expected under); `actual` is the hash of
    the bytes found, or None when there are no bytes (missing) or no valid name (stray).
    """

    kind: ProblemKind
    path: str
    expected: str | None
    actual: str | None

    def __str__(self) -> str:
        if self.kind == "mismatch":
            return f"{self.path}: content does not match its name; expected sha256 {self.expected}, got {self.actual}"
        if self.kind == "missing":
            return f"{self.path}: object {self.expected} is missing"
        return f"{self.path}: not an object name (expected 64 lowercase hex digits) in the object store"


def check_sha256(value: str) -> str:
    """Return `value` if it is a 64-digit lowercase hex sha256; raise `BadInput` otherwise."""
    if not isinstance(value, str) or not SHA256_RE.match(value):
        raise BadInput("not a sha256", field="sha256", expected="64 lowercase hex digits", got=value)
    return value


class BlobStore:
    """Streaming, atomic, content-addressed storage over fsspec (local directory by default)."""

    def __init__(self, root: str) -> None:
        self.root_url = str(root)

    @cached_property
    def _location(self) -> tuple[AbstractFileSystem, str]:
        """The root's filesystem and its path there, found and laid out on first use, so that a
        command that reads or writes no object (most of them) does not import fsspec."""
        from fsspec.core import url_to_fs  # type: ignore[import-untyped]

        try:
            fs, path = url_to_fs(self.root_url)
        except ImportError as exc:  # fsspec names the package the URL's protocol needs
            scheme = self.root_url.split("://", 1)[0]
            raise WorkspaceError(
                f"the object store {scheme}:// needs a package that is not installed",
                path=self.root_url, got=str(exc),
                hint=install_hint(SCHEME_EXTRAS[scheme]) if scheme in SCHEME_EXTRAS
                else f"install the fsspec implementation of {scheme}://",
            ) from None
        root = path.rstrip("/") or "/"
        _ensure_dirs(fs, root, self.root_url)
        return fs, root

    def probe(self) -> None:
        """Write and remove a small temp object, so a store that cannot be written (a bucket that
        does not exist, no permission) is found before anything relies on it; `WorkspaceError`
        naming the store otherwise. `flywheel init` probes before it creates anything."""
        probe = f"{self.root}/{TEMP_DIR}/probe-{uuid.uuid4().hex}{TEMP_SUFFIX}"
        try:
            self.fs.pipe_file(probe, b"")
            self.fs.rm_file(probe)
        except (OSError, PermissionError) as exc:
            raise WorkspaceError(
                "cannot write the object store", path=self.root_url,
                got=getattr(exc, "strerror", None) or str(exc) or type(exc).__name__,
                hint="check the bucket or directory exists and is writable, or pass --objects",
            ) from None

    @property
    def fs(self) -> AbstractFileSystem:
        return self._location[0]

    @property
    def root(self) -> str:
        return self._location[1]

    @property
    def is_local(self) -> bool:
        return _is_local(self.fs)

    # --- writing -----------------------------------------------------------------------------

    def put_file(self, path: str | os.PathLike[str]) -> BlobRef:
        """Store a local file's bytes (streamed) and return their reference."""
        source = Path(path)
        if not source.exists():
            raise NotFound("file not found", path=str(source), hint="check the path and retry")
        if not source.is_file():
            raise BadInput("not a regular file", path=str(source), expected="a file, not a directory")
        with source.open("rb") as fileobj:
            return self.put_stream(fileobj)

    def put_stream(self, fileobj: IO[bytes]) -> BlobRef:
        """Store everything `fileobj.read()` yields until EOF; atomic and idempotent."""
        temp = self._temp_path()
        try:
            digest, size = self._write_temp(fileobj, temp)
            final = self.path_of(digest)
            if self.fs.exists(final):
                self.fs.rm_file(temp)
            else:
                self._publish(temp, final)
        except BaseException:
            self._discard(temp)
            raise
        return BlobRef(sha256=digest, size=size)

    def _write_temp(self, fileobj: IO[bytes], temp: str) -> tuple[str, int]:
        hasher = hashlib.sha256()
        size = 0
        with self.fs.open(temp, "wb") as out:
            while True:
                chunk = fileobj.read(CHUNK_SIZE)
                if not chunk:
                    break
                if not isinstance(chunk, bytes | bytearray | memoryview):
                    raise BadInput(
                        "the stream yields text", expected="a binary stream (open the file with 'rb')",
                        got=type(chunk).__name__,
                    )
                hasher.update(chunk)
                out.write(chunk)
                size += len(chunk)
            if self.is_local:
                out.flush()
                os.fsync(out.fileno())
        return hasher.hexdigest(), size

    def _publish(self, temp: str, final: str) -> None:
        parent = final.rsplit("/", 1)[0]
        if self.is_local:
            self.fs.makedirs(parent, exist_ok=True)
            os.chmod(temp, 0o444)  # stored bytes never change; refuse accidental writes
            os.replace(temp, final)
            # The new name, and any directory made for it, must survive a power cut.
            for directory in (parent, parent.rsplit("/", 1)[0], self.root):
                fsync_dir(directory)
        else:
            self.fs.mv(temp, final)

    def _discard(self, temp: str) -> None:
        try:
            if self.fs.exists(temp):
                self.fs.rm_file(temp)
        except OSError:
            pass  # gc_temp removes it later; it is never visible as an object

    def _temp_path(self) -> str:
        return f"{self.root}/{TEMP_DIR}/{uuid.uuid4().hex}{TEMP_SUFFIX}"

    # --- reading -----------------------------------------------------------------------------

    def path_of(self, sha256: str) -> str:
        """Where the object named `sha256` lives (whether or not it exists)."""
        name = check_sha256(sha256)
        return f"{self.root}/{name[:2]}/{name[2:4]}/{name}"

    def exists(self, sha256: str) -> bool:
        return bool(self.fs.exists(self.path_of(sha256)))

    def open(self, sha256: str) -> IO[bytes]:
        """A binary file object streaming the object's bytes; the caller closes it."""
        path = self.path_of(sha256)
        if not self.fs.exists(path):
            raise NotFound(f"object {sha256} is not in the store", path=self.root_url,
                           hint="run `flywheel verify` to check the store")
        handle: IO[bytes] = self.fs.open(path, "rb")
        return handle

    def iter_objects(self) -> Iterator[str]:
        """The sha256 names of every stored object, in sorted order (temp files excluded)."""
        for path in self._object_files():
            name = path.rsplit("/", 1)[-1]
            if SHA256_RE.match(name) and path == self.path_of(name):
                yield name

    def _object_files(self) -> Iterator[str]:
        temp_prefix = f"{self.root}/{TEMP_DIR}/"
        for path in sorted(self.fs.find(self.root)):
            path = _strip_protocol(self.fs, path)
            if not path.startswith(temp_prefix):
                yield path

    # --- checking ----------------------------------------------------------------------------

    def hash_object(self, sha256: str) -> str:
        """Re-hash the stored bytes of one object (streamed) and return the actual sha256."""
        hasher = hashlib.sha256()
        with self.open(sha256) as handle:
            for chunk in iter(lambda: handle.read(CHUNK_SIZE), b""):
                hasher.update(chunk)
        return hasher.hexdigest()

    def verify(self, expected: Iterable[str] | None = None) -> list[BlobProblem]:
        """Re-hash every object; also name each `expected` hash that has no object.

        Returns the problems in path order; an empty list means every byte is what its name says.
        """
        wanted = {check_sha256(sha) for sha in expected} if expected is not None else set()
        problems: list[BlobProblem] = []
        seen: set[str] = set()
        for path in self._object_files():
            name = path.rsplit("/", 1)[-1]
            if not SHA256_RE.match(name) or path != self.path_of(name):
                problems.append(BlobProblem("stray", path, None, None))
                continue
            seen.add(name)
            actual = self.hash_object(name)
            if actual != name:
                problems.append(BlobProblem("mismatch", path, name, actual))
        for name in sorted(wanted - seen):
            problems.append(BlobProblem("missing", self.path_of(name), name, None))
        return problems

    def gc_temp(self, *, min_age_s: float = 3600.0) -> list[str]:
        """Remove temp files left by crashed writes that are at least `min_age_s` old.

        The age guard keeps a write in progress in another process alive; pass 0 when no other
        writer can be running. Returns the removed paths.
        """
        removed: list[str] = []
        now = time.time()
        for path in self.temp_files():
            if now - _mtime(self.fs, path) >= min_age_s:
                self.fs.rm_file(path)
                removed.append(path)
        return removed

    def temp_files(self) -> list[str]:
        """Temp files present now: writes in progress or left by crashed ones (never objects)."""
        return sorted(_strip_protocol(self.fs, p) for p in self.fs.find(f"{self.root}/{TEMP_DIR}"))


BLOB_REF = "blob_ref"  # set `info={BLOB_REF: True}` on a column that holds object sha256s


def referenced_blobs(session: Session, metadata: MetaData | None = None) -> dict[str, list[str]]:
    """Every value held by a column marked `info={"blob_ref": True}`, with where it is held.

    Returns sha256 -> sorted ["table.column", ...]; the keys are what `verify(expected=...)` takes.
    Defaults to every table of the product.
    """
    from sqlalchemy import select

    if metadata is None:
        from dataflywheel.store.tables import Base

        metadata = Base.metadata
    refs: dict[str, set[str]] = {}
    for table in metadata.sorted_tables:
        for column in table.columns:
            if not column.info.get(BLOB_REF):
                continue
            values = session.execute(select(column).where(column.is_not(None)).distinct()).scalars()
            for value in values:
                refs.setdefault(str(value), set()).add(f"{table.name}.{column.name}")
    return {sha: sorted(places) for sha, places in sorted(refs.items())}


def _is_local(fs: AbstractFileSystem) -> bool:
    from fsspec.implementations.local import LocalFileSystem  # type: ignore[import-untyped]

    return isinstance(fs, LocalFileSystem)


def _ensure_dirs(fs: AbstractFileSystem, root: str, root_url: str) -> None:
    """Lay out a local store. An object store has no folders to make, and making one would
    create a bucket a typo named: it is left as it is (`BlobStore.probe` checks it)."""
    if not _is_local(fs):
        return
    try:
        fs.makedirs(f"{root}/{TEMP_DIR}", exist_ok=True)
    except OSError as exc:
        raise WorkspaceError(
            "cannot create the object store", path=root_url, got=exc.strerror or str(exc),
            hint="check that the directory is writable, or pass --objects",
        ) from None
    if not os.access(root, os.W_OK):
        raise WorkspaceError(
            "the object store is not writable", path=root_url,
            hint="fix its permissions, or pass --objects",
        )


def _strip_protocol(fs: AbstractFileSystem, path: str) -> str:
    stripped: str = fs._strip_protocol(path)
    return stripped


def _mtime(fs: AbstractFileSystem, path: str) -> float:
    info: dict[str, Any] = fs.info(path)
    for key in ("mtime", "LastModified", "created"):
        value = info.get(key)
        if value is None:
            continue
        return value.timestamp() if hasattr(value, "timestamp") else float(value)
    return 0.0  # no timestamp known: treat as old
