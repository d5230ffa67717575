"""Fixtures for the contract flows: a team workspace and a writer of edited ODCS documents."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from dataflywheel.flows.workspace import Workspace


@pytest.fixture
def cws(team: Workspace) -> Workspace:
    """The `team` workspace: one person per role (ids like `data-owner`) and project P-TEST."""
    return team


@pytest.fixture
def write_doc(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write an edited ODCS document to a file and return its path."""
    from contract_helpers import dump

    def write(doc: dict[str, Any], name: str = "proposal.odcs.yaml") -> Path:
        path = tmp_path / name
        path.write_text(dump(doc), encoding="utf-8")
        return path

    return write
