"""DVC export against the real `dvc` (the [dvc] extra): a frozen version exported into a DVC
repository is tracked as `dvc add` would track it — `dvc status` clean, `dvc push` to a local
remote sends the file, `dvc checkout` restores it — and outside a repository the `.dvc` files are
written for a later `dvc commit`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from export_helpers import frozen

from dataflywheel.flows.data.export import export_version
from dataflywheel.flows.workspace import Workspace
from dataflywheel.integrations import dvc as dvcfiles

DVC = Path(sys.executable).with_name("dvc")
pytestmark = pytest.mark.skipif(not DVC.exists(), reason="the [dvc] extra is not installed")
PARQUET = "data/train-00000-of-00001.parquet"


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, check=False)


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    assert _run("git", "init", "-q", cwd=root).returncode == 0
    done = _run(str(DVC), "init", "-q", cwd=root)
    assert done.returncode == 0, done.stderr
    return root


@pytest.mark.parametrize("backend_url", ["sqlite"], indirect=True)
def test_an_export_into_a_repository_is_clean_pushes_and_checks_out(
        team: Workspace, tmp_path: Path, repository: Path) -> None:
    version = frozen(team, tmp_path)
    out = repository / "datasets" / "raw-pool-1"
    result = export_version(team, version, format="dvc", out=out, license="CC-BY-4.0")
    assert result.files == ["README.md", "data/.gitignore", PARQUET, PARQUET + ".dvc"]
    md5 = dvcfiles.md5_of(out / PARQUET)
    assert f"md5: {md5}" in (out / (PARQUET + ".dvc")).read_text()
    status = _run(str(DVC), "status", cwd=repository)
    assert status.returncode == 0 and "up to date" in status.stdout, status.stdout + status.stderr
    remote = tmp_path / "remote"
    assert _run(str(DVC), "remote", "add", "-d", "local", str(remote), cwd=repository).returncode == 0
    pushed = _run(str(DVC), "push", cwd=repository)
    assert pushed.returncode == 0, pushed.stderr
    assert (remote / "files" / "md5" / md5[:2] / md5[2:]).read_bytes() == (out / PARQUET).read_bytes()
    (out / PARQUET).unlink()  # a colleague's clone has only the .dvc file
    restored = _run(str(DVC), "checkout", cwd=repository)
    assert restored.returncode == 0, restored.stderr
    assert dvcfiles.md5_of(out / PARQUET) == md5


@pytest.mark.parametrize("backend_url", ["sqlite"], indirect=True)
def test_outside_a_repository_the_dvc_files_wait_for_a_commit(team: Workspace,
                                                               tmp_path: Path) -> None:
    version = frozen(team, tmp_path)
    out = tmp_path / "plain"
    export_version(team, version, format="dvc", out=out)
    assert dvcfiles.repository_of(out) is None
    # moved into a repository later, `dvc commit` accepts the hashes it finds
    repo = tmp_path / "later"
    repo.mkdir()
    assert _run("git", "init", "-q", cwd=repo).returncode == 0
    assert _run(str(DVC), "init", "-q", cwd=repo).returncode == 0
    shutil.move(str(out), repo / "plain")
    committed = _run(str(DVC), "commit", "-f", cwd=repo)
    assert committed.returncode == 0, committed.stderr
    assert "up to date" in _run(str(DVC), "status", cwd=repo).stdout


def test_a_cache_dir_set_in_the_config_is_used(tmp_path: Path, repository: Path) -> None:
    (repository / ".dvc" / "config").write_text("[cache]\n    dir = ../shared-cache\n")
    data = repository / "x.bin"
    data.write_bytes(b"bytes")
    md5 = dvcfiles.md5_of(data)
    placed = dvcfiles.add_to_cache(repository, data, md5)
    assert placed == (repository / "shared-cache" / "files" / "md5" / md5[:2] / md5[2:]).resolve()
    dvcfiles.track(data)
    status = _run(str(DVC), "status", cwd=repository)
    assert "up to date" in status.stdout, status.stdout + status.stderr
