"""A batch's reviews over HTTP are the token's person's own, as the final spot check's are: a row
naming another reviewer — even another Quality Evaluator — is rejected by its line and nothing is
stored for it; a row with an empty reviewer is the caller's. The CLI through the server does the
same; locally a reviews file still names its reviewers. Both backends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from delivery_helpers import through_server
from fastapi.testclient import TestClient

Headers = dict[str, dict[str, str]]
NOT_YOURS = ("{} is not the person sending these verdicts (quality-evaluator): each reviewer "
             "sends their own")


def _reviews(ws: Any, batch: str) -> list[tuple[str, str]]:
    from dataflywheel.store.repositories.reviews import Reviews

    with ws.db.session() as s:
        return sorted((r.record_id, r.reviewer_id) for r in Reviews(s).list(batch_id=batch))


def _lines(api: TestClient, batch: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = api.get(f"/api/v1/batches/{batch}/review-sheet",
                                          headers=headers).json()["lines"]
    return lines


def test_a_row_naming_another_reviewer_is_refused_and_an_empty_one_is_the_callers(
        api: TestClient, team: Any, seeded: dict[str, str], principals: Headers) -> None:
    from dataflywheel.domain.roles import Role
    from dataflywheel.flows.governance.people import grant_role

    grant_role(team, "algorithm-engineer", Role.QUALITY_EVALUATOR)  # another evaluator
    batch, headers = seeded["data.batch"], principals["quality-evaluator"]
    lines = _lines(api, batch, headers)
    ids = [str(line["record_id"]) for line in lines[:4]]
    rows = [{"record_id": ids[0], "reviewer": "algorithm-engineer", "verdict": "pass"},
            {"record_id": ids[1], "reviewer": "", "verdict": "pass"},
            {"record_id": ids[2], "verdict": "fail"},
            {"record_id": ids[3], "reviewer": "quality-evaluator", "verdict": "pass"},
            {"record_id": ids[0], "reviewer": "data-owner", "verdict": "fail"}]
    body = "".join(json.dumps(row) + "\n" for row in rows).encode()
    answer = api.post(f"/api/v1/batches/{batch}/review", content=body,
                      headers=headers | {"content-type": "application/x-ndjson"})
    assert answer.status_code == 200, answer.text
    got = answer.json()
    assert got["taken"] == 3 and got["state"] == "awaiting_review"
    assert got["rejected"] == [{"line": 1, "reason": NOT_YOURS.format("algorithm-engineer")},
                               {"line": 5, "reason": NOT_YOURS.format("data-owner")}]
    assert _reviews(team, batch) == sorted((i, "quality-evaluator") for i in ids[1:])


def test_a_csv_with_an_empty_reviewer_column_is_the_callers(
        api: TestClient, team: Any, seeded: dict[str, str], principals: Headers) -> None:
    batch, headers = seeded["data.batch"], principals["quality-evaluator"]
    first, second = (str(line["record_id"]) for line in _lines(api, batch, headers)[:2])
    body = f"record_id,reviewer,verdict\n{first},,pass\n{second},data-engineer,pass\n"
    answer = api.post(f"/api/v1/batches/{batch}/review", content=body.encode(),
                      headers=headers | {"content-type": "text/csv"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["rejected"] == [{"line": 3, "reason": NOT_YOURS.format("data-engineer")}]
    assert _reviews(team, batch) == [(first, "quality-evaluator")]


def test_a_file_of_someone_elses_verdicts_only_stores_nothing(
        api: TestClient, team: Any, seeded: dict[str, str], principals: Headers) -> None:
    batch, headers = seeded["data.batch"], principals["quality-evaluator"]
    body = "".join(json.dumps({"record_id": line["record_id"], "reviewer": "data-owner",
                               "verdict": "pass"}) + "\n"
                   for line in _lines(api, batch, headers)).encode()
    answer = api.post(f"/api/v1/batches/{batch}/review", content=body,
                      headers=headers | {"content-type": "application/x-ndjson"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["taken"] == 0 and len(answer.json()["rejected"]) == 50
    assert answer.json()["state"] == "awaiting_review"
    assert _reviews(team, batch) == []


def test_the_cli_through_the_server_sends_only_the_persons_own(
        cli: Any, live_server: Any, seeded: dict[str, str], principals: Headers,
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from dataflywheel.flows.data.reviews import review_sheet_rows

    ws, batch = live_server.app.state.workspace, seeded["data.batch"]
    first, second = (str(line["record_id"]) for line in review_sheet_rows(ws, batch)[:2])
    reviews = tmp_path / "mine.csv"
    reviews.write_text(f"record_id,reviewer,verdict\n{first},,pass\n{second},data-owner,pass\n")
    through_server(monkeypatch, live_server, principals["quality-evaluator"])
    remote = cli("batches", "review", batch, str(reviews), "--json")
    assert remote.code == 2, remote.out + remote.err  # a rejected row, the good one kept
    assert remote.json()["rejected"] == [{"line": 3, "reason": NOT_YOURS.format("data-owner")}]
    assert _reviews(ws, batch) == [(first, "quality-evaluator")]


def test_the_final_check_takes_an_empty_reviewer_as_the_caller(
        api: TestClient, team: Any, seeded: dict[str, str], principals: Headers) -> None:
    from dataflywheel.flows.data.versions import get_version
    from dataflywheel.store.repositories.reviews import Reviews

    version, headers = seeded["versions.version"], principals["quality-evaluator"]
    row = api.get(f"/api/v1/versions/{version}/final-check-sheet", headers=headers).json()["rows"][0]
    body = json.dumps({"record_id": row["record_id"], "verdict": "pass"}) + "\n"
    answer = api.post(f"/api/v1/versions/{version}/final-check", content=body.encode(),
                      headers=headers | {"content-type": "application/x-ndjson"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["taken"] == 1 and answer.json()["rejected"] == []
    with team.db.session() as s:
        taken = Reviews(s).list(version_id=get_version(team, version)[0].id)
    assert [(r.record_id, r.reviewer_id) for r in taken if r.record_id == row["record_id"]] == [
        (row["record_id"], "quality-evaluator")]
