"""Annotation guides over HTTP: the same flows and answers as `flywheel guides`, acted as the
token's person; a file sent as JSON text is kept as the same bytes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi.testclient import TestClient
from guide_helpers import guide_text, next_version

from server_helpers import assert_envelope

if TYPE_CHECKING:
    from dataflywheel.flows.workspace import Workspace


def test_change_faq_show_and_diff_as_the_token_person(
        api: TestClient, principals: dict[str, dict[str, str]], team: Workspace,
        seeded: dict[str, str], cli: Any) -> None:
    from dataflywheel.flows.contracts.guides import read_file

    text = guide_text(next_version()).replace("\n", "\r\n")
    made = api.post("/api/v1/guides/sft-guide/versions", json={"document": text},
                    headers=principals["annotation-engineer"])
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["version"]["id"] == "sft-guide@1.3.0"
    assert body["version"]["author_id"] == "annotation-engineer"
    assert body["version"]["examples_changed"] == ["EX-2", "EX-4"]
    assert body["notices"] and all(n["kind"] == "guide_change" for n in body["notices"])
    assert read_file(team, "sft-guide@1.3.0") == text.encode()
    faq = api.post("/api/v1/guides/sft-guide/versions/1.3.0/faq",
                   json={"question": "Does a repeated item count?", "answer": "No: EX-4."},
                   headers=principals["quality-evaluator"])
    assert faq.status_code == 201 and faq.json()["answered_by"] == "quality-evaluator"
    shown = api.get("/api/v1/guides/sft-guide/versions/1.3.0", headers=principals["outsider"])
    assert shown.json() == cli("guides", "show", "sft-guide@1.3.0", "--json").json()
    diff = api.get("/api/v1/guides/sft-guide/diff", params={"old": "1.2.0", "new": "1.3.0"},
                   headers=principals["outsider"]).json()
    assert diff["diff"]["changes"][0]["path"] == "examples.EX-2"
    listed = api.get("/api/v1/guides", headers=principals["outsider"]).json()
    assert [v["id"] for v in listed] == ["sft-guide@1.2.0", "sft-guide@1.3.0"]


def test_only_an_annotation_engineer_changes_a_guide_and_bad_files_store_nothing(
        api: TestClient, principals: dict[str, dict[str, str]], team: Workspace,
        seeded: dict[str, str]) -> None:
    from dataflywheel.flows.contracts.guides import list_versions

    text = guide_text(next_version())
    assert_envelope(api.post("/api/v1/guides/sft-guide/versions", json={"document": text},
                             headers=principals["data-engineer"]), 403)
    bad = api.post("/api/v1/guides/sft-guide/versions", json={"document": "# no front matter"},
                   headers=principals["annotation-engineer"])
    assert_envelope(bad, 400, "a guide file starts with a YAML front matter")
    other = api.post("/api/v1/guides/sft-guide/versions",
                     json={"document": guide_text(next_version(guide="other"))},
                     headers=principals["annotation-engineer"])
    assert_envelope(other, 400, "the file is a version of another guide")
    assert [v.id for v in list_versions(team)] == ["sft-guide@1.2.0"]
