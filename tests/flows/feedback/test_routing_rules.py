"""Routing rules: the default rules one by one and as a table; loops and bad rule files refused."""

from __future__ import annotations

import pytest

from dataflywheel.domain.policies.routing import EventFacts, decide, parse_rules
from dataflywheel.errors import BadInput
from dataflywheel.flows.feedback.routing import load_rules
from dataflywheel.yamlsafe import safe_load

RULES = load_rules()


def facts(failure_type: str = "model_gap", *, source: str = "evaluation", text: str = "",
          project: str | None = None, scope: str = "sample", **attributes: str) -> EventFacts:
    return EventFacts(source=source, failure_type=failure_type, impact_scope=scope,
                      project_id=project, text=text, attributes=attributes)


def test_legal_refusal_gap_goes_to_the_sft_preference_project():
    d = decide(RULES, facts(text="The assistant refused to explain the contract clause"))
    assert (d.rule, d.project) == ("legal-refusal-gaps", "P-SFT-PREF")
    assert d.reason == "rule 'legal-refusal-gaps' matched"
    held = [c.detail for c in d.trials[0].conditions]
    assert held == ["failure_type 'model_gap' in ['model_gap', 'data_gap']",
                    ("text has one of ['refus', 'declin', \"won't answer\", 'cannot answer', "
                    "\"can't answer\"]: found 'refus'"),
                    ("text has one of ['legal', 'law', 'lawyer', 'contract', 'statute', 'court', "
                    "'attorney']: found 'contract'")]


def test_refusal_outside_legal_does_not_match_the_legal_rule():
    d = decide(RULES, facts(text="It refused to write a poem", project="P-TEST"))
    assert d.rule == "own-project-gaps" and d.project == "P-TEST"
    assert d.trials[0].matched is False


def test_chart_misreading_goes_to_multimodal_rag():
    d = decide(RULES, facts("retrieval_gap", text="misread the bar chart axis"))
    assert (d.rule, d.project) == ("chart-misreading", "P-MM-RAG")


def test_tool_call_failures_go_to_agent_tool_use():
    assert decide(RULES, facts("tool_call_failure")).project == "P-AGENT-TOOLS"


def test_regressions_go_to_platform_governance():
    assert decide(RULES, facts("regression")).project == "P-PLATFORM-GOV"


def test_rollbacks_forward_to_wherever_regressions_go():
    d = decide(RULES, facts("process_gap", source="platform", text="v3 was rolled back at 02:00"))
    assert (d.rule, d.project, d.chain) == ("rollbacks", "P-PLATFORM-GOV", ("rollbacks", "regressions"))
    assert d.reason == "rule 'rollbacks' matched via rollbacks → regressions"


def test_privacy_triggers_and_personal_data_mentions_go_to_privacy():
    assert decide(RULES, facts("privacy_trigger")).project == "P-PRIVACY"
    d = decide(RULES, facts("other", source="governance", text="output leaked a phone number"))
    assert (d.rule, d.project) == ("personal-data-mentions", "P-PRIVACY")


def test_unroutable_event_gets_a_triage_decision():
    d = decide(RULES, facts("other", text="the UI is slow"))
    assert d.rule is None and d.project is None
    assert d.reason == f"no routing rule matched ({len(RULES.rules)} tried)"
    assert len(d.trials) == len(RULES.rules)


TABLE = [
    # failure_type, source, text, project → rule, target project
    ("model_gap", "evaluation", "refuses to answer a legal question", None, "legal-refusal-gaps", "P-SFT-PREF"),
    ("data_gap", "application", "declined: statute of limitations", "P-TEST", "legal-refusal-gaps", "P-SFT-PREF"),
    ("model_gap", "application", "wrong value read from the line graph", None, "chart-misreading", "P-MM-RAG"),
    ("tool_call_failure", "application", "", None, "messy-tool-calls", "P-AGENT-TOOLS"),
    ("regression", "evaluation", "", "P-TEST", "regressions", "P-PLATFORM-GOV"),
    ("other", "platform", "rollback of the ranking model", None, "rollbacks", "P-PLATFORM-GOV"),
    ("privacy_trigger", "application", "", "P-TEST", "privacy-triggers", "P-PRIVACY"),
    ("data_gap", "evaluation", "percentages wrong", "P-TEST", "own-project-gaps", "P-TEST"),
    ("retrieval_gap", "application", "no source found", "P-K12", "own-project-gaps", "P-K12"),
    ("data_gap", "evaluation", "percentages wrong", None, None, None),
    ("process_gap", "human_review", "slow review", "P-TEST", None, None),
]


@pytest.mark.parametrize(("ftype", "source", "text", "project", "rule", "target"), TABLE)
def test_routing_table(ftype, source, text, project, rule, target):
    d = decide(RULES, facts(ftype, source=source, text=text, project=project))
    assert (d.rule, d.project) == (rule, target)


def _rules(yaml_text: str):
    return parse_rules(safe_load(yaml_text, source="r.yaml"), source="r.yaml")


def test_a_forward_loop_is_refused_with_the_cycle_named():
    with pytest.raises(BadInput) as exc:
        _rules("""
rules:
  - {name: a, when: {source: [platform]}, forward: b}
  - {name: b, when: {source: [evaluation]}, forward: c}
  - {name: c, forward: a}
""")
    assert str(exc.value) == ("r.yaml: routing rules loop: a → b → c → a; field 'forward'; "
                              "expected forwards that end at a rule with `route`")


def test_forward_to_an_unknown_rule_and_duplicate_names_are_refused():
    with pytest.raises(BadInput, match="routing rule 'a' forwards to unknown rule 'zz'"):
        _rules("rules:\n  - {name: a, forward: zz}\n")
    with pytest.raises(BadInput, match="routing rule 'a' is defined twice"):
        _rules("rules:\n  - {name: a, route: {project: P}}\n  - {name: a, route: {project: P}}\n")


def test_invalid_rule_names_the_rule_and_field():
    with pytest.raises(BadInput) as exc:
        _rules("rules:\n  - {name: ok, route: {project: P}}\n  - {name: bad, when: {failure_type: [typo]}, route: {project: P}}\n")
    assert str(exc.value).startswith("r.yaml: routing rule #2 (bad) is invalid; field 'when.failure_type.0'")
    with pytest.raises(BadInput, match="needs exactly one of `route` or `forward`"):
        _rules("rules:\n  - {name: both, route: {project: P}, forward: both}\n")
    with pytest.raises(BadInput, match="a routing rule file needs a top-level `rules:` list"):
        _rules("- just a list\n")


def test_a_rule_keeping_the_event_project_with_no_project_is_a_triage_decision():
    rules = _rules("rules:\n  - {name: keep, route: {project: $event}}\n")
    d = decide(rules, facts())
    assert d.project is None and d.reason == "rule 'keep' keeps the event's project, but it names none"


def test_attribute_conditions_match_payload_attributes():
    rules = _rules("rules:\n  - {name: pct, when: {attributes: {question_type: [percentage]}}, "
                   "route: {project: P-K12}}\n")
    assert decide(rules, facts(question_type="percentage")).project == "P-K12"
    assert decide(rules, facts(question_type="fraction")).rule is None


def test_text_words_match_at_the_start_of_a_word_only():
    rules = _rules("rules:\n  - {name: law, when: {text: [law]}, route: {project: P}}\n")
    assert decide(rules, facts(text="Ask a Lawyer")).rule == "law"
    assert decide(rules, facts(text="a flaw in the lawn")).rule == "law"  # "lawn" starts with law
    assert decide(rules, facts(text="a flaw")).rule is None
