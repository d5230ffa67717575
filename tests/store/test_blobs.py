"""The blob store: content addressing, streaming, atomicity under a real SIGKILL, verification."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import signal
import stat
import time
from pathlib import Path
from typing import Any

import pytest

from dataflywheel.errors import BadInput, NotFound, WorkspaceError
from dataflywheel.store.blobs import CHUNK_SIZE, TEMP_DIR, BlobProblem, BlobRef, BlobStore

HELLO_SHA = hashlib.sha256(b"hello").hexdigest()


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(str(tmp_path / "objects"))


def _temp_files(store: BlobStore) -> list[Path]:
    return sorted(p for p in (Path(store.root) / TEMP_DIR).iterdir())


def test_put_file_names_the_object_by_its_sha256(store: BlobStore, tmp_path: Path) -> None:
    source = tmp_path / "batch.jsonl"
    source.write_bytes(b"hello")
    ref = store.put_file(source)
    assert ref == BlobRef(sha256=HELLO_SHA, size=5)
    path = Path(store.path_of(HELLO_SHA))
    assert path == Path(store.root) / HELLO_SHA[:2] / HELLO_SHA[2:4] / HELLO_SHA
    assert path.read_bytes() == b"hello"
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert store.exists(HELLO_SHA)
    with store.open(HELLO_SHA) as handle:
        assert handle.read() == b"hello"
    assert list(store.iter_objects()) == [HELLO_SHA]
    assert _temp_files(store) == []


def test_put_is_idempotent(store: BlobStore) -> None:
    first = store.put_stream(io.BytesIO(b"hello"))
    second = store.put_stream(io.BytesIO(b"hello"))
    assert first == second
    assert list(store.iter_objects()) == [HELLO_SHA]
    assert _temp_files(store) == []
    assert store.verify() == []


def test_empty_stream_is_a_valid_object(store: BlobStore) -> None:
    ref = store.put_stream(io.BytesIO(b""))
    assert ref == BlobRef(hashlib.sha256(b"").hexdigest(), 0)
    assert store.verify([ref.sha256]) == []


class _CountingReader:
    """A stream that generates `total` bytes on demand and records the largest read asked for."""

    def __init__(self, total: int) -> None:
        self.left = total
        self.largest_request = 0
        self.hasher = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        self.largest_request = max(self.largest_request, n)
        k = min(self.left, n if n > 0 else self.left)
        chunk = os.urandom(k)
        self.left -= k
        self.hasher.update(chunk)
        return chunk


def test_put_stream_reads_in_bounded_chunks(store: BlobStore) -> None:
    reader = _CountingReader(5 * CHUNK_SIZE + 17)
    ref = store.put_stream(reader)  # type: ignore[arg-type]
    assert ref == BlobRef(reader.hasher.hexdigest(), 5 * CHUNK_SIZE + 17)
    assert 0 < reader.largest_request <= CHUNK_SIZE
    assert store.hash_object(ref.sha256) == ref.sha256


def test_fsspec_memory_filesystem_works_the_same() -> None:
    remote = BlobStore("memory://flywheel-test-objects")
    ref = remote.put_stream(io.BytesIO(b"hello"))
    assert ref.sha256 == HELLO_SHA
    assert not remote.is_local
    assert list(remote.iter_objects()) == [HELLO_SHA]
    with remote.open(HELLO_SHA) as handle:
        assert handle.read() == b"hello"
    assert remote.verify([HELLO_SHA]) == []
    remote.fs.rm(remote.root, recursive=True)


# --- bad input -----------------------------------------------------------------------------------


def test_missing_source_file_is_named(store: BlobStore, tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(NotFound) as err:
        store.put_file(missing)
    assert str(err.value) == f"{missing}: file not found. Next: check the path and retry"
    assert list(store.iter_objects()) == []


def test_directory_is_refused(store: BlobStore, tmp_path: Path) -> None:
    with pytest.raises(BadInput) as err:
        store.put_file(tmp_path)
    assert str(err.value) == f"{tmp_path}: not a regular file; expected a file, not a directory"
    assert list(store.iter_objects()) == []


def test_text_stream_is_refused_and_leaves_nothing(store: BlobStore) -> None:
    with pytest.raises(BadInput) as err:
        store.put_stream(io.StringIO("hello"))  # type: ignore[arg-type]
    assert str(err.value) == (
        "the stream yields text; expected a binary stream (open the file with 'rb'); got 'str'"
    )
    assert list(store.iter_objects()) == []
    assert _temp_files(store) == []


class _FailingReader:
    def __init__(self) -> None:
        self.calls = 0

    def read(self, n: int = -1) -> bytes:
        self.calls += 1
        if self.calls > 3:
            raise OSError("connection reset")
        return b"x" * 1000


def test_a_failing_stream_leaves_no_object_and_no_temp(store: BlobStore) -> None:
    with pytest.raises(OSError, match="connection reset"):
        store.put_stream(_FailingReader())  # type: ignore[arg-type]
    assert list(store.iter_objects()) == []
    assert _temp_files(store) == []


@pytest.mark.parametrize("bad", ["abc", "G" * 64, HELLO_SHA.upper(), HELLO_SHA + "0"])
def test_malformed_sha_is_refused(store: BlobStore, bad: str) -> None:
    with pytest.raises(BadInput) as err:
        store.open(bad)
    assert str(err.value) == (
        f"not a sha256; field 'sha256'; expected 64 lowercase hex digits; got {bad!r}"
    )


def test_open_of_absent_object_is_not_found(store: BlobStore) -> None:
    with pytest.raises(NotFound) as err:
        store.open(HELLO_SHA)
    assert str(err.value) == (
        f"{store.root_url}: object {HELLO_SHA} is not in the store. Next: run `flywheel verify` to check the store"
    )


def test_unusable_store_root_is_a_workspace_error_at_first_use(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    root = str(blocker / "objects")
    store = BlobStore(root)  # opening a workspace touches no object, and does not fail here
    with pytest.raises(WorkspaceError) as err:
        store.exists(HELLO_SHA)
    assert str(err.value).startswith(f"{root}: cannot create the object store; got ")
    assert str(err.value).endswith("Next: check that the directory is writable, or pass --objects")
    assert blocker.read_text() == "not a directory"


# --- verification --------------------------------------------------------------------------------


def _flip_one_byte(path: Path, offset: int = 0) -> None:
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_flipped_byte_is_named_with_both_hashes(store: BlobStore) -> None:
    good = store.put_stream(io.BytesIO(b"good bytes"))
    bad = store.put_stream(io.BytesIO(b"hello"))
    _flip_one_byte(Path(store.path_of(bad.sha256)))
    actual = hashlib.sha256(b"iello").hexdigest()
    problems = store.verify([good.sha256, bad.sha256])
    assert problems == [BlobProblem("mismatch", store.path_of(HELLO_SHA), HELLO_SHA, actual)]
    assert str(problems[0]) == (
        f"{store.path_of(HELLO_SHA)}: content does not match its name; "
        f"expected sha256 {HELLO_SHA}, got {actual}"
    )


def test_missing_expected_object_is_named(store: BlobStore) -> None:
    store.put_stream(io.BytesIO(b"hello"))
    absent = hashlib.sha256(b"absent").hexdigest()
    problems = store.verify([HELLO_SHA, absent])
    assert problems == [BlobProblem("missing", store.path_of(absent), absent, None)]
    assert str(problems[0]) == f"{store.path_of(absent)}: object {absent} is missing"


def test_stray_file_in_the_object_tree_is_named(store: BlobStore) -> None:
    stray = Path(store.root) / "ab" / "cd" / "notes.txt"
    stray.parent.mkdir(parents=True)
    stray.write_text("left here by hand")
    misplaced = Path(store.root) / "00" / "00" / HELLO_SHA
    misplaced.parent.mkdir(parents=True)
    misplaced.write_bytes(b"hello")
    problems = store.verify()
    assert [(p.kind, p.path) for p in problems] == [
        ("stray", str(misplaced)),
        ("stray", str(stray)),
    ]
    assert list(store.iter_objects()) == []


def test_gc_temp_spares_young_temp_files_and_removes_old_ones(store: BlobStore) -> None:
    temp = Path(store.root) / TEMP_DIR / "crashed.part"
    temp.write_bytes(b"partial")
    assert list(store.iter_objects()) == []
    assert store.verify() == []
    assert store.gc_temp() == []
    assert temp.exists()
    old = time.time() - 7200
    os.utime(temp, (old, old))
    assert store.gc_temp() == [str(temp)]
    assert _temp_files(store) == []


# --- atomicity under SIGKILL ---------------------------------------------------------------------


class _SlowReader:
    """48 MiB in 256 KiB pieces with a short pause each: a write that takes about a second."""

    def __init__(self, total: int = 48 * 1024 * 1024, pause: float = 0.002) -> None:
        self.left, self.pause, self.i = total, pause, 0

    def read(self, n: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        k = min(256 * 1024, self.left, n if n > 0 else self.left)
        self.left -= k
        self.i += 1
        if self.pause:
            time.sleep(self.pause)
        return bytes([self.i % 256]) * k


def _write_slowly(root: str, ready: Any) -> None:
    """Runs in a forked child: a real, separate process the parent kills with SIGKILL."""
    store = BlobStore(root)
    ready.set()
    store.put_stream(_SlowReader())  # type: ignore[arg-type]


def _expected_sha() -> tuple[str, int]:
    reader = _SlowReader(pause=0)
    hasher = hashlib.sha256()
    size = 0
    for chunk in iter(lambda: reader.read(CHUNK_SIZE), b""):
        hasher.update(chunk)
        size += len(chunk)
    return hasher.hexdigest(), size


def _run_and_kill(root: str, delay: float | None) -> str:
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    proc = context.Process(target=_write_slowly, args=(root, ready))
    proc.start()
    assert ready.wait(timeout=30)
    if delay is None:
        proc.join(timeout=60)
        assert proc.exitcode == 0
        return "finished"
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(timeout=30)
    return "killed" if proc.exitcode == -signal.SIGKILL else "finished"


@pytest.mark.slow
def test_sigkill_midway_never_leaves_a_visible_partial_object(tmp_path: Path) -> None:
    root = str(tmp_path / "objects")
    store = BlobStore(root)
    sha, size = _expected_sha()
    partial_sizes: list[int] = []
    outcomes: list[str] = []
    for delay in (0.0, 0.05, 0.15, 0.3, 0.5, 0.8):
        outcomes.append(_run_and_kill(root, delay))
        objects = list(store.iter_objects())
        assert objects in ([], [sha]), f"after a kill at {delay}s: {objects}"
        assert store.verify() == []
        partial_sizes += [p.stat().st_size for p in _temp_files(store)]
    assert "killed" in outcomes
    # The test must really have caught writes in the middle: temp files with some but not all bytes.
    assert any(0 < s < size for s in partial_sizes), (outcomes, partial_sizes)
    assert list(store.iter_objects()) in ([], [sha])
    leftovers = [str(p) for p in _temp_files(store)]
    assert leftovers
    assert store.gc_temp(min_age_s=0) == leftovers
    assert _temp_files(store) == []
    # A write left to finish publishes the whole object, which verifies.
    assert _run_and_kill(root, None) == "finished"
    assert list(store.iter_objects()) == [sha]
    assert store.verify([sha]) == []
    assert Path(store.path_of(sha)).stat().st_size == size


# --- references held by records ------------------------------------------------------------------


def test_referenced_blobs_reads_marked_columns_only(store: BlobStore, tmp_path: Path) -> None:
    from sqlalchemy import Column, MetaData, String, Table, create_engine
    from sqlalchemy.orm import Session

    from dataflywheel.store.blobs import BLOB_REF, referenced_blobs

    metadata = MetaData()
    files = Table("files", metadata, Column("name", String, primary_key=True),
                  Column("sha256", String, info={BLOB_REF: True}),
                  Column("note_sha256", String))  # not marked: not a blob reference
    reports = Table("reports", metadata, Column("id", String, primary_key=True),
                    Column("report_sha256", String, nullable=True, info={BLOB_REF: True}))
    engine = create_engine(f"sqlite:///{tmp_path / 'refs.db'}")
    metadata.create_all(engine)
    absent = hashlib.sha256(b"absent").hexdigest()
    with engine.begin() as conn:
        conn.execute(files.insert(), [{"name": "a", "sha256": HELLO_SHA, "note_sha256": "x" * 64},
                                      {"name": "b", "sha256": absent, "note_sha256": None}])
        conn.execute(reports.insert(), [{"id": "r1", "report_sha256": HELLO_SHA},
                                        {"id": "r2", "report_sha256": None}])
    with Session(engine) as session:
        refs = referenced_blobs(session, metadata)
    engine.dispose()
    assert refs == {HELLO_SHA: ["files.sha256", "reports.report_sha256"], absent: ["files.sha256"]}
    store.put_stream(io.BytesIO(b"hello"))
    assert store.verify(refs) == [BlobProblem("missing", store.path_of(absent), absent, None)]
