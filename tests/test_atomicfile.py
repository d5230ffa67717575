"""`dataflywheel.atomicfile`: a file is replaced whole or not at all, and no temp file stays."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataflywheel.atomicfile import atomic_text, fsync_dir, write_text


def test_write_text_replaces_the_file_and_leaves_only_it(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("old\n", encoding="utf-8")
    write_text(target, "new – ü\n")
    assert target.read_bytes() == "new – ü\n".encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


def test_a_crash_mid_write_keeps_the_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "sheet.jsonl"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="writer crashed"), atomic_text(target) as out:
        out.write("half a line")
        out.flush()
        raise RuntimeError("writer crashed")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sheet.jsonl"]


def test_a_failed_write_of_a_new_file_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "new.txt"
    with pytest.raises(KeyboardInterrupt), atomic_text(target) as out:
        out.write("x")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_the_callers_oserror(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_text(tmp_path / "absent" / "x.txt", "x")
    assert list(tmp_path.iterdir()) == []


def test_fsync_dir_accepts_a_folder_and_refuses_a_missing_one(tmp_path: Path) -> None:
    fsync_dir(tmp_path)
    with pytest.raises(FileNotFoundError):
        fsync_dir(tmp_path / "absent")
