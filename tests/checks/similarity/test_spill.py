"""Spill files: the directory contract the engines rely on, and array round trips."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dataflywheel.checks import spill


def test_use_directory_is_where_files_go(tmp_path: Path) -> None:
    spill.use_directory(str(tmp_path))
    try:
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
    finally:
        spill.use_directory(None)


def test_private_directory_when_none_set() -> None:
    spill.use_directory(None)
    d = spill.directory()
    assert d.is_dir() and d.name.startswith("flywheel-spill-")
    assert spill.directory() == d  # made once, reused
    path = spill.write_bytes(b"abc")
    assert Path(path).read_bytes() == b"abc"
    spill.remove(path)


def test_write_of_empty_and_non_contiguous_arrays(tmp_path: Path) -> None:
    spill.use_directory(str(tmp_path))
    try:
        empty = spill.write_array(np.zeros((0, 8), dtype=np.uint16))
        assert spill.read_array(empty, np.uint16).size == 0
        a = np.arange(20, dtype=np.int64).reshape(4, 5)
        path = spill.write_array(a.T)  # written in C order of the view
        assert spill.read_array(path, np.int64).tolist() == a.T.ravel().tolist()
    finally:
        spill.use_directory(None)


def test_read_of_missing_file_fails_loudly(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        spill.read_array(str(tmp_path / "nope.bin"), np.uint8)


def test_read_into_scatters_consecutive_bytes(tmp_path: Path) -> None:
    spill.use_directory(str(tmp_path))
    try:
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
    finally:
        spill.use_directory(None)
