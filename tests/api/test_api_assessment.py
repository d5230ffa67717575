"""The self-assessment over HTTP: the same bytes `flywheel assess` prints for the same records,
for a team-wide role only; bad input is a 400 naming what was expected."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from server_helpers import assert_envelope

AS_OF = "2026-11-30T12:00:00+00:00"


def test_the_api_and_the_cli_give_the_same_assessment(
        api: TestClient, principals: dict[str, dict[str, str]], cli: Any) -> None:
    for fmt in ("json", "markdown", "html"):
        got = api.get("/api/v1/assessment", headers=principals["data-owner"],
                      params={"as_of": AS_OF, "format": fmt})
        assert got.status_code == 200, got.text
        printed = cli("assess", "--as-of", AS_OF, "--format", fmt)
        assert printed.code == 0, printed.err
        assert got.text == printed.out


def test_only_a_team_wide_role_may_ask_and_bad_input_is_a_400(
        api: TestClient, principals: dict[str, dict[str, str]]) -> None:
    assert_envelope(api.get("/api/v1/assessment", headers=principals["outsider"]), 403,
                    "a person holding a team-wide role")
    assert_envelope(api.get("/api/v1/assessment"), 401, "missing bearer token")
    owner = principals["data-owner"]
    assert_envelope(api.get("/api/v1/assessment", params={"window_days": 3}, headers=owner),
                    400, "window_days")
    assert_envelope(api.get("/api/v1/assessment", params={"as_of": "2026-11-30T12:00:00"},
                            headers=owner), 400, "as_of")
