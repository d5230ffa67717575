"""The P10 report over HTTP (`flywheel system report`), read team-wide like the rest of the
assembly view. The consistency check and the export have no route: the check runs the product's
own integrity commands (the whole object store re-hashed) in child processes, an operator's job on
the server's machine, and the export writes files where it runs; every artifact they hold is
here or on the other system routes."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from dataflywheel.api.deps import ActingWorkspace
from dataflywheel.api.policy import AnyPerson, Rule
from dataflywheel.api.routers.reports import ANSWERS, MEDIA
from dataflywheel.api.routers.system_runs import Since, Until
from dataflywheel.reports.system_report import P10Report

router = APIRouter(prefix="/api/v1/system", tags=["system"])
P = "/api/v1/system/projects/{project}"

POLICY: dict[tuple[str, str], Rule] = {
    ("GET", P + "/report"): AnyPerson(),
}


@router.get("/projects/{project}/report", response_model=P10Report, responses=ANSWERS)
def get_report(project: str, ws: ActingWorkspace, since: Since = None, until: Until = None,
               fmt: Annotated[Literal["json", "markdown"],
                              Query(alias="format")] = "json") -> Response:
    """The P10 report: JSON by default, `?format=markdown` for the page `p10_report.md` holds."""
    from dataflywheel.flows.assembly.deliverables import build, report_text

    return Response(report_text(build(ws, project, since=since, until=until), fmt),
                    media_type=MEDIA[fmt])
