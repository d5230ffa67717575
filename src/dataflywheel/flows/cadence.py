"""The cadence reports (Tables 24-11, 24-12) from the records: today the Monday requirement sync.

A flow opens the read session and runs the report's query (`reports.monday.monday_sync`); the
CLI, the API and the demo render the context it returns. Reads only.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from dataflywheel.domain.calendar import iso_week, week_monday
from dataflywheel.errors import BadInput
from dataflywheel.flows.workspace import Workspace
from dataflywheel.reports.monday import MondaySync, monday_sync


def monday_report(ws: Workspace, *, week: str | None = None,
                  project: str | None = None) -> MondaySync:
    """The Monday sync of `week` (default: this week in the workspace's time zone), of one
    project or the whole team."""
    from dataflywheel.store.repositories.people import Projects

    week = week or iso_week(datetime.now(ZoneInfo(ws.settings.timezone)))
    try:
        week_monday(week)
    except ValueError:
        raise BadInput("not an ISO week", field="week", expected="e.g. 2026-W48",
                       got=week) from None
    with ws.db.session() as s:
        if project is not None:
            Projects(s).get(project)
        return monday_sync(s, week=week, project=project)
