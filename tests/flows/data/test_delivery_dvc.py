"""Deliveries from a DVC-tracked path at a git revision, against real git and `dvc`: the batch
holds the bytes the path had at that commit (not today's), its source names repository, commit
and path (and `flywheel lineage` shows it), and a path or revision that cannot be read stores
nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from datapool_helpers import Pool, records, setup_pool, write_jsonl

from dataflywheel.errors import BadInput
from dataflywheel.flows.data.delivery_dvc import deliver_from_dvc
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.data import Batches

DVC = Path(sys.executable).with_name("dvc")
pytestmark = pytest.mark.skipif(not DVC.exists(), reason="the [dvc] extra is not installed")
GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com"]


def _run(*args: str, cwd: Path) -> str:
    done = subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, str]:
    """A git + DVC repository whose `data/batch.jsonl` has two committed versions; returns the
    repository and the first commit."""
    root = tmp_path / "repo"
    root.mkdir()
    _run(*GIT, "init", "-q", cwd=root)
    _run(str(DVC), "init", "-q", cwd=root)
    for number, seed in ((1, 11), (2, 12)):
        write_jsonl(root / "data" / "batch.jsonl", records(f"v{number}", 10 * number, seed=seed))
        _run(str(DVC), "add", "-q", "data/batch.jsonl", cwd=root)
        _run(*GIT, "add", "-A", cwd=root)
        _run(*GIT, "commit", "-q", "-m", f"batch v{number}", cwd=root)
        if number == 1:
            first = _run("git", "rev-parse", "HEAD", cwd=root)
    return root, first


def _flow(pool: Pool) -> dict[str, Any]:
    return {"dataset": pool.dataset, "contract_version_id": "cleaned-raw-pool@1.0.0",
            "requirement_id": pool.requirement, "delivered_by": "data-engineer",
            "engine": "single"}


def test_the_batch_holds_the_path_as_it_was_at_the_revision(team: Workspace,
                                                             repo: tuple[Path, str]) -> None:
    root, first = repo
    pool = setup_pool(team)
    done = deliver_from_dvc(team, str(root), ["data/batch.jsonl"], rev=first, **_flow(pool))
    assert done.batch.row_count == 10  # the first commit's 10 rows, not HEAD's 20
    assert done.batch.source == f"dvc:{root}@{first}:data/batch.jsonl"
    head = deliver_from_dvc(team, str(root), ["data/batch.jsonl"], **_flow(pool))  # HEAD
    latest = _run("git", "rev-parse", "HEAD", cwd=root)
    assert head.batch.row_count == 20 and head.batch.source == (
        f"dvc:{root}@{latest}:data/batch.jsonl")
    from dataflywheel.flows.data.lineage import source_of

    assert source_of(done.batch) == (f"person:data-engineer (dvc:{root}@{first}:"
                                     "data/batch.jsonl)")


@pytest.mark.parametrize("backend_url", ["sqlite"], indirect=True)
def test_a_missing_path_or_revision_stores_nothing(team: Workspace,
                                                   repo: tuple[Path, str]) -> None:
    root, _ = repo
    pool = setup_pool(team)
    with pytest.raises(BadInput, match="no such revision in the DVC repository") as bad_rev:
        deliver_from_dvc(team, str(root), ["data/batch.jsonl"], rev="no-such-tag", **_flow(pool))
    assert bad_rev.value.got == "no-such-tag"
    with pytest.raises(BadInput, match="cannot read data/none.jsonl from the DVC repository"):
        deliver_from_dvc(team, str(root), ["data/batch.jsonl", "data/none.jsonl"],
                         **_flow(pool))
    with pytest.raises(BadInput, match="name the paths of the batch in the DVC repository"):
        deliver_from_dvc(team, str(root), [], **_flow(pool))
    with pytest.raises(BadInput, match="two paths of the delivery have the same file name"):
        deliver_from_dvc(team, str(root), ["data/batch.jsonl", "data/batch.jsonl"],
                         **_flow(pool))
    with team.db.session() as s:
        assert Batches(s).list() == []
    assert not any(team.blobs.iter_objects())
    assert not list((team.settings.workspace / "uploads").glob("*"))


@pytest.mark.parametrize("backend_url", ["sqlite"], indirect=True)
def test_the_cli_delivers_from_a_repository_and_refuses_a_server(
        cli: Any, team: Workspace, repo: tuple[Path, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    root, first = repo
    pool = setup_pool(team)
    args = ["deliver", "data/batch.jsonl", "--dvc-repo", str(root), "--rev", first,
            "--dataset", pool.dataset, "--contract", "cleaned-raw-pool@1.0.0", "--requirement",
            pool.requirement, "--from", "data-engineer", "--engine", "single", "--json"]
    done = cli(*args)
    assert done.code == 0, done.err
    assert done.json()["batch"]["source"] == f"dvc:{root}@{first}:data/batch.jsonl"
    lonely = cli(*args[:2], *args[4:])  # --rev without --dvc-repo
    assert lonely.code == 2 and "--rev goes with --dvc-repo" in lonely.err
    with team.db.session() as s:
        assert len(Batches(s).list()) == 1  # the first delivery's only
    monkeypatch.setenv("FLYWHEEL_SERVER", "http://127.0.0.1:9")
    monkeypatch.setenv("FLYWHEEL_TOKEN", "fwt_not-used-the-command-refuses-first")
    refused = cli(*args)
    assert refused.code == 2 and "is read where you run it" in refused.err
