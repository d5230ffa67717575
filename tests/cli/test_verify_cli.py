"""`flywheel verify` through the real entry point: clean store, flipped byte, stray file, JSON."""

from __future__ import annotations

import hashlib
import io
import os
import time
from pathlib import Path
from typing import Any

from dataflywheel.flows.workspace import Workspace

HELLO_SHA = hashlib.sha256(b"hello").hexdigest()
IELLO_SHA = hashlib.sha256(b"iello").hexdigest()


def _flip_first_byte(path: Path) -> None:
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    data[0] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_clean_store_verifies(ws: Workspace, cli: Any) -> None:
    ws.blobs.put_stream(io.BytesIO(b"hello"))
    ws.blobs.put_stream(io.BytesIO(b"world"))
    result = cli("verify")
    assert result.code == 0, result.err
    assert result.out.startswith("ok: 2 objects re-hashed, 0 referenced by records, all match their names")
    report = cli("verify", "--json").json()
    assert report == {"ok": True, "store": ws.blobs.root_url, "objects": 2, "referenced": 0,
                      "problems": [], "temp_files": [], "removed_temp_files": [],
                      "versions": {"checked": 0, "problems": []}}


def test_a_flipped_byte_fails_naming_both_hashes(ws: Workspace, cli: Any) -> None:
    ws.blobs.put_stream(io.BytesIO(b"world"))
    ref = ws.blobs.put_stream(io.BytesIO(b"hello"))
    path = ws.blobs.path_of(ref.sha256)
    _flip_first_byte(Path(path))
    result = cli("verify")
    assert result.code == 1
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert lines == [
        f"{path}: content does not match its name; expected sha256 {HELLO_SHA}, got {IELLO_SHA}",
        (f"error: {ws.blobs.root_url}: 1 problem(s) in the object store (2 objects checked). "
         "Kept: nothing was changed. Next: restore the named objects from a backup or re-deliver "
         "them, then `flywheel verify`"),
    ]
    assert Path(path).read_bytes() == b"iello"  # verify changes nothing


def test_json_report_lists_each_problem(ws: Workspace, cli: Any) -> None:
    ref = ws.blobs.put_stream(io.BytesIO(b"hello"))
    _flip_first_byte(Path(ws.blobs.path_of(ref.sha256)))
    stray = Path(ws.blobs.root) / "zz" / "notes.txt"
    stray.parent.mkdir()
    stray.write_text("left by hand")
    result = cli("verify", "--json")
    assert result.code == 1
    assert result.json()["problems"] == [
        {"kind": "mismatch", "path": ws.blobs.path_of(HELLO_SHA), "expected": HELLO_SHA,
         "actual": IELLO_SHA},
        {"kind": "stray", "path": str(stray), "expected": None, "actual": None},
    ]
    assert result.json()["ok"] is False


def test_temp_files_of_interrupted_writes_are_reported_then_cleaned(ws: Workspace, cli: Any) -> None:
    ws.blobs.put_stream(io.BytesIO(b"hello"))
    old = Path(ws.blobs.root) / ".tmp" / "crashed.part"
    old.write_bytes(b"half a delivery")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    young = Path(ws.blobs.root) / ".tmp" / "running.part"
    young.write_bytes(b"a write in progress")
    result = cli("verify")
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == (
        "2 temp file(s) of writes in progress or interrupted (never objects); "
        "`flywheel verify --clean-temp` removes those older than an hour"
    )
    cleaned = cli("verify", "--clean-temp", "--json").json()
    assert cleaned["removed_temp_files"] == [str(old)]
    assert cleaned["temp_files"] == [str(young)]
    assert not old.exists() and young.exists()
    assert cleaned["objects"] == 1 and cleaned["ok"] is True


def test_verify_without_a_workspace_says_to_init(tmp_path: Path, capsys: Any) -> None:
    from clirun import flywheel

    result = flywheel(capsys, tmp_path, "verify")
    assert result.code == 2
    assert result.err.strip() == (
        f"error: no workspace at {tmp_path / '.flywheel'}. Next: flywheel init (or pass --home DIR)"
    )
