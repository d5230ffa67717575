"""Immutability of stored bytes: one flipped byte in a blob fails `flywheel verify` naming the
object and both hashes (the triggers are tested in test_version_triggers.py)."""

from __future__ import annotations

import os
from pathlib import Path

from datapool_helpers import frozen_version

from dataflywheel.flows.data import versions as flows
from dataflywheel.flows.workspace import Workspace


def test_one_flipped_byte_fails_verify_naming_file_and_hashes(team: Workspace, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    vid = frozen_version(team, tmp_path)
    sha = flows.get_version(team, vid)[0].manifest_sha256 or ""
    assert cli("verify").code == 0
    path = Path(team.blobs.path_of(sha))
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    data[10] ^= 0x01
    path.write_bytes(bytes(data))
    import hashlib

    actual = hashlib.sha256(bytes(data)).hexdigest()
    result = cli("verify")
    assert result.code == 1
    out = (result.out + result.err).replace("\n", "")
    assert str(path) in out and sha in out and actual in out
