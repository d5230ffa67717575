"""Creating and opening workspaces, and the bad inputs around them."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataflywheel.errors import AlreadyExists, WorkspaceError
from dataflywheel.flows.governance.raci import export_matrix
from dataflywheel.flows.governance.bootstrap import init_workspace
from dataflywheel.flows.workspace import Workspace, open_workspace
from dataflywheel.settings import Settings


def test_init_makes_db_objects_roles_and_default_raci(ws: Workspace) -> None:
    assert Path(ws.settings.objects_root).is_dir()
    matrix = export_matrix(ws)
    assert len(matrix.items) == 10
    release = next(i for i in matrix.items if i.id == "training_set_version_release")
    assert [r.value for r in release.A] == ["data_owner"]


def test_init_twice_is_refused_and_keeps_the_first(ws: Workspace, settings: Settings) -> None:
    with pytest.raises(AlreadyExists, match="a workspace already exists at"):
        init_workspace(settings)
    assert len(export_matrix(ws).items) == 10


def test_open_without_workspace_says_to_init(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError) as info:
        open_workspace(Settings(home=tmp_path))
    assert str(info.value) == f"no workspace at {tmp_path / '.flywheel'}. Next: flywheel init (or pass --home DIR)"


def test_unwritable_workspace_is_a_clear_error_and_creates_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the workspace directory should go")
    settings = Settings(home=blocker / "home")
    with pytest.raises(WorkspaceError) as info:
        init_workspace(settings)
    message = str(info.value)
    assert message.startswith(f"{blocker / 'home' / '.flywheel'}: cannot write the workspace: ")
    assert message.endswith("Kept: nothing was created. Next: choose another --home or fix the permissions")
    assert blocker.read_text() == "a file where the workspace directory should go"
