"""Spill files: the directory contract the engines rely on, and array round trips."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dataflywheel.checks import spill


def test_files_go_to_the_directory_in_use(tmp_path: Path) -> None:
    with spill.using(str(tmp_path)):
        assert spill.directory() == tmp_path
        a = np.arange(12, dtype=np.uint32).reshape(3, 4)
        path = spill.write_array(a, prefix="t-")
        assert Path(path).parent == tmp_path
        back = spill.read_array(path, np.uint32).reshape(3, 4)
        assert np.array_equal(back, a)
        # a slice by byte offset reads only the asked rows
        row = spill.read_array(path, np.uint32, count=4, offset=2 * 4 * 4)
        assert row.tolist() == [8, 9, 10, 11]
        other = spill.write_array(a, prefix="t-")
        assert other != path  # every write gets a fresh name
        spill.remove(path)
        spill.remove(path)  # a missing file is not an error
        assert not Path(path).exists()


def test_private_directory_when_none_set() -> None:
    d = spill.directory()
    assert d.is_dir() and d.name.startswith("flywheel-spill-")
    assert spill.directory() == d  # made once, reused
    path = spill.write_bytes(b"abc")
    assert Path(path).read_bytes() == b"abc"
    spill.remove(path)


def test_write_of_empty_and_non_contiguous_arrays(tmp_path: Path) -> None:
    with spill.using(str(tmp_path)):
        empty = spill.write_array(np.zeros((0, 8), dtype=np.uint16))
        assert spill.read_array(empty, np.uint16).size == 0
        a = np.arange(20, dtype=np.int64).reshape(4, 5)
        path = spill.write_array(a.T)  # written in C order of the view
        assert spill.read_array(path, np.int64).tolist() == a.T.ravel().tolist()


def test_read_of_missing_file_fails_loudly(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        spill.read_array(str(tmp_path / "nope.bin"), np.uint8)


def test_read_into_scatters_consecutive_bytes(tmp_path: Path) -> None:
    with spill.using(str(tmp_path)):
        path = spill.write_array(np.arange(10, dtype=np.uint16))
        out = np.zeros((2, 6), dtype=np.uint16)
        spill.read_into(path, [out[0, 1:4], out[1, 2:5]], offset=2 * 3)
        assert out.tolist() == [[0, 3, 4, 5, 0, 0], [0, 0, 6, 7, 8, 0]]
        for pieces in ([np.zeros(4, dtype=np.uint16)], [np.zeros(1, np.uint16)] * 3):
            with pytest.raises(spill.SpillMissing, match="ends before byte"):
                spill.read_into(path, pieces, offset=2 * 8)
        spill.remove(path)
        with pytest.raises(spill.SpillMissing, match="must live until every check"):
            spill.read_into(path, [out[0]])


def test_the_directory_in_use_belongs_to_the_context_not_the_process(tmp_path: Path) -> None:
    """Two runs in one process (threads) spill into their own directories at once; a thread
    started in a copy of a run's context spills where the run does, and the directory in use
    before a `using` block is back after it."""
    import threading
    from concurrent.futures import ThreadPoolExecutor
    from contextvars import copy_context

    outside = spill.directory()
    dirs = [tmp_path / "a", tmp_path / "b"]
    for d in dirs:
        d.mkdir()
    both_inside = threading.Barrier(2, timeout=30)

    def run(where: Path) -> tuple[Path, Path, Path]:
        with spill.using(str(where)), ThreadPoolExecutor(1) as pool:
            both_inside.wait()  # the other run's directory is set too by now
            mine = Path(spill.write_bytes(b"x")).parent
            copied = pool.submit(copy_context().run, spill.directory).result()
            bare = pool.submit(spill.directory).result()
            return mine, copied, bare

    with ThreadPoolExecutor(2) as runs:
        got = list(runs.map(run, dirs))
    assert [(mine, copied) for mine, copied, _ in got] == [(d, d) for d in dirs]
    assert [bare for _, _, bare in got] == [outside, outside]
    assert spill.directory() == outside


def test_a_missing_spill_file_error_pickles_whole() -> None:
    import pickle

    error = spill.SpillMissing("/tmp/x.bin", "it ends before byte 8")
    again = pickle.loads(pickle.dumps(error))
    assert (type(again), str(again), again.path, again.detail) == (
        spill.SpillMissing,
        str(error),
        error.path,
        error.detail,
    )
