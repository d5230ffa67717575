"""The read-only views of the assembly layer for the CLI, the API and the demo: bottlenecks, the
cost model, the org operating model and the executive dashboard, each a `reports` query run in
one session (nothing here writes)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from dataflywheel.domain.policies.bottlenecks import RuleSet
from dataflywheel.domain.records.base import utcnow
from dataflywheel.errors import BadInput
from dataflywheel.flows.flywheel.runs import DEFAULT_WINDOW
from dataflywheel.flows.workspace import Workspace
from dataflywheel.reports import system_cost, system_dashboard, system_org
from dataflywheel.reports.system_bottlenecks import BottleneckRow, find_bottlenecks, rules_with


def window(since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    """`[since, until)`: until defaults to now, since to a week before; refused when reversed."""
    until = until or utcnow()
    since = since or until - DEFAULT_WINDOW
    if since >= until:
        raise BadInput("the window must end after it starts", field="since",
                       expected=f"a time before until ({until.isoformat()})",
                       got=since.isoformat())
    return since, until


def bottlenecks(ws: Workspace, *, since: datetime | None = None, until: datetime | None = None,
                rules: Path | None = None) -> tuple[RuleSet, list[BottleneckRow]]:
    """The rules applied (shipped, plus `rules`) and the bottlenecks they find in the window."""
    ruleset = rules_with(rules)
    since, until = window(since, until)
    with ws.db.session() as s:
        return ruleset, find_bottlenecks(s, ruleset, since=since, until=until)


def cost_model(ws: Workspace) -> system_cost.CostModel:
    with ws.db.session() as s:
        return system_cost.query(s)


def org_model(ws: Workspace) -> system_org.OrgModel:
    with ws.db.session() as s:
        return system_org.query(s)


def dashboard(ws: Workspace, project_id: str, *, since: datetime | None = None,
              until: datetime | None = None, rules: Path | None = None
              ) -> system_dashboard.Dashboard:
    """The executive dashboard of `project_id`'s plan over the window."""
    ruleset = rules_with(rules)
    since, until = window(since, until)
    with ws.db.session() as s:
        return system_dashboard.query(s, project_id, since=since, until=until, rules=ruleset)
