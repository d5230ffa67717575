"""The Monday sync over HTTP: the bytes `flywheel report monday` prints for the same records, as
JSON, Markdown or HTML; a team-wide sync for team-wide roles, a project's for its members; a week
that is not ISO is a 400, an unknown project a 404. The reports due and not sent, as `flywheel
report due --json` lists them; sending them once, by the Data Owner or the Platform Engineer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from server_helpers import assert_envelope


def test_the_api_answers_what_the_cli_prints(
        api: TestClient, principals: dict[str, dict[str, str]], cli: Any) -> None:
    for report in ("monday", "wednesday", "friday"):
        for fmt in ("json", "markdown", "html"):
            got = api.get(f"/api/v1/reports/{report}", headers=principals["data-owner"],
                          params={"week": "2026-W50", "project": "P-TEST", "format": fmt})
            assert got.status_code == 200, got.text
            printed = cli("report", report, "--week", "2026-W50", "--project", "P-TEST",
                          "--format", fmt)
            assert printed.code == 0, printed.err
            assert got.text == printed.out
        assert got.headers["content-type"].startswith("text/html")
    monthly = api.get("/api/v1/reports/monthly", headers=principals["data-owner"],
                      params={"month": "2026-11", "format": "markdown"})
    assert monthly.status_code == 200, monthly.text
    assert monthly.text == cli("report", "monthly", "--month", "2026-11").out
    quarterly = api.get("/api/v1/reports/quarterly", headers=principals["data-owner"],
                        params={"quarter": "2026-Q4", "format": "markdown"})
    assert quarterly.status_code == 200, quarterly.text
    assert quarterly.text == cli("report", "quarterly", "--quarter", "2026-Q4").out


def test_who_may_read_it_and_bad_input(api: TestClient,
                                       principals: dict[str, dict[str, str]]) -> None:
    outsider = principals["outsider"]
    assert_envelope(api.get("/api/v1/reports/monday", headers=outsider), 403, "may not")
    assert_envelope(api.get("/api/v1/reports/monday", params={"project": "P-TEST"},
                            headers=outsider), 403, "in project P-TEST")
    assert api.get("/api/v1/reports/monday", params={"project": "P-OTHER"},
                   headers=outsider).status_code == 200
    owner = principals["data-owner"]
    assert_envelope(api.get("/api/v1/reports/monday", params={"week": "2026-48"},
                            headers=owner), 400, "not an ISO week")
    assert_envelope(api.get("/api/v1/reports/monday", params={"project": "P-NONE"},
                            headers=owner), 404, "P-NONE")
    assert_envelope(api.get("/api/v1/reports/monday", params={"format": "pdf"},
                            headers=owner), 400, "format")
    assert_envelope(api.get("/api/v1/reports/wednesday", params={"week": "W1"},
                            headers=owner), 400, "not an ISO week")
    assert_envelope(api.get("/api/v1/reports/wednesday", headers=outsider), 403, "may not")
    assert_envelope(api.get("/api/v1/reports/monthly", params={"month": "11/2026"},
                            headers=owner), 400, "not a month")
    assert_envelope(api.get("/api/v1/reports/quarterly", params={"quarter": "Q4"},
                            headers=owner), 400, "not a quarter")


def test_the_due_reports_over_http(api: TestClient, principals: dict[str, dict[str, str]],
                                   cli: Any) -> None:
    window = {"since": "2026-11-27", "now": "2026-12-02T12:00"}
    listed = api.get("/api/v1/reports/due", params=window, headers=principals["data-owner"])
    assert listed.status_code == 200, listed.text
    printed = cli("report", "due", "--since", window["since"], "--now", window["now"], "--json")
    assert listed.json() == printed.json()
    assert [(d["report"], d["period"]) for d in listed.json()["due"]] == [
        ("friday", "2026-W48"), ("monday", "2026-W49"), ("monthly", "2026-11"),
        ("wednesday", "2026-W49")]

    # the server's clock decides: from three days ago, a Monday, Wednesday or Friday fell due
    since = (datetime.now(UTC) - timedelta(days=3)).date().isoformat()
    due = api.get("/api/v1/reports/due", params={"since": since},
                  headers=principals["platform-engineer"]).json()["due"]
    assert due
    sent = api.post("/api/v1/reports/due/send", params={"since": since},
                    headers=principals["platform-engineer"])
    assert sent.status_code == 200, sent.text
    assert [(s["report"], s["period"], s["error"]) for s in sent.json()["sent"]] == [
        (d["report"], d["period"], None) for d in due]
    again = api.post("/api/v1/reports/due/send", params={"since": since},
                     headers=principals["data-owner"])
    assert again.status_code == 200 and again.json()["sent"] == []
    assert api.get("/api/v1/reports/due", params={"since": since},
                   headers=principals["data-owner"]).json()["due"] == []


def test_who_may_send_the_due_reports_and_bad_input(
        api: TestClient, principals: dict[str, dict[str, str]]) -> None:
    since = {"since": "2026-11-27"}
    assert_envelope(api.post("/api/v1/reports/due/send", params=since,
                             headers=principals["data-engineer"]), 403,
                    "only a data_owner or platform_engineer")
    assert_envelope(api.post("/api/v1/reports/due/send", params=since,
                             headers=principals["outsider"]), 403, "may not")  # P-OTHER only
    assert_envelope(api.get("/api/v1/reports/due", headers=principals["outsider"]), 403,
                    "team-wide role")
    owner = principals["data-owner"]
    assert_envelope(api.get("/api/v1/reports/due", params={"now": "noon"}, headers=owner),
                    400, "not an ISO date or date-time; field 'now'")
    assert_envelope(api.post("/api/v1/reports/due/send", params={"since": "2999-01-01"},
                             headers=owner), 400, "the start is after the end; field 'since'")
    assert api.get("/api/v1/reports/due", params=since, headers=owner).json()["due"]  # unsent
