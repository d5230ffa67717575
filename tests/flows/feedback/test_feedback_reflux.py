"""Priorities and next-version work: leverage, promotion to requirement or issue, absorption."""

from __future__ import annotations


import pytest
from fb_helpers import event

from dataflywheel.domain.policies.leverage import (
    FORMULA,
    LeverageWeights,
    ThemeFactors,
    explain,
    factors,
    parse_weights,
    score,
)
from dataflywheel.domain.policies.routing import parse_rules
from dataflywheel.domain.records.demand import Priority
from dataflywheel.domain.records.feedback import FeedbackType, ImpactScope
from dataflywheel.domain.states import RequirementState, ThemeState
from dataflywheel.errors import BadInput, IllegalTransition
from dataflywheel.flows.demand import lifecycle as demand
from dataflywheel.flows.feedback.ingest import ingest_events
from dataflywheel.flows.feedback.reflux import loop_metrics, prioritise, promote, sync_absorbed
from dataflywheel.flows.demand.requirements import get_requirement
from dataflywheel.flows.feedback.routing import route_pending
from dataflywheel.flows.feedback.themes import form_themes, theme_views

OWN = parse_rules({"rules": [{"name": "own", "route": {"project": "$event"}}]})


def test_leverage_formula_and_numbers():
    w = LeverageWeights()
    f = ThemeFactors(impact=2.0, reusability=3.0, risk=2.0, cost=3.0)
    assert score(f, w) == round((2 + 3 + 2) / (1 + 3), 3)
    assert explain(f, w) == "(1·2 + 1·3 + 1·2) / (1 + 1·3) = 1.75"
    assert FORMULA.startswith("leverage = (w_impact·impact")
    heavy_risk = LeverageWeights(risk=3.0)
    assert score(f, heavy_risk) > score(f, w)


def test_factors_follow_scope_count_and_type():
    w = LeverageWeights()
    small = factors(failure_type=FeedbackType.DATA_GAP, scopes=[ImpactScope.SAMPLE], events=1,
                    model_versions=1, sources=1, weights=w)
    assert small == ThemeFactors(impact=1.0, reusability=1.0, risk=2.0, cost=2.0)
    wide = factors(failure_type=FeedbackType.PRIVACY_TRIGGER, scopes=[ImpactScope.SYSTEM] * 100,
                   events=100, model_versions=3, sources=2, weights=w)
    assert wide == ThemeFactors(impact=5.0, reusability=5.0, risk=5.0, cost=2.0)


def test_weights_from_yaml_keep_defaults_and_refuse_bad_values():
    w = parse_weights({"risk": 2, "cost_by_type": {"data_gap": 1}})
    assert w.risk == 2.0 and w.impact == 1.0
    assert w.cost_by_type[FeedbackType.DATA_GAP] == 1.0
    assert w.cost_by_type[FeedbackType.MODEL_GAP] == 3.0
    with pytest.raises(BadInput) as exc:
        parse_weights({"risk": -1}, source="w.yaml")
    assert str(exc.value).startswith("w.yaml: invalid leverage weights; field 'risk'; expected Input should be greater")
    with pytest.raises(BadInput, match="field 'colour'"):
        parse_weights({"colour": 1})
    with pytest.raises(BadInput, match="leverage weights must be a mapping"):
        parse_weights([1])


def _themes(ws, specs):
    events = [event(f"{prefix}-{i}", text=text, **kw) for prefix, text, n, kw in specs for i in range(n)]
    ingest_events(ws, events)
    route_pending(ws, rules=OWN)
    form_themes(ws)
    return {v.theme.title: v.theme for v in theme_views(ws)}


SPECS = [
    ("PCT", "percent discount price markup", 6, {}),
    ("CAL", "calendar weekday leap year", 2, {}),
    ("REG", "accuracy dropped after the new checkpoint", 3, {"failure_type": "regression"}),
    ("ONE", "typo in a label", 1, {"failure_type": "process_gap", "impact_scope": "sample"}),
]


def test_prioritise_scores_and_stores_every_open_theme(team):
    _themes(team, SPECS)
    ranked = prioritise(team)
    assert [r.score for r in ranked] == sorted((r.score for r in ranked), reverse=True)
    stored = {v.theme.id: v.theme for v in theme_views(team)}
    for r in ranked:
        assert stored[r.theme_id].leverage_score == r.score
        assert r.formula.endswith(f"= {r.score:g}")


def test_promote_top_themes_queue_and_decline_the_rest_with_reasons(team):
    _themes(team, SPECS)
    ranked = prioritise(team)
    cut = ranked[2].score
    report = promote(team, top=2, requester_id="algorithm-engineer", min_score=cut + 0.001)
    assert list(report.promoted) == [r.theme_id for r in ranked[:2]]
    declined = {r.theme_id for r in ranked[2:]}
    assert set(report.declined) == declined
    for reason in report.declined.values():
        assert reason.startswith("leverage ") and f"below the minimum {cut + 0.001:g}" in reason
    views = {v.theme.id: v.theme for v in theme_views(team)}
    for theme_id, target in report.promoted.items():
        theme = views[theme_id]
        assert theme.state is ThemeState.PROMOTED
        assert target in (theme.requirement_id, theme.issue_id)


def test_regression_theme_becomes_a_linked_issue_and_a_gap_a_requirement(team):
    from dataflywheel.flows.issues.lifecycle import issue_detail

    _themes(team, SPECS)
    report = promote(team, top=10, requester_id="algorithm-engineer", priority=Priority.P1)
    views = {v.theme.id: v.theme for v in theme_views(team)}
    reg = next(t for t in views.values() if t.failure_type is FeedbackType.REGRESSION)
    pct = next(t for t in views.values() if "percent" in t.title)
    issue, links = issue_detail(team, reg.issue_id)
    assert issue.severity.value == "P1" and reg.id in issue.description
    assert {link.feedback_event_id for link in links} == {"REG-0", "REG-1", "REG-2"}
    req = get_requirement(team, pct.requirement_id)
    assert req.priority is Priority.P1 and pct.id in req.description
    assert req.accountable_id == "data-owner" and req.responsible_id == "algorithm-engineer"
    assert set(report.promoted) == set(views)


def test_queued_themes_say_their_rank(team):
    _themes(team, SPECS)
    report = promote(team, top=1, requester_id="algorithm-engineer")
    assert len(report.queued) == 3
    assert all("only the top 1 were promoted" in r for r in report.queued.values())


def test_negative_top_is_refused(team):
    with pytest.raises(BadInput, match="--top must be 0 or more"):
        promote(team, top=-1, requester_id="algorithm-engineer")


def _frozen_version(ws, tmp_path):
    from datapool_helpers import FULL_DATASHEET, deliver_clean, setup_pool

    from dataflywheel.flows.data import version_release as release
    from dataflywheel.flows.data import versions as flows

    pool = setup_pool(ws, sensitivity="public")
    batch = deliver_clean(pool, tmp_path / "a.jsonl", "a", seed=1).batch
    version = flows.create_version(ws, pool.dataset, by="data-engineer", batch_ids=[batch.id])
    flows.set_datasheet(ws, version.id, FULL_DATASHEET, by="data-engineer")
    release.freeze(ws, version.id, by="data-owner")
    return version.id


def test_theme_absorbed_when_its_requirement_is_delivered_in_a_frozen_version(team, tmp_path):
    _themes(team, SPECS[:1])
    report = promote(team, top=1, requester_id="algorithm-engineer")
    [(theme_id, req_id)] = report.promoted.items()
    assert sync_absorbed(team) == {}
    demand.triage(team, req_id)
    demand.commit_week(team, [req_id], week="2026-W49")
    demand.start(team, req_id)
    vid = _frozen_version(team, tmp_path)
    demand.deliver(team, req_id, version_ids=[vid])
    assert get_requirement(team, req_id).state is RequirementState.DELIVERED
    assert sync_absorbed(team) == {theme_id: vid}
    [view] = theme_views(team, theme_id=theme_id)
    assert view.theme.state is ThemeState.ABSORBED and view.theme.absorbed_version_id == vid
    metrics = loop_metrics(team).to_dict()
    assert metrics["routed_events"] == 6 and metrics["absorbed_events"] == 6
    assert metrics["feedback_loop_rate"] == 1.0
    assert metrics["time_to_absorb_days"]["count"] == 1


def test_loop_metrics_on_an_empty_workspace(team):
    metrics = loop_metrics(team).to_dict()
    assert metrics["feedback_loop_rate"] is None and metrics["routed_events"] == 0


def test_promoting_a_declined_theme_directly_is_an_illegal_move(team):
    from dataflywheel.flows.feedback.reflux import _link, decide_theme

    views = _themes(team, SPECS[:1])
    [theme] = views.values()
    decide_theme(team, theme.id, decline=True, reason="out of scope")
    with pytest.raises(IllegalTransition, match="cannot move from 'declined' to 'promoted'"):
        _link(team, theme.id, theme.created_at, requirement_id="REQ-0001")
