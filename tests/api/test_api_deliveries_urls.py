"""A delivery from several object URLs: `{"urls": [...]}` becomes one batch of those objects, one
file each, in order, byte for byte — what an upload of several files makes. All or nothing: a URL
outside the allow-list or unreadable, two files of one name, names that do not match the URLs, a
delivery over the cap in all: 400, no batch, no blob, no staged file. The CLI names the URLs for
the server (`flywheel deliver --url A --url B`) and prints what it prints locally. Both backends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from delivery_helpers import QUERY, batch_ids, objects, sft_jsonl, staged_uploads, through_server
from fastapi.testclient import TestClient
from server_helpers import assert_envelope

Headers = dict[str, dict[str, str]]


def _url(seeded: dict[str, str]) -> str:
    return f"/api/v1/requirements/{seeded['data.requirement']}/deliveries/from-url"


def _drop(ws: Any) -> Path:
    """A folder of three SFT files (and a second `a.jsonl` elsewhere) in the workspace's store."""
    root = Path(ws.settings.objects_root)
    for folder, name, rows in (("incoming", "a.jsonl", 6), ("incoming", "b.jsonl", 9),
                               ("incoming", "c.jsonl", 4), ("other", "a.jsonl", 5)):
        (root / folder).mkdir(exist_ok=True)
        (root / folder / name).write_bytes(sft_jsonl(rows, seed=rows))
    return root


def test_several_urls_are_one_batch_of_those_objects_in_order(
        api: TestClient, seeded: dict[str, str], principals: Headers) -> None:
    from dataflywheel.flows.data.batches import get_batch

    ws = api.app.state.workspace  # type: ignore[attr-defined]
    root = _drop(ws)
    urls = [(root / "incoming" / n).as_uri() for n in ("b.jsonl", "a.jsonl", "c.jsonl")]
    answer = api.post(_url(seeded), params=QUERY, json={"urls": urls},
                      headers=principals["data-engineer"])
    assert answer.status_code == 201, answer.text
    batch, files = get_batch(ws, answer.json()["batch"]["id"])
    assert [(f.name, f.row_count) for f in files] == [("b.jsonl", 9), ("a.jsonl", 6),
                                                      ("c.jsonl", 4)]
    for f, name in zip(files, ("b.jsonl", "a.jsonl", "c.jsonl")):
        with ws.blobs.open(f.sha256) as fh:
            assert fh.read() == (root / "incoming" / name).read_bytes()
    assert batch.row_count == 19 and staged_uploads(ws) == []


def test_names_given_per_url_name_the_files(api: TestClient, seeded: dict[str, str],
                                            principals: Headers) -> None:
    from dataflywheel.flows.data.batches import get_batch

    ws = api.app.state.workspace  # type: ignore[attr-defined]
    root = _drop(ws)
    urls = [(root / "incoming" / "a.jsonl").as_uri(), (root / "other" / "a.jsonl").as_uri()]
    answer = api.post(_url(seeded), params=QUERY | {"name": ["first.jsonl", "second.jsonl"]},
                      json={"urls": urls}, headers=principals["data-engineer"])
    assert answer.status_code == 201, answer.text
    _, files = get_batch(ws, answer.json()["batch"]["id"])
    assert [(f.name, f.row_count) for f in files] == [("first.jsonl", 6), ("second.jsonl", 5)]


@pytest.mark.parametrize(("case", "needle"), [
    ("outside", "the server does not read deliveries from"),
    ("same-name", "two delivered files are both named 'a.jsonl'"),
    ("same-url", "two delivered files are both named 'b.jsonl'"),
    ("missing", "no object at this URL"),
    ("names", "3 URL(s) but 2 file name(s)"),
    ("size", "a delivery from URLs takes no ?size="),
    ("both", "exactly one of them"),
    ("neither", "exactly one of them"),
    ("empty", "urls"),
    ("over-cap", "the object is larger than this server takes"),
])
def test_one_bad_url_or_name_stores_nothing(api: TestClient, seeded: dict[str, str],
                                            principals: Headers, tmp_path: Path, case: str,
                                            needle: str) -> None:
    ws = api.app.state.workspace  # type: ignore[attr-defined]
    root = _drop(ws)
    outside = tmp_path / "secret.jsonl"
    outside.write_bytes(sft_jsonl(3))
    a, b, c = ((root / "incoming" / n).as_uri() for n in ("a.jsonl", "b.jsonl", "c.jsonl"))
    body: dict[str, Any] = {"urls": {
        "outside": [a, outside.as_uri(), c], "same-name": [a, b, (root / "other/a.jsonl").as_uri()],
        "same-url": [b, b], "missing": [a, b, (root / "incoming" / "none.jsonl").as_uri()],
        "names": [a, b, c], "size": [a, b], "both": [a], "neither": None, "empty": [],
        "over-cap": [a, b, c]}[case]}
    body = {k: v for k, v in body.items() if v is not None}
    if case == "both":
        body["url"] = b
    query = dict(QUERY)
    if case == "names":
        query["name"] = ["x.jsonl", "y.jsonl"]  # type: ignore[assignment]
    if case == "size":
        query["size"] = ["10", "10"]  # type: ignore[assignment]
    if case == "over-cap":  # each object fits; together they do not
        sizes = [(root / "incoming" / n).stat().st_size for n in ("a.jsonl", "b.jsonl")]
        ws.settings.upload_max_bytes = max(sizes) + 1
    before = (batch_ids(ws), objects(ws))
    answer = api.post(_url(seeded), params=query, json=body, headers=principals["data-engineer"])
    error = assert_envelope(answer, 400, needle)["error"]
    if case not in ("both", "neither", "empty"):
        assert "nothing was stored" in error
    assert (batch_ids(ws), objects(ws)) == before and staged_uploads(ws) == []


def test_the_cli_delivers_urls_through_the_server_as_locally(
        cli: Any, live_server: Any, seeded: dict[str, str], principals: Headers,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from dataflywheel.flows.data.batches import get_batch

    ws = live_server.app.state.workspace
    root = _drop(ws)
    urls = [(root / "incoming" / n).as_uri() for n in ("a.jsonl", "c.jsonl")]
    args = ["deliver", "--url", urls[0], "--url", urls[1], "--dataset", "api-sft",
            "--contract", QUERY["contract"], "--requirement", seeded["data.requirement"],
            "--from", "data-engineer"]
    through_server(monkeypatch, live_server, principals["data-engineer"])
    remote = cli(*args)
    assert remote.code == 0, remote.err
    remote_batch = batch_ids(ws)[-1]
    _, files = get_batch(ws, remote_batch)
    assert [(f.name, f.row_count) for f in files] == [("a.jsonl", 6), ("c.jsonl", 4)]
    assert "in 2 file(s)" in remote.out
    refused = cli(*args[:3], *args[5:], "--url", (root / "x.jsonl").as_uri())  # 1 of 2 missing
    assert refused.code == 2 and "no object at this URL" in " ".join(refused.err.split())
    both = cli("deliver", str(root / "incoming" / "a.jsonl"), *args[1:])  # a file and URLs
    assert both.code == 2 and "not both" in both.err
    monkeypatch.delenv("FLYWHEEL_SERVER")
    local = cli(*args)
    assert local.code == 0, local.err
    assert remote.out.replace(remote_batch, "B-X") == local.out.replace(batch_ids(ws)[-1], "B-X")
