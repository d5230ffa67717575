"""Deliveries over HTTP against the real app and the loopback server: a streamed body or an
allow-listed URL becomes the same batch, report and verdict as `flywheel deliver`; a body over the
cap, bad input, a URL outside the allow-list and a client gone mid-upload store nothing; the CLI
acting through the server streams its file and keeps its output and exit codes."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from server_helpers import assert_envelope
from delivery_helpers import QUERY, batch_ids, objects, sft_jsonl, staged_uploads, through_server
from fastapi.testclient import TestClient

from dataflywheel.flows.workspace import Workspace


def _url(seeded: dict[str, str], tail: str = "") -> str:
    return f"/api/v1/requirements/{seeded['data.requirement']}/deliveries{tail}"


def _served(api: TestClient) -> Workspace:
    return api.app.state.workspace  # type: ignore[attr-defined, no-any-return]


def test_an_uploaded_body_is_delivered_as_the_caller(api: TestClient, seeded: dict[str, str],
                                                     principals: dict[str, dict[str, str]]) -> None:
    from dataflywheel.flows.data.batches import get_batch

    body = sft_jsonl(20)
    answer = api.post(_url(seeded), params=QUERY | {"name": "part-1.jsonl"}, content=body,
                      headers=principals["data-engineer"])
    assert answer.status_code == 201, answer.text
    got = answer.json()
    assert set(got) == {"batch", "files", "issue"}
    batch, files = get_batch(_served(api), got["batch"]["id"])
    assert got["batch"] == batch.model_dump(mode="json")
    assert got["files"] == [f.model_dump(mode="json") for f in files]
    assert batch.state.value == "awaiting_review"  # the SFT contract gates on a spot check
    assert batch.delivered_by_person_id == "data-engineer"  # the caller, when `from` is not given
    assert [f.name for f in files] == ["part-1.jsonl"] and files[0].size_bytes == len(body)
    with _served(api).blobs.open(files[0].sha256) as fh:
        assert fh.read() == body  # byte for byte
    assert staged_uploads(_served(api)) == []


def test_the_actor_is_the_token_person(api: TestClient, seeded: dict[str, str],
                                       principals: dict[str, dict[str, str]]) -> None:
    from sqlalchemy import select

    from dataflywheel.store.tables.audit import AuditEntryRow

    got = api.post(_url(seeded), params=QUERY | {"from": "annotation-engineer"},
                   content=sft_jsonl(10), headers=principals["data-owner"]
                   | {"content-type": "application/x-ndjson"}).json()
    assert got["batch"]["delivered_by_person_id"] == "annotation-engineer"
    assert got["files"][0]["name"] == "delivery.jsonl"  # named after the content type
    with _served(api).db.session() as s:
        actors = set(s.scalars(select(AuditEntryRow.actor).where(
            AuditEntryRow.record_id == got["batch"]["id"])))
    assert actors == {"data-owner"}


def test_a_failed_gate_is_a_stored_batch_with_its_verdict(api: TestClient, seeded: dict[str, str],
                                                          principals: dict[str, dict[str, str]]) -> None:
    answer = api.post(_url(seeded), params=QUERY | {"name": "dups.jsonl"},
                      content=sft_jsonl(30, duplicate=True), headers=principals["data-engineer"])
    assert answer.status_code == 201
    got = answer.json()
    assert got["batch"]["state"] == "failed"
    assert "duplicate_rate" in got["batch"]["failure_reason"]
    assert got["issue"] is not None and got["issue"]["id"].startswith("ISS-")


@pytest.mark.parametrize("chunked", [False, True], ids=["declared", "streamed"])
def test_a_body_over_the_cap_is_413_and_stores_nothing(api: TestClient, seeded: dict[str, str],
                                                        principals: dict[str, dict[str, str]],
                                                        chunked: bool) -> None:
    ws = _served(api)
    ws.settings.upload_max_bytes = 1000
    before = (batch_ids(ws), objects(ws))
    body = sft_jsonl(40)
    content: Any = iter([body[i:i + 500] for i in range(0, len(body), 500)]) if chunked else body
    answer = api.post(_url(seeded), params=QUERY | {"name": "big.jsonl"}, content=content,
                      headers=principals["data-engineer"])
    error = assert_envelope(answer, 413, "request body too large")
    assert "at most 1000 bytes" in error["error"] and "nothing was stored" in error["error"]
    assert (batch_ids(ws), objects(ws)) == before
    assert staged_uploads(ws) == []


@pytest.mark.parametrize(("params", "body", "status", "needle"), [
    ({"name": "notes.txt"}, b'{"a": 1}\n', 400, "notes.txt: unknown file format"),
    ({"name": "../x.jsonl"}, b'{"a": 1}\n', 400, "cannot deliver a file named '../x.jsonl'"),
    ({}, b'{"a": 1}\n', 400, "cannot tell the format of the uploaded file"),
    ({"name": "empty.jsonl"}, b"", 400, "empty.jsonl"),
    ({"name": "a.jsonl", "dataset": "no-such-set"}, b'{"a": 1}\n', 404, "no-such-set"),
    ({"name": "a.jsonl", "from": "nobody"}, b'{"a": 1}\n', 404,
     "deliverer 'nobody' is neither a person nor a vendor"),
], ids=["format", "name", "no-name", "empty", "dataset", "deliverer"])
def test_bad_input_is_refused_and_stores_nothing(api: TestClient, seeded: dict[str, str],
                                                 principals: dict[str, dict[str, str]],
                                                 params: dict[str, str], body: bytes, status: int,
                                                 needle: str) -> None:
    ws = _served(api)
    before = (batch_ids(ws), objects(ws))
    answer = api.post(_url(seeded), params=QUERY | params, content=body,
                      headers=principals["data-engineer"] | {"content-type": "application/octet-stream"})
    assert_envelope(answer, status, needle)
    assert str(ws.settings.workspace) not in answer.text  # no server path in the answer
    assert (batch_ids(ws), objects(ws)) == before and staged_uploads(ws) == []


def test_a_requirement_that_takes_no_deliveries_is_409(api: TestClient, team: Workspace,
                                                       principals: dict[str, dict[str, str]]) -> None:
    from dataflywheel.domain.records.demand import Priority, RequirementKind
    from dataflywheel.flows.demand.requirements import submit_requirement

    req = submit_requirement(team, title="not triaged", project_id="P-TEST",
                             requester_id="algorithm-engineer", kind=RequirementKind.NEW_DATA,
                             priority=Priority.P2)
    answer = api.post(f"/api/v1/requirements/{req.id}/deliveries",
                      params=QUERY | {"name": "a.jsonl"}, content=sft_jsonl(3),
                      headers=principals["data-engineer"])
    assert_envelope(answer, 409, f"requirement {req.id} is submitted: it takes no deliveries")


def test_an_outsider_may_not_deliver(api: TestClient, seeded: dict[str, str],
                                     principals: dict[str, dict[str, str]]) -> None:
    ws = _served(api)
    before = batch_ids(ws)
    answer = api.post(_url(seeded), params=QUERY | {"name": "a.jsonl"}, content=sft_jsonl(3),
                      headers=principals["outsider"])
    assert_envelope(answer, 403, "outsider may not do this in project P-TEST")
    assert batch_ids(ws) == before


# --- from a URL ---------------------------------------------------------------------------------


def test_a_url_in_the_workspace_store_is_delivered(api: TestClient, seeded: dict[str, str],
                                                   principals: dict[str, dict[str, str]]) -> None:
    ws = _served(api)
    drop = Path(ws.settings.objects_root) / "incoming"
    drop.mkdir()
    (drop / "part-2.jsonl").write_bytes(sft_jsonl(12))
    answer = api.post(_url(seeded, "/from-url"), params=QUERY,
                      json={"url": (drop / "part-2.jsonl").as_uri()},
                      headers=principals["data-engineer"])
    assert answer.status_code == 201, answer.text
    assert answer.json()["files"][0]["name"] == "part-2.jsonl"
    assert staged_uploads(ws) == []


@pytest.mark.parametrize("where", ["outside", "dotdot", "symlink", "chained", "query", "plain"])
def test_a_url_outside_the_allow_list_is_refused(api: TestClient, seeded: dict[str, str],
                                                 principals: dict[str, dict[str, str]],
                                                 tmp_path: Path, where: str) -> None:
    ws = _served(api)
    secret = tmp_path / "secret.jsonl"
    secret.write_bytes(sft_jsonl(5))
    objects_root = Path(ws.settings.objects_root)
    link = objects_root / "link.jsonl"
    link.symlink_to(secret)
    url = {"outside": secret.as_uri(),
           "dotdot": objects_root.as_uri() + "/../../../secret.jsonl",
           "symlink": link.as_uri(),
           "chained": "simplecache::" + secret.as_uri(),
           "query": objects_root.as_uri() + "/x.jsonl?version=2",
           "plain": str(secret)}[where]
    before = (batch_ids(ws), objects(ws))
    answer = api.post(_url(seeded, "/from-url"), params=QUERY, json={"url": url},
                      headers=principals["data-engineer"])
    error = assert_envelope(answer, 400, "the server does not read deliveries from")
    assert "FLYWHEEL_FETCH_ALLOW" in error["error"] and "nothing was stored" in error["error"]
    assert (batch_ids(ws), objects(ws)) == before


def test_an_allowed_prefix_is_read_through_fsspec(api: TestClient, seeded: dict[str, str],
                                                  principals: dict[str, dict[str, str]]) -> None:
    import fsspec  # type: ignore[import-untyped]

    ws = _served(api)
    memory = fsspec.filesystem("memory")
    memory.pipe("/drop-test/part-3.jsonl", sft_jsonl(8))
    memory.pipe("/elsewhere/part-4.jsonl", sft_jsonl(8))
    try:
        refused = api.post(_url(seeded, "/from-url"), params=QUERY,
                           json={"url": "memory://drop-test/part-3.jsonl"},
                           headers=principals["data-engineer"])
        assert_envelope(refused, 400, "the server does not read deliveries from")
        ws.settings.fetch_allow = ["memory://drop-test/"]
        answer = api.post(_url(seeded, "/from-url"), params=QUERY,
                          json={"url": "memory://drop-test/part-3.jsonl"},
                          headers=principals["data-engineer"])
        assert answer.status_code == 201, answer.text
        assert answer.json()["files"][0]["size_bytes"] == len(sft_jsonl(8))
        before = (batch_ids(ws), objects(ws))
        other = api.post(_url(seeded, "/from-url"), params=QUERY,
                         json={"url": "memory://elsewhere/part-4.jsonl"},
                         headers=principals["data-engineer"])
        assert_envelope(other, 400, "the server does not read deliveries from")
        missing = api.post(_url(seeded, "/from-url"), params=QUERY,
                           json={"url": "memory://drop-test/none.jsonl"},
                           headers=principals["data-engineer"])
        assert_envelope(missing, 400, "no object at this URL")
        ws.settings.upload_max_bytes = 100
        big = api.post(_url(seeded, "/from-url"), params=QUERY,
                       json={"url": "memory://drop-test/part-3.jsonl"},
                       headers=principals["data-engineer"])
        assert_envelope(big, 400, "the object is larger than this server takes")
        assert (batch_ids(ws), objects(ws)) == before and staged_uploads(ws) == []
    finally:
        memory.rm("/drop-test", recursive=True)
        memory.rm("/elsewhere", recursive=True)


# --- the real server: a client gone mid-upload, the CLI through it -----------------------------


def test_a_client_gone_mid_upload_leaves_no_batch_and_no_blob(live_server: Any,
                                                              seeded: dict[str, str],
                                                              principals: dict[str, dict[str, str]],
                                                              settings: Any) -> None:
    ws = live_server.app.state.workspace
    before = (batch_ids(ws), objects(ws))
    host, port = live_server.url.removeprefix("http://").split(":")
    query = "&".join(f"{k}={v}" for k, v in (QUERY | {"name": "cut.jsonl"}).items())
    head = (f"POST {_url(seeded)}?{query} HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: {principals['data-engineer']['Authorization']}\r\n"
            f"Content-Type: application/octet-stream\r\nContent-Length: 5000000\r\n\r\n")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(head.encode() + sft_jsonl(200))
        deadline = time.monotonic() + 10
        while not staged_uploads(ws) and time.monotonic() < deadline:
            time.sleep(0.02)  # the upload has begun: its staging folder exists
        assert staged_uploads(ws)
    deadline = time.monotonic() + 10
    while staged_uploads(ws) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert staged_uploads(ws) == []
    assert (batch_ids(ws), objects(ws)) == before


def test_the_cli_streams_its_file_through_the_server(cli: Any, live_server: Any,
                                                     seeded: dict[str, str],
                                                     principals: dict[str, dict[str, str]],
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    from dataflywheel.flows.data.batches import get_batch

    path = tmp_path / "vendor-7.jsonl"
    path.write_bytes(sft_jsonl(25, seed=9))
    args = ["deliver", str(path), "--dataset", "api-sft", "--contract", QUERY["contract"],
            "--requirement", seeded["data.requirement"], "--from", "annotation-engineer"]
    through_server(monkeypatch, live_server, principals["annotation-engineer"])
    remote = cli(*args, "--json")
    assert remote.code == 0, remote.err
    got = remote.json()
    batch, files = get_batch(live_server.app.state.workspace, got["batch"]["id"])
    assert got == {"batch": batch.model_dump(mode="json"),
                   "files": [f.model_dump(mode="json") for f in files], "issue": None}
    assert files[0].name == "vendor-7.jsonl" and files[0].size_bytes == path.stat().st_size
    printed = cli(*args)  # the same bytes again: a second batch, printed as locally
    monkeypatch.delenv("FLYWHEEL_SERVER")
    local = cli(*args)
    assert printed.code == local.code == 0
    second, third = batch_ids(live_server.app.state.workspace)[-2:]
    assert printed.out.replace(second, "B-X") == local.out.replace(third, "B-X")
    assert "awaiting review" in printed.out and "Next: flywheel batches review-sheet" in printed.out


def test_the_cli_through_the_server_keeps_exit_codes(cli: Any, live_server: Any,
                                                     seeded: dict[str, str],
                                                     principals: dict[str, dict[str, str]],
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    dups = tmp_path / "dups.jsonl"
    dups.write_bytes(sft_jsonl(30, duplicate=True))
    args = ["deliver", str(dups), "--dataset", "api-sft", "--contract", QUERY["contract"],
            "--requirement", seeded["data.requirement"], "--from", "data-engineer"]
    through_server(monkeypatch, live_server, principals["data-engineer"])
    failed = cli(*args)
    assert failed.code == 1  # a failed gate, as locally
    assert " failed]: " not in failed.out and "failed: 30 records in 1 file(s)" in failed.out
    assert "opened P" in failed.out
    through_server(monkeypatch, live_server, principals["outsider"])
    refused = cli(*args)
    assert refused.code == 2
    assert "outsider may not do this in project P-TEST" in " ".join(refused.err.split())
    through_server(monkeypatch, live_server, principals["data-engineer"])
    two = cli("deliver", str(dups), str(dups), *args[2:])
    assert two.code == 2 and "two delivered files are both named 'dups.jsonl'" in \
        " ".join(two.err.split())  # refused before anything is sent, as locally
    missing = cli("deliver", str(tmp_path / "none.jsonl"), *args[2:])
    assert missing.code == 2 and "file not found" in missing.err
    assert httpx.get(live_server.url + "/api/v1/me",
                     headers=principals["data-engineer"]).status_code == 200
