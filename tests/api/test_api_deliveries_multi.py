"""A delivery of several files over HTTP: the files one after another in one streamed body, each
named with its byte length (`?name=…&size=…`, repeated), become one batch of those files, byte for
byte — what `flywheel deliver A B` makes locally; the CLI acting through the server sends them
all. Sizes that do not match the body store nothing. Both backends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from delivery_helpers import QUERY, batch_ids, objects, sft_jsonl, staged_uploads, through_server
from fastapi.testclient import TestClient

from server_helpers import assert_envelope


def _url(seeded: dict[str, str]) -> str:
    return f"/api/v1/requirements/{seeded['data.requirement']}/deliveries"


def test_several_files_in_one_body_are_one_batch_of_those_files(
        api: TestClient, seeded: dict[str, str], principals: dict[str, dict[str, str]]) -> None:
    from dataflywheel.flows.data.batches import get_batch

    ws = api.app.state.workspace  # type: ignore[attr-defined]
    first, second = sft_jsonl(12, seed=1), sft_jsonl(7, seed=2)
    answer = api.post(_url(seeded), params=QUERY | {"name": ["a.jsonl", "b.jsonl"],
                                                    "size": [len(first), len(second)]},
                      content=first + second, headers=principals["data-engineer"])
    assert answer.status_code == 201, answer.text
    batch, files = get_batch(ws, answer.json()["batch"]["id"])
    assert [(f.name, f.size_bytes, f.row_count) for f in files] == [
        ("a.jsonl", len(first), 12), ("b.jsonl", len(second), 7)]
    assert batch.row_count == 19
    for f, body in zip(files, (first, second)):
        with ws.blobs.open(f.sha256) as fh:
            assert fh.read() == body
    assert staged_uploads(ws) == []


@pytest.mark.parametrize(("params", "extra", "status", "needle"), [
    ({"name": ["a.jsonl", "b.jsonl"], "size": [10]}, b"", 400, "2 file name(s) but 1 size(s)"),
    ({"name": ["a.jsonl", "b.jsonl"]}, b"", 400, "2 file name(s) but 0 size(s)"),
    ({"name": ["a.jsonl", "b.jsonl"], "size": ["+1", "+0"]}, b"", 400,
     "the request body does not match the sizes of its files"),
    ({"name": ["a.jsonl", "b.jsonl"], "size": ["+0", "+1"]}, b"{}\n", 400,
     "the request body does not match the sizes of its files"),
    ({"name": ["a.jsonl", "a.jsonl"], "size": ["+0", "+0"]}, b"", 400,
     "two delivered files are both named 'a.jsonl'"),
    ({"name": ["a.jsonl", "b.jsonl"], "size": ["0", "+0"]}, b"", 400, "size"),
], ids=["one-size-short", "no-sizes", "body-short", "body-long", "same-name", "zero-size"])
def test_sizes_that_do_not_match_the_body_store_nothing(
        api: TestClient, seeded: dict[str, str], principals: dict[str, dict[str, str]],
        params: dict[str, Any], extra: bytes, status: int, needle: str) -> None:
    ws = api.app.state.workspace  # type: ignore[attr-defined]
    first, second = sft_jsonl(5, seed=1), sft_jsonl(5, seed=2)
    sizes = {"+0": len(first), "+1": len(first) + 1, "0": 0}
    query = dict(params)
    if "size" in query:
        query["size"] = [sizes.get(str(s), s) for s in query["size"]]
    before = (batch_ids(ws), objects(ws))
    answer = api.post(_url(seeded), params=QUERY | query, content=first + second + extra,
                      headers=principals["data-engineer"])
    assert_envelope(answer, status, needle)
    assert (batch_ids(ws), objects(ws)) == before and staged_uploads(ws) == []


def test_the_cli_delivers_several_files_through_the_server_as_locally(
        cli: Any, live_server: Any, seeded: dict[str, str],
        principals: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    from dataflywheel.flows.data.batches import get_batch

    ws = live_server.app.state.workspace
    paths = [tmp_path / "part-1.jsonl", tmp_path / "part-2.jsonl", tmp_path / "part-3.jsonl"]
    for n, path in enumerate(paths):
        path.write_bytes(sft_jsonl(8 + n, seed=20 + n))
    args = ["deliver", *map(str, paths), "--dataset", "api-sft", "--contract", QUERY["contract"],
            "--requirement", seeded["data.requirement"], "--from", "data-engineer"]
    through_server(monkeypatch, live_server, principals["data-engineer"])
    remote = cli(*args)
    assert remote.code == 0, remote.err
    batch_id = batch_ids(ws)[-1]
    _, files = get_batch(ws, batch_id)
    assert [(f.name, f.size_bytes) for f in files] == [(p.name, p.stat().st_size) for p in paths]
    monkeypatch.delenv("FLYWHEEL_SERVER")
    local = cli(*args)
    assert local.code == 0, local.err
    assert "in 3 file(s)" in remote.out
    assert remote.out.replace(batch_id, "B-X") == local.out.replace(batch_ids(ws)[-1], "B-X")
