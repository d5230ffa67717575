"""Themes: clustering quality on a labelled fixture, persistence across ingests, recurrence."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
from fb_helpers import T0, event

from dataflywheel.domain.policies.routing import parse_rules
from dataflywheel.domain.states import FeedbackState, ThemeState
from dataflywheel.errors import BadInput
from dataflywheel.flows.feedback.ingest import ingest_events, list_events
from dataflywheel.flows.feedback.routing import route_pending
from dataflywheel.flows.feedback.themes import form_themes, theme_views

TOPICS = {
    "percent": "percent percentage discount tax interest rate increase decrease % markup sale "
               "price reduced off original",
    "chart": "chart bar graph axis legend plotted column value misread scale figure label "
             "reading line trend",
    "refusal": "refused refusal decline cannot help request policy safe harmless unnecessary "
               "overcautious answer question benign",
    "calendar": "date calendar weekday month leap year days weeks between deadline schedule "
                "monday friday hours",
}
FILLER = ["model", "output", "wrong", "answer", "expected", "result", "response", "user", "reported", "sample", "incorrect", "error", "mistake", "again", "seen"]


def labelled_events(n_per_topic: int, *, seed: int, prefix: str, days: int = 0) -> tuple[list[dict], dict[str, str]]:
    rng = random.Random(seed)
    events, labels = [], {}
    for topic, words in TOPICS.items():
        vocab = words.split()
        for i in range(n_per_topic):
            text = " ".join(rng.sample(vocab, 6) + rng.sample(FILLER, 4))
            eid = f"{prefix}-{topic}-{i}"
            events.append(event(eid, text=text, days=days + i % 7))
            labels[eid] = topic
    rng.shuffle(events)
    return events, labels


def purity(ws, labels: dict[str, str]) -> tuple[float, int]:
    by_theme: dict[str, list[str]] = {}
    for e in list_events(ws):
        if e.id in labels:
            by_theme.setdefault(e.theme_id, []).append(labels[e.id])
    majority = sum(Counter(members).most_common(1)[0][1] for members in by_theme.values())
    return majority / len(labels), len(by_theme)


ALL_TO_OWN_PROJECT = parse_rules({"rules": [{"name": "own", "route": {"project": "$event"}}]})


def _ingest_route_theme(ws, events):
    ingest_events(ws, events)
    route_pending(ws, rules=ALL_TO_OWN_PROJECT)
    return form_themes(ws)


def test_themes_recover_the_labelled_topics_with_purity_at_least_0_9(team):
    events, labels = labelled_events(25, seed=7, prefix="L")
    _ingest_route_theme(team, events)
    value, n_themes = purity(team, labels)
    assert value >= 0.9
    assert n_themes <= 2 * len(TOPICS)  # not one theme per event
    assert all(e.state is FeedbackState.THEMED for e in list_events(team))


def test_themes_persist_across_ingests_and_recurrence_is_recognised(team):
    first, labels = labelled_events(10, seed=1, prefix="A")
    report1 = _ingest_route_theme(team, first)
    second, labels2 = labelled_events(5, seed=2, prefix="B", days=14)
    report2 = _ingest_route_theme(team, second)
    assert report2.created == [] or len(report2.created) < len(report1.created)
    labels.update(labels2)
    value, _ = purity(team, labels)
    assert value >= 0.9
    joined_old = set(report2.joined) & set(report1.created)
    assert joined_old, "the second ingest joined themes formed by the first"


def test_an_event_joining_a_declined_theme_reopens_it_as_recurring(team):
    from dataflywheel.flows.feedback.reflux import decide_theme

    _ingest_route_theme(team, [event("D-1", text="discount percent price reduced"),
                               event("D-2", text="percent discount tax markup")])
    [view] = theme_views(team)
    decide_theme(team, view.theme.id, decline=True, reason="not now")
    report = _ingest_route_theme(team, [event("D-3", text="percent discount sale price", days=9)])
    assert report.recurring == [view.theme.id]
    [again] = theme_views(team)
    assert again.theme.state is ThemeState.OPEN and again.theme.event_count == 3
    assert again.theme.signature["recurrences"] == 1


def test_theme_view_has_weekly_trend_and_representative_examples(team):
    _ingest_route_theme(team, [event(f"W-{i}", text="percent discount price", days=7 * (i % 2))
                               for i in range(4)])
    [view] = theme_views(team, examples=2, weeks=3, now=T0 + timedelta(days=8))
    assert len(view.examples) == 2
    data = view.to_dict()
    assert {"discount", "percent", "price"} <= set(data["top_terms"])
    assert data["weekly"] == [{"week": "2026-W44", "events": 0}, {"week": "2026-W45", "events": 2},
                              {"week": "2026-W46", "events": 2}]


def test_themes_key_on_project_type_and_category(team):
    _ingest_route_theme(team, [
        event("K-1", text="percent discount", payload={"sample": "percent discount",
                                                       "attributes": {"question_type": "percentage"}}),
        event("K-2", text="percent discount", payload={"sample": "percent discount",
                                                       "attributes": {"question_type": "money"}}),
        event("K-3", failure_type="data_gap", text="percent discount"),
    ])
    themes = {e.id: e.theme_id for e in list_events(team)}
    assert len(set(themes.values())) == 3


def test_threshold_out_of_range_is_refused(team):
    with pytest.raises(BadInput, match="theme similarity threshold out of range"):
        form_themes(team, threshold=0)
