"""Batches and lineage over HTTP: the same flows and report queries as `flywheel batches …` and
`flywheel lineage …`, the same JSON as their `--json` (lists paged), the report byte for byte or as
Markdown, the review sheet and the reviews; `flywheel batches review` acting through the server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from server_helpers import assert_envelope
from delivery_helpers import QUERY, sft_jsonl, staged_uploads, through_server
from fastapi.testclient import TestClient

from dataflywheel.flows.workspace import Workspace


def _served(api: TestClient) -> Workspace:
    return api.app.state.workspace  # type: ignore[attr-defined, no-any-return]


def _deliver(api: TestClient, seeded: dict[str, str], headers: dict[str, str], *,
             duplicate: bool = False) -> dict[str, Any]:
    answer = api.post(f"/api/v1/requirements/{seeded['data.requirement']}/deliveries",
                      params=QUERY | {"name": "more.jsonl"}, headers=headers,
                      content=sft_jsonl(30, seed=11, duplicate=duplicate))
    assert answer.status_code == 201, answer.text
    return answer.json()["batch"]  # type: ignore[no-any-return]


def test_list_pages_and_filters_like_the_cli(api: TestClient, cli: Any, seeded: dict[str, str],
                                             principals: dict[str, dict[str, str]]) -> None:
    headers = principals["data-engineer"]
    failed = _deliver(api, seeded, headers, duplicate=True)
    mine = {"dataset": seeded["data.dataset"]}  # other pools' seeds deliver batches too
    first = api.get("/api/v1/batches", params={"limit": 1, **mine}, headers=headers).json()
    assert [b["id"] for b in first["items"]] == [seeded["data.batch"]]
    assert first["remaining"] == 1 and first["next_cursor"]
    second = api.get("/api/v1/batches", params={"limit": 1, "cursor": first["next_cursor"], **mine},
                     headers=headers).json()
    assert [b["id"] for b in second["items"]] == [failed["id"]] and second["next_cursor"] is None
    whole = api.get("/api/v1/batches", headers=headers).json()["items"]
    assert whole == cli("batches", "list", "--json").json()
    [seeded_batch] = [b for b in whole if b["id"] == seeded["data.batch"]]
    assert seeded_batch["source"] == "annotation-engineer"
    only = api.get("/api/v1/batches", params={"state": "failed", "dataset": seeded["data.dataset"]},
                   headers=headers).json()["items"]
    assert [b["id"] for b in only] == [failed["id"]]
    bad = api.get("/api/v1/batches", params={"cursor": "nonsense"}, headers=headers)
    assert_envelope(bad, 400, "not a cursor of this list")
    refused = api.get("/api/v1/batches", headers=principals["outsider"])
    assert_envelope(refused, 403, "outsider may not do this")


def test_show_and_report_answer_what_the_cli_prints(api: TestClient, cli: Any,
                                                    seeded: dict[str, str],
                                                    principals: dict[str, dict[str, str]]) -> None:
    headers, batch = principals["quality-evaluator"], seeded["data.batch"]
    shown = api.get(f"/api/v1/batches/{batch}", headers=headers)
    assert shown.json() == cli("batches", "show", batch, "--json").json()
    report = api.get(f"/api/v1/batches/{batch}/report", headers=headers)
    assert report.headers["content-type"] == "application/json"
    assert report.text == cli("batches", "report", batch).out  # byte for byte as stored
    markdown = cli("batches", "report", batch, "--markdown").out
    by_accept = api.get(f"/api/v1/batches/{batch}/report", headers=headers | {"accept": "text/markdown"})
    assert by_accept.headers["content-type"].startswith("text/markdown")
    assert by_accept.text == markdown
    assert api.get(f"/api/v1/batches/{batch}/report", params={"format": "md"},
                   headers=headers).text == markdown
    missing = api.get("/api/v1/batches/B-9999", headers=headers)
    assert_envelope(missing, 404, "batch B-9999 does not exist")
    bad = api.get(f"/api/v1/batches/{batch}/report", params={"format": "pdf"}, headers=headers)
    assert_envelope(bad, 400, "format")


def test_review_sheet_is_the_sample_the_cli_writes(api: TestClient, cli: Any,
                                                    seeded: dict[str, str], tmp_path: Path,
                                                    principals: dict[str, dict[str, str]]) -> None:
    batch = seeded["data.batch"]
    sheet = api.get(f"/api/v1/batches/{batch}/review-sheet",
                    headers=principals["quality-evaluator"]).json()
    out = tmp_path / "sheet.jsonl"
    assert cli("batches", "review-sheet", batch, "--out", str(out)).code == 0
    assert sheet["batch"] == batch
    assert sheet["lines"] == [json.loads(line) for line in out.read_text().splitlines()]
    assert len(sheet["lines"]) == 50


def _verdicts(lines: list[dict[str, Any]], verdict: str = "pass") -> bytes:
    return "".join(json.dumps(line | {"reviewer": "quality-evaluator", "verdict": verdict}) + "\n"
                   for line in lines).encode()


def test_reviews_posted_as_a_file_settle_the_batch(api: TestClient, seeded: dict[str, str],
                                                   principals: dict[str, dict[str, str]]) -> None:
    from dataflywheel.flows.data.batches import get_batch

    headers, batch = principals["quality-evaluator"], seeded["data.batch"]
    lines = api.get(f"/api/v1/batches/{batch}/review-sheet", headers=headers).json()["lines"]
    body = _verdicts(lines) + b'{"record_id": "nope", "reviewer": "quality-evaluator", "verdict": "pass"}\n'
    answer = api.post(f"/api/v1/batches/{batch}/review", params={"name": "qe.jsonl"},
                      content=body, headers=headers | {"content-type": "application/x-ndjson"})
    assert answer.status_code == 200, answer.text
    got = answer.json()
    assert got["state"] == "passed" and got["taken"] == 50
    assert got["rejected"] == [{"line": 51, "reason": "record 'nope' is not in the review sample"}]
    with _served(api).blobs.open(got["file_sha256"]) as fh:
        assert fh.read() == body  # stored byte for byte
    assert get_batch(_served(api), batch)[0].state.value == "passed"
    again = api.post(f"/api/v1/batches/{batch}/review", content=body, headers=headers)
    assert_envelope(again, 409, "only a batch awaiting review takes reviews")
    sheet = api.get(f"/api/v1/batches/{batch}/review-sheet", headers=headers)
    assert_envelope(sheet, 409, "only a batch awaiting review takes reviews")
    assert staged_uploads(_served(api)) == []


def test_reviews_over_the_cap_are_413(api: TestClient, seeded: dict[str, str],
                                      principals: dict[str, dict[str, str]]) -> None:
    api.app.state.max_body_bytes = 100  # type: ignore[attr-defined]
    answer = api.post(f"/api/v1/batches/{seeded['data.batch']}/review", content=b"x" * 500,
                      headers=principals["quality-evaluator"])
    assert_envelope(answer, 413, "request body too large")
    from dataflywheel.store.repositories.reviews import Reviews

    with _served(api).db.session() as s:
        assert Reviews(s).list(batch_id=seeded["data.batch"]) == []


def test_cli_review_through_the_server(cli: Any, live_server: Any, seeded: dict[str, str],
                                       principals: dict[str, dict[str, str]], tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from dataflywheel.flows.data.reviews import review_sheet_rows

    ws, batch = live_server.app.state.workspace, seeded["data.batch"]
    lines = review_sheet_rows(ws, batch)
    half = tmp_path / "half.csv"
    half.write_text("record_id,reviewer,verdict\n" + "".join(
        f"{line['record_id']},quality-evaluator,fail\n" for line in lines[:10])
        + "x,nobody,pass\n")
    through_server(monkeypatch, live_server, principals["outsider"])
    refused = cli("batches", "review", batch, str(half))
    assert refused.code == 2 and "outsider may not do this" in " ".join(refused.err.split())
    through_server(monkeypatch, live_server, principals["quality-evaluator"])
    partial = cli("batches", "review", batch, str(half), "--json")
    assert partial.code == 2  # a rejected row, the good rows kept: as locally
    got = partial.json()
    assert got["taken"] == 10 and got["state"] == "awaiting_review"
    assert got["rejected"] == [{"line": 12, "reason": "nobody is not the person sending these "
                                                      "verdicts (quality-evaluator): each reviewer "
                                                      "sends their own"}]
    rest = tmp_path / "rest.jsonl"
    rest.write_bytes(_verdicts(lines[10:], "fail"))
    failed = cli("batches", "review", batch, str(rest))
    assert failed.code == 1  # the batch failed its gates after review
    assert f"{batch}: 40 review(s) taken; state failed" in failed.out
    assert "filed issue ISS-" in failed.out
    from dataflywheel.store.repositories.reviews import Reviews

    with ws.db.session() as s:
        sources = {r.source.split(":")[0] for r in Reviews(s).list(batch_id=batch)}
    assert sources == {"half.csv", "rest.jsonl"}  # the file's own name, as locally


# --- lineage ------------------------------------------------------------------------------------


def test_lineage_answers_what_the_cli_prints(api: TestClient, cli: Any, seeded: dict[str, str],
                                             principals: dict[str, dict[str, str]]) -> None:
    headers = principals["algorithm-engineer"]
    for path, args in (
            (f"versions/{seeded['data.version']}", ("version", seeded["data.version"])),
            (f"batches/{seeded['data.batch']}", ("batch", seeded["data.batch"])),
            (f"requirements/{seeded['data.requirement']}", ("requirement", seeded["data.requirement"]))):
        answer = api.get(f"/api/v1/lineage/{path}", headers=headers)
        assert answer.status_code == 200, answer.text
        assert answer.json() == cli("lineage", *args, "--json").json()
    checked = api.get("/api/v1/lineage/checked", params={"contract": QUERY["contract"]},
                      headers=headers).json()
    assert checked["items"] == cli("lineage", "checked", "--contract", QUERY["contract"],
                                   "--json").json()
    assert [b["id"] for b in checked["items"]] == [seeded["data.batch"]]
    neither = api.get("/api/v1/lineage/checked", headers=headers)
    assert_envelope(neither, 400, "name exactly one of a contract version or a guide version")
    assert_envelope(api.get("/api/v1/lineage/batches/B-9999", headers=headers), 404, "B-9999")
    assert_envelope(api.get(f"/api/v1/lineage/batches/{seeded['data.batch']}",
                            headers=principals["outsider"]), 403, "outsider may not do this")


def test_lineage_events_are_paged(api: TestClient, cli: Any, seeded: dict[str, str],
                                  principals: dict[str, dict[str, str]]) -> None:
    headers = principals["platform-engineer"]
    _deliver(api, seeded, principals["data-engineer"])
    everything = cli("lineage", "events", "--json").json()
    assert len(everything) >= 4  # deliver + check, for the seeded batch and this one
    pages, cursor = [], None
    while True:
        page = api.get("/api/v1/lineage/events", headers=headers,
                       params={"limit": 3} | ({"cursor": cursor} if cursor else {})).json()
        pages.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            assert page["remaining"] == 0
            break
    assert pages == everything
    bad = api.get("/api/v1/lineage/events", params={"cursor": "WzEwMDAwMDBd"}, headers=headers)
    assert_envelope(bad, 400, "not a cursor of this list")
