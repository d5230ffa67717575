"""What a failed or refused delivery records (issue "Trust", items 14 and 15): an empty batch is
bad input and stores nothing; a failure names the stored object, never the deleted temporary path
the checks read; a batch of lines that do not parse fails the default gates and its issue counts
lines, not "0 of 0 records non-conforming (100.0%)"."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from datapool_helpers import CONTRACT, records, setup_pool, write_jsonl

from dataflywheel.domain.states import BatchState
from dataflywheel.errors import BadInput
from dataflywheel.flows.data.delivery import deliver
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.data import Batches
from dataflywheel.store.repositories.issues import Issues


def _deliver(team: Workspace, path: Path):  # type: ignore[no-untyped-def]
    pool = setup_pool(team)
    return deliver(team, [path], dataset=pool.dataset, contract_version_id=CONTRACT,
                   requirement_id=pool.requirement, delivered_by="data-engineer", engine="single")


@pytest.mark.parametrize("name, content", [  # ids by name: xdist's workers must collect the same
    ("empty.jsonl", b""), ("blank.jsonl", b"\n  \n\t\n"),  # ids, and gzip stamps the time
    ("empty.jsonl.gz", gzip.compress(b"\n", mtime=0)),
], ids=["empty.jsonl", "blank.jsonl", "empty.jsonl.gz"])
def test_an_empty_batch_is_bad_input_and_nothing_is_stored(
    team: Workspace, tmp_path: Path, name: str, content: bytes,
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    before = list(team.blobs.iter_objects())
    with pytest.raises(BadInput) as info:
        _deliver(team, path)
    assert str(info.value) == (
        f"{path}: the file holds no records (an empty batch); expected at least one record (a "
        "JSON line, or a Parquet row). Kept: nothing was stored. Next: check the export and "
        "deliver the file again")
    assert path.read_bytes() == content  # the input is untouched
    assert list(team.blobs.iter_objects()) == before
    with team.db.session() as s:
        assert Batches(s).list() == [] and Issues(s).list() == []


def test_the_cli_refuses_an_empty_batch_with_exit_code_2(  # type: ignore[no-untyped-def]
    team: Workspace, cli, tmp_path: Path,
) -> None:
    pool = setup_pool(team)
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    out = cli("deliver", str(path), "--dataset", pool.dataset, "--contract", CONTRACT,
              "--requirement", pool.requirement, "--from", "data-engineer", "--engine", "single")
    assert out.code == 2 and "the file holds no records (an empty batch)" in out.err


def test_a_failure_names_the_stored_object_not_the_temporary_path(
    team: Workspace, tmp_path: Path,
) -> None:
    whole = gzip.compress(write_jsonl(tmp_path / "x.jsonl", records("x", 40, seed=3)).read_bytes())
    path = tmp_path / "x.jsonl.gz"
    path.write_bytes(whole[: len(whole) // 2])  # truncated: stored, then failed by the checks
    result = _deliver(team, path)
    sha = result.files[0].sha256
    assert result.batch.state is BatchState.FAILED
    reason = result.batch.failure_reason or ""
    assert reason.startswith(f"x.jsonl.gz (stored object {sha}): ")
    assert "flywheel-stage" not in reason and "/tmp" not in reason
    assert result.batch.quality_summary == {"error": reason}
    assert team.blobs.exists(sha)  # what was delivered is kept
    assert result.issue is not None
    assert result.issue.description.startswith(
        f"Batch {result.batch.id} (contract {CONTRACT}, requirement "
        f"{result.batch.requirement_id}): the checks could not run, so no record was judged.")
    assert "flywheel-stage" not in result.issue.description


def test_a_batch_of_unparseable_lines_fails_and_its_issue_counts_lines(
    team: Workspace, tmp_path: Path,
) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text('{"id": "a",\nnot json\n{"id": "c", "content": \n', encoding="utf-8")
    result = _deliver(team, path)
    assert result.batch.state is BatchState.FAILED
    assert result.batch.failure_reason == (
        "failed gates: invalid_json_rate 1 (needs <= 0), reject_rate 1 (needs <= 0)")
    assert result.report is not None and [r.line for r in result.report.rejects] == [1, 2, 3]
    assert result.issue is not None
    assert "none of its 3 line(s) decoded to a record (3 rejected)." in result.issue.description
    assert "0 of 0 records" not in result.issue.description
