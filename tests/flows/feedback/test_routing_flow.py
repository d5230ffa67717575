"""Routing flow: pending events end routed or in triage with the reason; rules check; by hand."""

from __future__ import annotations

import pytest
from fb_helpers import add_route_projects, event

from dataflywheel.domain.states import FeedbackState
from dataflywheel.errors import BadInput, NotFound
from dataflywheel.flows.feedback.ingest import ingest_events, list_events
from dataflywheel.flows.feedback.routing import (
    assign,
    check_rules,
    explain,
    load_rules,
    route_pending,
)

RULES = load_rules()


def _state(ws, event_id):
    return {e.id: e for e in list_events(ws)}[event_id]


def test_route_pending_routes_or_triages_every_event_with_reasons(team):
    add_route_projects(team)
    ingest_events(team, [
        event("E-1", text="refused to answer a contract law question"),
        event("E-2", failure_type="other", text="the UI is slow"),
        event("E-3", text="percent questions wrong"),
        event("E-4", failure_type="tool_call_failure", project_id="P-NOPE"),
    ])
    report = route_pending(team, rules=RULES)
    assert report.routed == {"legal-refusal-gaps": ["E-1"], "own-project-gaps": ["E-3"],
                             "messy-tool-calls": ["E-4"]}
    assert report.triaged == {"E-2": "no routing rule matched (8 tried)"}
    e1, e2, e4 = _state(team, "E-1"), _state(team, "E-2"), _state(team, "E-4")
    assert (e1.state, e1.project_id, e1.route_rule) == (FeedbackState.ROUTED, "P-SFT-PREF", "legal-refusal-gaps")
    assert (e2.state, e2.triage_reason) == (FeedbackState.TRIAGE, "no routing rule matched (8 tried)")
    assert (e4.state, e4.project_id, e4.reported_project_id) == (FeedbackState.ROUTED, "P-AGENT-TOOLS", "P-NOPE")
    assert len(list_events(team)) == 4


def test_a_rule_target_missing_from_the_workspace_sends_the_event_to_triage(team):
    ingest_events(team, [event("E-5", failure_type="regression")])
    report = route_pending(team, rules=RULES)
    assert report.triaged["E-5"] == ("rule 'regressions' matched, but project 'P-PLATFORM-GOV' does "
                                     "not exist (flywheel projects add, or edit the rule)")
    add_route_projects(team)
    again = route_pending(team, rules=RULES)
    assert again.routed == {"regressions": ["E-5"]}


def test_explain_changes_nothing(team):
    ingest_events(team, [event("E-6", failure_type="privacy_trigger")])
    result = explain(team, "E-6", rules=RULES)
    assert result.decision.rule == "privacy-triggers" and result.state is FeedbackState.TRIAGE
    assert _state(team, "E-6").state is FeedbackState.RECEIVED


def test_assign_routes_a_triaged_event_by_hand_with_a_reason(team):
    ingest_events(team, [event("E-7", failure_type="other", text="odd")])
    route_pending(team, rules=RULES)
    with pytest.raises(BadInput, match="needs a reason"):
        assign(team, "E-7", project_id="P-TEST", reason=" ")
    with pytest.raises(NotFound, match="project P-X does not exist"):
        assign(team, "E-7", project_id="P-X", reason="mine")
    routed = assign(team, "E-7", project_id="P-TEST", reason="belongs to the test project")
    assert (routed.state, routed.route_rule, routed.project_id) == (FeedbackState.ROUTED, "manual:tester", "P-TEST")


def test_rules_check_reports_rules_that_match_nothing_and_missing_targets(team):
    ingest_events(team, [event("E-8", text="percent"), event("E-9", failure_type="tool_call_failure")])
    checks = {c.rule: c for c in check_rules(team, rules=RULES)}
    assert checks["own-project-gaps"].problems == ()
    assert checks["own-project-gaps"].decides == 1
    assert checks["messy-tool-calls"].problems == (
        "routes to project 'P-AGENT-TOOLS', which does not exist",)
    assert checks["chart-misreading"].problems == (
        "matches none of the 2 stored events", "routes to project 'P-MM-RAG', which does not exist")


def test_rules_check_reports_a_shadowed_rule(team, tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  - {name: all-gaps, when: {failure_type: [model_gap]}, route: {project: P-TEST}}\n"
                    "  - {name: pct, when: {text: [percent]}, route: {project: P-TEST}}\n")
    ingest_events(team, [event("E-10", text="percent")])
    checks = {c.rule: c for c in check_rules(team, rules=load_rules(team, path))}
    assert checks["pct"].problems == ("every event it matches is taken by an earlier rule",)


def test_workspace_routing_yaml_overrides_the_default(team):
    (team.settings.workspace / "routing.yaml").write_text(
        "rules:\n  - {name: everything, route: {project: P-TEST}}\n")
    assert [r.name for r in load_rules(team).rules] == ["everything"]


def test_missing_or_non_utf8_rule_file_is_a_clear_error(tmp_path):
    with pytest.raises(NotFound, match="routing rule file not found"):
        load_rules(None, tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"rules: [\xff]")
    with pytest.raises(BadInput, match="routing rule file is not valid UTF-8"):
        load_rules(None, bad)


def test_an_unknown_project_stays_named_in_the_triage_reason_until_it_exists(team):
    from dataflywheel.domain.records.project import Project
    from dataflywheel.flows.demand.projects import add_project

    ingest_events(team, [event("E-11", project_id="P-LATER", failure_type="data_gap"),
                         event("E-12", project_id="P-LATER", failure_type="other")])
    report = route_pending(team, rules=RULES)
    assert report.triaged == {
        "E-11": "rule 'own-project-gaps' matched, but project 'P-LATER' does not exist "
                "(flywheel projects add, or edit the rule)",
        "E-12": "no routing rule matched (8 tried); the project it names, 'P-LATER', does not exist"}
    add_project(team, Project(id="P-LATER", name="later", owner_id="data-owner"))
    again = route_pending(team, rules=RULES)
    assert again.routed == {"own-project-gaps": ["E-11"]}
    assert again.triaged == {"E-12": "no routing rule matched (8 tried)"}
    routed = _state(team, "E-11")
    assert (routed.project_id, routed.reported_project_id) == ("P-LATER", "P-LATER")
