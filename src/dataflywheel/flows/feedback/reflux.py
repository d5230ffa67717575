"""Next-version work from feedback: score themes, promote the top ones, track them to absorbed.

A promoted theme becomes a requirement in the Demand Pool (data, retrieval, model gaps and other)
or an issue in the Issue Pool (regressions, privacy triggers, tool-call failures, process gaps),
linked both ways (the theme names it; it names the theme). The rest are queued (ranked below the
cut) or declined (below the minimum score), each with its reason. A theme is absorbed when its
requirement is delivered or accepted with a delivery to a frozen dataset version.

Metrics: feedback-loop rate = events in absorbed themes / events ever routed; time-to-absorb =
absorbed_at − first_seen of each absorbed theme.

The maths is pure and lives in `domain/policies`: the leverage score (`leverage.py`), the cut into
promoted, queued and declined (`promotion.py`) and the loop's figures (`feedback_loop.py`); this
module reads the pools, applies the decisions and audits each move.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dataflywheel.domain.policies.feedback_loop import LoopMetrics, loop_metrics_of
from dataflywheel.domain.policies.leverage import LeverageWeights, explain, score, theme_factors
from dataflywheel.domain.policies.promotion import Scored, cut, ranked
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.demand import Priority, RequirementKind
from dataflywheel.domain.records.feedback import FeedbackType, Theme
from dataflywheel.domain.states import (
    FeedbackState,
    RequirementState,
    ThemeState,
    VersionState,
    move,
)
from dataflywheel.errors import BadInput, FlywheelError
from dataflywheel.flows._audit import update_audited
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.feedback import FeedbackEvents, Themes

ISSUE_TYPES = frozenset({FeedbackType.REGRESSION, FeedbackType.PRIVACY_TRIGGER,
                         FeedbackType.TOOL_CALL_FAILURE, FeedbackType.PROCESS_GAP})
CANDIDATES = (ThemeState.OPEN, ThemeState.QUEUED)



def prioritise(ws: Workspace, *, weights: LeverageWeights | None = None,
               now: datetime | None = None) -> list[Scored]:
    """Score every open or queued theme, store factors and score; highest leverage first."""
    weights = weights or LeverageWeights()
    now = now or utcnow()
    scored: list[Scored] = []
    with ws.db.unit_of_work() as s:
        repo = Themes(s)
        for theme in [t for state in CANDIDATES for t in repo.list(state=state.value)]:
            f = theme_factors(repo.events(theme.id), theme, weights)
            value = score(f, weights)
            after = theme.model_copy(update={"impact": f.impact, "reusability": f.reusability,
                                             "risk": f.risk, "cost": f.cost,
                                             "leverage_score": value, "updated_at": now})
            if after != theme:
                update_audited(repo, theme, after, actor=ws.actor, action="theme.score",
                               reason=explain(f, weights))
            scored.append(Scored(theme.id, theme.title, f, value, explain(f, weights)))
    return ranked(scored)


def ranking(ws: Workspace, *, weights: LeverageWeights | None = None) -> dict[str, Any]:
    """`prioritise` as `feedback prioritise --json` prints it and the API answers: the formula
    and each theme's score and factors, highest leverage first."""
    from dataflywheel.domain.policies.leverage import FORMULA

    rows = [{"theme": r.theme_id, "score": r.score, "impact": r.factors.impact,
             "reusability": r.factors.reusability, "risk": r.factors.risk,
             "cost": r.factors.cost, "formula": r.formula, "title": r.title}
            for r in prioritise(ws, weights=weights)]
    return {"formula": FORMULA, "themes": rows}


def weights_from_text(text: str | None, *, source: str) -> LeverageWeights:
    """Leverage weights from YAML text (a `--weights` file; None: the defaults)."""
    from dataflywheel.domain.policies.leverage import parse_weights
    from dataflywheel.yamlsafe import safe_load

    if text is None:
        return parse_weights(None)
    return parse_weights(safe_load(text, source=source), source=source)


@dataclass
class PromoteReport:
    promoted: dict[str, str] = field(default_factory=dict)
    queued: dict[str, str] = field(default_factory=dict)
    declined: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"promoted": self.promoted, "queued": self.queued, "declined": self.declined}


def promote(ws: Workspace, *, top: int, requester_id: str, min_score: float = 0.0,
            priority: Priority = Priority.P1, weights: LeverageWeights | None = None,
            now: datetime | None = None) -> PromoteReport:
    """Promote the `top` highest-leverage themes; queue the rest, decline those under `min_score`
    (the cut: `domain/policies/promotion.py`)."""
    if top < 0:
        raise BadInput("--top must be 0 or more", field="top", got=top)
    now = now or utcnow()
    report = PromoteReport()
    for d in cut(prioritise(ws, weights=weights, now=now), top=top, min_score=min_score,
                 on=now.date()):
        theme_id = d.item.theme_id
        if d.reason is None:
            report.promoted[theme_id] = _promote_one(ws, d.item, requester_id, priority, now)
            continue
        _decide(ws, theme_id, d.state, d.reason, now)
        (report.declined if d.state is ThemeState.DECLINED else report.queued)[theme_id] = d.reason
    return report


def _decide(ws: Workspace, theme_id: str, target: ThemeState, reason: str, now: datetime) -> None:
    with ws.db.unit_of_work() as s:
        repo = Themes(s)
        theme = repo.get(theme_id)
        if theme.state is target:
            after = theme.model_copy(update={"decision_reason": reason, "updated_at": now})
        else:
            after = theme.model_copy(update={"state": move(f"theme {theme_id}", theme.state, target),
                                             "decision_reason": reason, "updated_at": now})
        update_audited(repo, theme, Theme.model_validate(after.model_dump()), actor=ws.actor,
                       action=f"theme.{target.value}", reason=reason)


def decide_theme(ws: Workspace, theme_id: str, *, decline: bool, reason: str,
                 now: datetime | None = None) -> Theme:
    """Queue or decline one theme by hand; the reason is required and kept."""
    if not reason.strip():
        raise BadInput("queuing or declining a theme needs a reason", field="reason")
    _decide(ws, theme_id, ThemeState.DECLINED if decline else ThemeState.QUEUED, reason,
            now or utcnow())
    with ws.db.session() as s:
        return Themes(s).get(theme_id)


def _promote_one(ws: Workspace, item: Scored, requester_id: str, priority: Priority,
                 now: datetime) -> str:
    with ws.db.session() as s:
        theme = Themes(s).get(item.theme_id)
        examples = [e.id for e in Themes(s).events(theme.id)][:5]
    description = (f"From feedback theme {theme.id} ({theme.event_count} events; leverage "
                   f"{item.formula}). Example events: {', '.join(examples)}.")
    if theme.failure_type in ISSUE_TYPES:
        return _as_issue(ws, theme, description, examples, priority, now)
    return _as_requirement(ws, theme, description, requester_id, priority, now)


def _as_requirement(ws: Workspace, theme: Theme, description: str, requester_id: str,
                    priority: Priority, now: datetime) -> str:
    from dataflywheel.domain.policies.sla import due_from
    from dataflywheel.flows.demand.lifecycle import calendar_of
    from dataflywheel.flows.demand.requirements import submit_requirement

    if theme.project_id is None:
        raise BadInput(f"theme {theme.id} names no project", field="project",
                       kept=f"{theme.id} is still {theme.state.value}")
    accountable, responsible = _raci(ws, theme.project_id)
    req = submit_requirement(
        ws, title=f"Feedback: {theme.title}"[:300], project_id=theme.project_id,
        requester_id=requester_id, kind=RequirementKind.REMEDIATION, priority=priority,
        target_metric=f"no new {theme.failure_type.value if theme.failure_type else 'feedback'} "
                      f"events in theme {theme.id} after the next frozen version",
        acceptance_criteria=f"the next frozen version covers the {theme.event_count} cases of {theme.id}",
        accountable_id=accountable, responsible_id=responsible, description=description, now=now,
        deadline=due_from(priority, RequirementKind.REMEDIATION, now, calendar_of(ws.settings)))
    _link(ws, theme.id, now, requirement_id=req.id)
    return req.id


def _as_issue(ws: Workspace, theme: Theme, description: str, examples: list[str],
              priority: Priority, now: datetime) -> str:
    from dataflywheel.flows.issues.lifecycle import calendar_of, open_issue_in

    with ws.db.unit_of_work() as s:
        issue = open_issue_in(
            s, actor=ws.actor, calendar=calendar_of(ws), title=f"Feedback: {theme.title}"[:200],
            severity=priority.value, source="feedback", project_id=theme.project_id,
            links=[("feedback", e) for e in examples], description=description, now=now)
        _link_in(ws, s, theme.id, now, issue_id=issue.id)
        return issue.id


def _raci(ws: Workspace, project_id: str) -> tuple[str | None, str | None]:
    from dataflywheel.flows.governance.raci import who

    try:
        with ws.db.session() as s:
            answer = who(s, "data_requirement_definition", project_id)
    except FlywheelError:
        return None, None
    return answer.accountable, (answer.responsible[0] if answer.responsible else None)


def _link(ws: Workspace, theme_id: str, now: datetime, **target: str) -> None:
    with ws.db.unit_of_work() as s:
        _link_in(ws, s, theme_id, now, **target)


def _link_in(ws: Workspace, s: Session, theme_id: str, now: datetime, **target: str) -> None:
    repo = Themes(s)
    theme = repo.get(theme_id)
    state = move(f"theme {theme_id}", theme.state, ThemeState.PROMOTED)
    after = Theme.model_validate({**theme.model_dump(), "state": state, "decision_reason": None,
                                  "updated_at": now, **target})
    update_audited(repo, theme, after, actor=ws.actor, action="theme.promote",
                   reason="promoted to " + ", ".join(target.values()))


def sync_absorbed(ws: Workspace, *, now: datetime | None = None) -> dict[str, str]:
    """Mark promoted themes absorbed whose requirement reached a frozen version; theme → version."""
    from dataflywheel.store.repositories.data import DatasetVersions
    from dataflywheel.store.repositories.people import RequirementDeliveries, Requirements

    now = now or utcnow()
    done: dict[str, str] = {}
    with ws.db.unit_of_work() as s:
        repo = Themes(s)
        for theme in repo.list(state=ThemeState.PROMOTED.value):
            if theme.requirement_id is None:
                continue
            req = Requirements(s).get(theme.requirement_id)
            if req.state not in (RequirementState.DELIVERED, RequirementState.ACCEPTED):
                continue
            frozen = [d for d in RequirementDeliveries(s).list(requirement_id=req.id)
                      if DatasetVersions(s).get(d.version_id).state is VersionState.FROZEN]
            if not frozen:
                continue
            link = min(frozen, key=lambda d: (d.linked_at, d.version_id))
            after = Theme.model_validate({**theme.model_dump(), "state": move(
                f"theme {theme.id}", theme.state, ThemeState.ABSORBED),
                "absorbed_version_id": link.version_id, "absorbed_at": now, "updated_at": now})
            update_audited(repo, theme, after, actor=ws.actor, action="theme.absorb",
                           reason=f"{req.id} {req.state.value} in frozen {link.version_id}")
            done[theme.id] = link.version_id
    return done



def absorb_times(tta: dict[str, Any]) -> str:
    """Time-to-absorb for people: whole units, or that nothing was absorbed (`--json` keeps the
    exact days, and the mean)."""
    from datetime import timedelta

    from dataflywheel.domain.durations import humanize

    if not tta["count"]:
        return "time-to-absorb: no theme absorbed yet"
    median, longest = (humanize(timedelta(days=tta[k])) for k in ("median", "max"))
    themes = "theme" if tta["count"] == 1 else "themes"
    return f"time-to-absorb: {tta['count']} {themes}, median {median}, max {longest}"


def loop_metrics(ws: Workspace) -> LoopMetrics:
    """Feedback-loop rate (absorbed / routed events) and time-to-absorb of absorbed themes
    (the figures: `domain/policies/feedback_loop.py`)."""
    with ws.db.session() as s:
        events = FeedbackEvents(s)
        routed = sum(1 for e in events.list() if e.state in (FeedbackState.ROUTED, FeedbackState.THEMED))
        themes = Themes(s).list()
        absorbed = [t for t in themes if t.state is ThemeState.ABSORBED]
        absorbed_events = sum(len(events.list(theme_id=t.id)) for t in absorbed)
    return loop_metrics_of(routed, absorbed_events, themes)
