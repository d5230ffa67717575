"""Fixtures for access grants: a registered dataset asset, and a real archived version."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# the frozen-version builder of the export tests (real deliveries through the flows), reused
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "data" / "export"))

from access_helpers import make_dataset

from dataflywheel.flows.workspace import Workspace


@pytest.fixture
def internal(team: Workspace) -> str:
    """Dataset `corpus` (internal) registered as an asset; returns the asset id."""
    return make_dataset(team, "corpus", sensitivity="internal")


@pytest.fixture
def confidential(team: Workspace) -> str:
    return make_dataset(team, "secrets", sensitivity="confidential")


@pytest.fixture
def archived(team: Workspace, tmp_path: Path) -> str:
    """A version frozen through the gate from two real deliveries, then archived by the A."""
    from export_helpers import frozen

    from dataflywheel.flows.data.version_release import archive

    version_id = frozen(team, tmp_path)
    archive(team, version_id, by="data-owner")
    return version_id
