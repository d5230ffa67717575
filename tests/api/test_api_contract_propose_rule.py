"""Who may propose a contract version over HTTP: exactly the layer owners the flow finds. Where
the contract's project names its own Data Engineer, the team-wide one is no owner there — the
table refuses them (403 naming the rule) as the flow would, and lets the project's own in."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from server_helpers import assert_envelope

PATH = "/api/v1/contracts/cleaned-text/versions"


def _versions(ws: Any) -> list[str]:
    from dataflywheel.flows.contracts.lifecycle import list_contracts

    return sorted(v.id for _, versions in list_contracts(ws) for v in versions)


def test_a_team_wide_owner_is_refused_where_the_project_names_its_own(
        api: TestClient, team: Any, principals: dict[str, dict[str, str]]) -> None:
    from dataflywheel.api.policy import decide, rule_for
    from dataflywheel.api.routers.contracts import example_document
    from dataflywheel.domain.roles import Role
    from dataflywheel.errors import PolicyViolation
    from dataflywheel.flows.governance.people import grant_role
    from dataflywheel.flows.governance.tokens import authenticate_in

    grant_role(team, "quality-evaluator", Role.DATA_ENGINEER, project_id="P-TEST")
    owner = principals["data-owner"]
    assert api.post(PATH + "/1.1.0/reject", json={"reason": "not agreed"},
                    headers=owner).status_code == 200
    plain = example_document("cleaned-text", "1.2.0", "cleaning-rules-2.1")
    content = "    description: The cleaned text, UTF-8.\n"
    structural = plain.replace(content, content + "  - name: source\n    logicalType: string\n"
                                                  "    required: false\n")
    assert structural != plain  # one optional field more: a compatible structural change
    before = _versions(team)
    refused = api.post(PATH, json={"document": structural}, headers=principals["data-engineer"])
    assert_envelope(refused, 403, "data-engineer may not do this in project P-TEST: only a "
                                  "annotation_engineer or data_engineer or data_owner of the "
                                  "project (where the project names its own, one of those) may")
    assert _versions(team) == before
    rule = rule_for(api.app.state.policy, "POST", "/api/v1/contracts/{contract}/versions")  # type: ignore[attr-defined]
    with team.db.session() as s:
        for name, allowed in (("data-engineer", False), ("quality-evaluator", True),
                              ("annotation-engineer", True), ("outsider", False)):
            who = authenticate_in(s, principals[name]["Authorization"].split()[1])
            try:
                decide(s, rule, who, "cleaned-text")
                assert allowed, name
            except PolicyViolation:
                assert not allowed, name
    made = api.post(PATH, json={"document": structural}, headers=principals["quality-evaluator"])
    assert made.status_code == 201, made.text
    assert [c.split(" ", 1)[0] for c in made.json()["changes"]] == ["[structural]"]
