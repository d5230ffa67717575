"""Route feedback events to the project and stage that should absorb them, or to triage.

Rules come from `--rules FILE`, else `<workspace>/routing.yaml`, else the packaged
`default_routing.yaml`. Guarantees: every pending event (received, or waiting in triage) ends routed
or in the triage queue with the reason — never nowhere; a rule that routes to a project or stage
the workspace does not have sends the event to triage and says so; each move is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from dataflywheel.domain.policies.routing import (
    EVENT_PROJECT,
    RoutingDecision,
    RuleSet,
    check_conditions,
    decide,
    facts_of,
    parse_rules,
)
from dataflywheel.domain.records.feedback import FeedbackEvent
from dataflywheel.domain.states import FeedbackState, move
from dataflywheel.errors import BadInput, NotFound
from dataflywheel.flows._audit import update_audited
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.feedback import FeedbackEvents
from dataflywheel.store.repositories.people import Projects
from dataflywheel.yamlsafe import safe_load

PENDING = (FeedbackState.RECEIVED, FeedbackState.TRIAGE)


def default_rules_text() -> str:
    return resources.files("dataflywheel.flows").joinpath("default_routing.yaml").read_text("utf-8")


def load_rules(ws: Workspace | None = None, path: str | Path | None = None) -> RuleSet:
    """The rule set in force: `path`, else the workspace's routing.yaml, else the default."""
    if path is None and ws is not None and (ws.settings.workspace / "routing.yaml").is_file():
        path = ws.settings.workspace / "routing.yaml"
    if path is None:
        return parse_rules(safe_load(default_rules_text(), source="default_routing.yaml"),
                           source="default_routing.yaml")
    source = Path(path)
    if not source.is_file():
        raise NotFound("routing rule file not found", path=str(source))
    try:
        text = source.read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput("routing rule file is not valid UTF-8", path=str(source),
                       expected="UTF-8 YAML", got=f"byte {exc.start}") from None
    return parse_rules(safe_load(text, source=str(source)), source=str(source))


def rules_from_text(text: str, *, source: str) -> RuleSet:
    """A rule set sent as text (a client's `--rules` file through the team server)."""
    return parse_rules(safe_load(text, source=source), source=source)


def explain_dict(result: Routed, rules: RuleSet) -> dict[str, Any]:
    """How one event is routed, as `feedback route --explain --json` prints it and the API
    answers: every rule tried, each condition, and the outcome."""
    trials: list[dict[str, Any]] = [
        {"rule": t.rule, "matched": t.matched,
         "conditions": [{"condition": c.condition, "held": c.held, "detail": c.detail}
                        for c in t.conditions]} for t in result.decision.trials]
    return {"event": result.event_id, "rule": result.decision.rule,
            "chain": list(result.decision.chain), "outcome": result.state.value,
            "project": result.project_id, "stage": result.stage_id, "reason": result.reason,
            "rules_source": rules.source, "trials": trials}


@dataclass(frozen=True)
class Routed:
    """One routing outcome: the decision and, when the workspace refuses its target, why."""

    event_id: str
    decision: RoutingDecision
    state: FeedbackState
    project_id: str | None
    stage_id: str | None
    reason: str


def _outcome(s: Session, event: FeedbackEvent, decision: RoutingDecision) -> Routed:
    from dataflywheel.store.tables.plans import StageRow

    def triage(reason: str) -> Routed:
        return Routed(event.id, decision, FeedbackState.TRIAGE, None, None, reason)

    if decision.project is None:
        named = event.reported_project_id
        if named is not None and Projects(s).find(named) is None:
            return triage(f"{decision.reason}; the project it names, {named!r}, does not exist")
        return triage(decision.reason)
    if Projects(s).find(decision.project) is None:
        return triage(f"{decision.reason}, but project {decision.project!r} does not exist "
                      "(flywheel projects add, or edit the rule)")
    stage = decision.stage
    if stage is not None:
        row = s.get(StageRow, stage)
        if row is None or row.project_id != decision.project:
            return triage(f"{decision.reason}, but stage {stage!r} is not a stage of "
                          f"{decision.project}")
    return Routed(event.id, decision, FeedbackState.ROUTED, decision.project, stage, decision.reason)


def explain(ws: Workspace, event_id: str, *, rules: RuleSet) -> Routed:
    """What routing would do with one stored event, and why (changes nothing)."""
    with ws.db.session() as s:
        event = FeedbackEvents(s).get(event_id)
        return _outcome(s, event, decide(rules, facts_of(event)))


@dataclass
class RouteReport:
    routed: dict[str, list[str]] = field(default_factory=dict)
    triaged: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"routed": sum(len(v) for v in self.routed.values()), "by_rule": self.routed,
                "triaged": len(self.triaged), "triage_reasons": self.triaged}


def route_pending(ws: Workspace, *, rules: RuleSet, now: datetime | None = None) -> RouteReport:
    """Route every received or triaged event; an event that stays in triage keeps its reason."""
    report = RouteReport()
    with ws.db.unit_of_work() as s:
        repo = FeedbackEvents(s)
        pending = [e for state in PENDING for e in repo.list(state=state.value)]
        for event in pending:
            result = _outcome(s, event, decide(rules, facts_of(event)))
            _apply(ws, repo, event, result, now=now)
            if result.state is FeedbackState.ROUTED:
                report.routed.setdefault(result.decision.rule or "", []).append(event.id)
            else:
                report.triaged[event.id] = result.reason
    return report


def _apply(ws: Workspace, repo: FeedbackEvents, event: FeedbackEvent, result: Routed, *,
           now: datetime | None) -> None:
    if result.state is FeedbackState.TRIAGE and event.state is FeedbackState.TRIAGE:
        if event.triage_reason == result.reason:
            return
        after = event.model_copy(update={"triage_reason": result.reason})
        update_audited(repo, event, after, actor=ws.actor, action="feedback_event.triage",
                       reason=result.reason)
        return
    state = move(f"feedback event {event.id}", event.state, result.state)
    update: dict[str, Any] = {"state": state, "triage_reason": None, "route_rule": None}
    if state is FeedbackState.ROUTED:
        update.update(project_id=result.project_id, stage_id=result.stage_id,
                      route_rule=result.decision.rule)
    else:
        update.update(triage_reason=result.reason)
    after = FeedbackEvent.model_validate({**event.model_dump(), **update})
    update_audited(repo, event, after, actor=ws.actor, action=f"feedback_event.{state.value}",
                   reason=result.reason)


def assign(ws: Workspace, event_id: str, *, project_id: str, stage_id: str | None = None,
           reason: str) -> FeedbackEvent:
    """Route one event from the triage queue by hand (a person decided; the reason is kept)."""
    if not reason.strip():
        raise BadInput("routing an event by hand needs a reason", field="reason")
    with ws.db.unit_of_work() as s:
        repo = FeedbackEvents(s)
        event = repo.get(event_id)
        Projects(s).get(project_id)
        decision = RoutingDecision(f"manual:{ws.actor}", project_id, stage_id, (), (), reason)
        result = _outcome(s, event, decision)
        if result.state is not FeedbackState.ROUTED:
            raise NotFound(result.reason, kept=f"{event_id} is still {event.state.value}")
        _apply(ws, repo, event, result, now=None)
        return repo.get(event_id)


@dataclass(frozen=True)
class RuleCheck:
    """How one rule fares on the stored events: first matches, any matches, problems."""

    rule: str
    decides: int
    matches: int
    problems: tuple[str, ...]


def check_rules(ws: Workspace, *, rules: RuleSet) -> list[RuleCheck]:
    """Report rules that match no stored event, are always shadowed, or route nowhere real."""
    with ws.db.session() as s:
        events = [e for e in FeedbackEvents(s).list() if e.state is not FeedbackState.REJECTED]
        facts = [facts_of(e) for e in events]
        projects = {p.id for p in Projects(s).list()}
    decided: dict[str, int] = {}
    for f in facts:
        name = decide(rules, f).rule
        if name is not None:
            decided[name] = decided.get(name, 0) + 1
    checks: list[RuleCheck] = []
    for rule in rules.rules:
        matches = sum(all(c.held for c in check_conditions(rule.when, f)) for f in facts)
        problems: list[str] = []
        if matches == 0:
            problems.append(f"matches none of the {len(facts)} stored events")
        elif decided.get(rule.name, 0) == 0:
            problems.append("every event it matches is taken by an earlier rule")
        route, _ = rules.resolve(rule.name)
        if route.project != EVENT_PROJECT and route.project not in projects:
            problems.append(f"routes to project {route.project!r}, which does not exist")
        checks.append(RuleCheck(rule.name, decided.get(rule.name, 0), matches, tuple(problems)))
    return checks


def rules_shown(rules: RuleSet) -> dict[str, Any]:
    """The rules in force, in order: `flywheel feedback rules show --json` and its route alike."""
    return {"source": rules.source,
            "rules": [r.model_dump(mode="json", exclude_defaults=True) for r in rules.rules]}


def rules_checked(rules: RuleSet, checks: list[RuleCheck]) -> dict[str, Any]:
    """`check_rules`' answer: `flywheel feedback rules check --json` and its route alike."""
    return {"source": rules.source,
            "rules": [{"rule": c.rule, "decides": c.decides, "matches": c.matches,
                       "problems": list(c.problems)} for c in checks]}


def triage_queue(ws: Workspace) -> list[FeedbackEvent]:
    with ws.db.session() as s:
        return FeedbackEvents(s).triage_queue()
