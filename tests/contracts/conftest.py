"""Fixtures for the contract flows: a team workspace whose schema has the contract tables."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from dataflywheel.flows.workspace import Workspace


@pytest.fixture
def cws(team: Workspace) -> Workspace:
    """The `team` workspace (one person per role, project P-TEST), with the contract tables.

    create_all is a no-op once the migrations carry these tables; until then it adds them.
    """
    from dataflywheel.store.base import Base
    from dataflywheel.store.tables.contracts import (
        ContractNoticeRow,
        ContractRow,
        ContractVersionRow,
    )

    tables = [ContractRow.__table__, ContractVersionRow.__table__, ContractNoticeRow.__table__]
    Base.metadata.create_all(team.db.engine, tables=tables)  # type: ignore[arg-type]
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
