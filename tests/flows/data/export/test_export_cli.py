"""`flywheel export` through the real CLI: a frozen version exported, a candidate refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from export_helpers import candidate

from dataflywheel.flows.workspace import Workspace


def test_export_cli_writes_a_frozen_version_and_refuses_a_candidate(
        team: Workspace, cli: Any, tmp_path: Path) -> None:
    from dataflywheel.flows.data.version_release import freeze

    version_id = candidate(team, tmp_path)
    refused = cli("export", version_id, "--format", "hf", "--out", str(tmp_path / "c"))
    assert refused.code == 2
    assert f"version {version_id} is candidate; only frozen versions are exported" in refused.err
    assert not (tmp_path / "c").exists()
    freeze(team, version_id, by="data-owner")
    done = cli("export", "raw-pool@1", "--format", "croissant", "--out", str(tmp_path / "cr"),
               "--license", "CC-BY-4.0", "--json")
    assert done.code == 0, done.err
    assert done.json()["rows"] == 30 and (tmp_path / "cr" / "croissant.json").exists()
    text = cli("export", version_id, "--format", "hf", "--out", str(tmp_path / "hf"))
    assert "exported raw-pool@1 (30 rows, hf)" in text.out
