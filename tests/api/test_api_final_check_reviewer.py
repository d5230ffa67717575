"""The final spot check over HTTP takes the verdicts of the token's person only: a row naming
another reviewer — even another Quality Evaluator — is rejected by line and nothing is stored for
it; the CLI through the server takes the person's own verdicts as it does locally. Both backends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

Headers = dict[str, dict[str, str]]


def _reviewers(ws: Any, version: str) -> list[str]:
    from dataflywheel.flows.data.versions import get_version
    from dataflywheel.store.repositories.reviews import Reviews

    version_id = get_version(ws, version)[0].id
    with ws.db.session() as s:
        return sorted(r.reviewer_id for r in Reviews(s).list(version_id=version_id))


def _sample(api: TestClient, version: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = api.get(f"/api/v1/versions/{version}/final-check-sheet",
                                          headers=headers).json()["rows"]
    assert len(rows) >= 2
    return rows


def test_a_row_naming_another_reviewer_is_rejected_and_the_callers_own_are_taken(
        api: TestClient, team: Any, seeded: dict[str, str], principals: Headers) -> None:
    from dataflywheel.domain.roles import Role
    from dataflywheel.flows.governance.people import grant_role

    grant_role(team, "algorithm-engineer", Role.QUALITY_EVALUATOR)  # a second evaluator
    version = seeded["versions.version"]
    rows = _sample(api, version, principals["quality-evaluator"])
    before = _reviewers(team, version)
    body = "".join(json.dumps({"record_id": row["record_id"], "reviewer": who, "verdict": "pass"})
                   + "\n" for row, who in zip(rows, ["quality-evaluator", "algorithm-engineer"]))
    answer = api.post(f"/api/v1/versions/{version}/final-check", content=body.encode(),
                      headers={**principals["quality-evaluator"],
                               "content-type": "application/x-ndjson"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["taken"] == 1
    assert answer.json()["rejected"] == [{"line": 2, "reason": (
        "algorithm-engineer is not the person sending these verdicts (quality-evaluator): each "
        "Quality Evaluator sends their own")}]
    assert _reviewers(team, version) == sorted([*before, "quality-evaluator"])


def test_the_cli_through_the_server_takes_the_persons_own_verdicts(
        live_server: Any, api: TestClient, team: Any, seeded: dict[str, str],
        principals: Headers, cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    version = seeded["versions.version"]
    rows = _sample(api, version, principals["quality-evaluator"])
    reviews = tmp_path / "mine.jsonl"
    reviews.write_text(json.dumps({"record_id": rows[0]["record_id"],
                                   "reviewer": "quality-evaluator", "verdict": "pass"}) + "\n")
    monkeypatch.setenv("FLYWHEEL_SERVER", live_server.url)
    monkeypatch.setenv("FLYWHEEL_TOKEN",
                       principals["quality-evaluator"]["Authorization"].split()[1])
    taken = cli("versions", "final-check", version, str(reviews))
    assert taken.code == 0, taken.out + taken.err
    assert taken.out.startswith(f"{version}: 1 verdict(s) taken, ")
    assert "quality-evaluator" in _reviewers(team, version)
