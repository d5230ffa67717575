"""The cut of `feedback promote` and the feedback loop's figures, without a workspace (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from dataflywheel.domain.policies.feedback_loop import loop_metrics_of
from dataflywheel.domain.policies.leverage import ThemeFactors
from dataflywheel.domain.policies.promotion import Scored, cut, ranked
from dataflywheel.domain.records.feedback import Theme
from dataflywheel.domain.states import ThemeState

FACTORS = ThemeFactors(1.0, 1.0, 1.0, 1.0)


def _scored(theme_id: str, value: float) -> Scored:
    return Scored(theme_id, theme_id, FACTORS, value, f"= {value:g}")


def test_ranked_by_score_then_id() -> None:
    order = ranked([_scored("TH-0002", 1.0), _scored("TH-0003", 2.0), _scored("TH-0001", 1.0)])
    assert [s.theme_id for s in order] == ["TH-0003", "TH-0001", "TH-0002"]


def test_the_cut_promotes_the_top_queues_the_rest_and_declines_under_the_minimum() -> None:
    ranking = ranked([_scored("TH-0001", 3.0), _scored("TH-0002", 2.0), _scored("TH-0003", 1.5),
                      _scored("TH-0004", 0.5)])
    decisions = cut(ranking, top=1, min_score=1.0, on=date(2026, 11, 25))
    assert [(d.item.theme_id, d.state, d.reason) for d in decisions] == [
        ("TH-0001", ThemeState.PROMOTED, None),
        ("TH-0002", ThemeState.QUEUED,
         "leverage 2 ranks #2; only the top 1 were promoted on 2026-11-25"),
        ("TH-0003", ThemeState.QUEUED,
         "leverage 1.5 ranks #3; only the top 1 were promoted on 2026-11-25"),
        ("TH-0004", ThemeState.DECLINED, "leverage 0.5 is below the minimum 1"),
    ]
    # under the minimum is declined even at rank 1
    [only] = cut([_scored("TH-0009", 0.1)], top=5, min_score=1.0, on=date(2026, 11, 25))
    assert only.state is ThemeState.DECLINED


def test_loop_figures() -> None:
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    themes = [
        Theme(id="TH-0001", title="a", state=ThemeState.ABSORBED, requirement_id="REQ-0001",
              first_seen=t0, last_seen=t0, absorbed_version_id="V-1",
              absorbed_at=t0 + timedelta(days=2, hours=12)),
        Theme(id="TH-0002", title="b", first_seen=t0, last_seen=t0),
        Theme(id="TH-0003", title="c", state=ThemeState.DECLINED, decision_reason="r"),
    ]
    metrics = loop_metrics_of(8, 3, themes).to_dict()
    assert metrics == {
        "routed_events": 8, "absorbed_events": 3, "feedback_loop_rate": 0.375,
        "themes_by_state": {"absorbed": 1, "open": 1, "declined": 1},
        "time_to_absorb_days": {"count": 1, "median": 2.5, "mean": 2.5, "max": 2.5}}
    assert loop_metrics_of(0, 0, []).to_dict()["feedback_loop_rate"] is None
