"""The Data pages: each dataset's versions as a timeline (`/data`), and a version's page
(`/data/versions/{version}`) with its release gate, datasheet, quality reports, lineage, the
grants and exceptions in force, and the release decision.

Every figure comes from the flow its API route answers with: the version and its gate from
`version_view` (`GET /api/v1/versions/{version}`), the timelines from the datasets and versions
lists, the reports from the stored bytes `GET /api/v1/batches/{batch}/report` answers. The two
actions call the flows the API's release routes call (`freeze`, `reject_release`) as the session's
person, under the same rule (`Accountable(training_set_version_release)`): the buttons are
enabled only for that person, and the server refuses anyone else.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from dataflywheel.api.deps import ActingWorkspace, Caller
from dataflywheel.api.policy import AnyPerson, Rule
from dataflywheel.api.routers import datasets as datasets_api
from dataflywheel.api.routers import versions as versions_api
from dataflywheel.errors import PolicyViolation
from dataflywheel.flows.data.dataset_timeline import DatasetTimeline, dataset_timelines, last_change
from dataflywheel.flows.governance.tokens import Authenticated
from dataflywheel.reports.charts import vega_lite
from dataflywheel.web.access import permission
from dataflywheel.web.lineage_svg import diagram
from dataflywheel.web.projects import project_choice
from dataflywheel.web.rendering import page_router, render_page, see_other

router = page_router()

FREEZE = "/api/v1/versions/{version}/freeze"
REJECT = "/api/v1/versions/{version}/reject"
RELEASE_RULE = versions_api.POLICY[("POST", FREEZE)]
REJECT_RULE = versions_api.POLICY[("POST", REJECT)]

POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/data"): AnyPerson(),
    ("GET", "/data/datasets/{dataset}"): datasets_api.POLICY[
        ("GET", "/api/v1/datasets/{dataset}")],
    ("GET", "/data/versions/{version}"): versions_api.POLICY[("GET", "/api/v1/versions/{version}")],
    ("POST", "/data/versions/{version}/release"): RELEASE_RULE,
    ("POST", "/data/versions/{version}/reject"): REJECT_RULE,
}
"""`/data` defaults to the person's first project, so any person opens it; the project shown is
then held to the datasets list's own rule (`Member(project)`), asked in the handler."""

Reason = Annotated[str, Form(min_length=1, max_length=2000)]
Cursor = Annotated[str | None, Query(max_length=500)]
PAGE_SIZE = 100


def require(request: Request, who: Authenticated, method: str, api_path: str,
            **params: str) -> None:
    """Refuse (403, naming the rule) what the API route's rule would refuse."""
    allowed = permission(request, who, method, api_path, **params)
    if not allowed:
        raise PolicyViolation(f"{who.person_id} may not read this: only {allowed.only} may",
                              kept="nothing was read", hint="flywheel raci show")


def timeline_chart(timelines: list[DatasetTimeline]) -> dict[str, Any]:
    """Each version as a point on its dataset's line, at its last state change, by state."""
    values = [{"dataset": t.dataset.name, "version": v.label, "state": v.state.value,
               "since": last_change(v).isoformat()} for t in timelines for v in t.versions]
    spec = vega_lite("Versions by dataset", values, layer=[
        {"mark": {"type": "line", "color": "#8c959f"},
         "encoding": {"x": {"field": "since", "type": "temporal", "title": "last state change"},
                      "y": {"field": "dataset", "type": "nominal", "title": None},
                      "detail": {"field": "dataset"}}},
        {"mark": {"type": "point", "filled": True, "size": 90},
         "encoding": {"x": {"field": "since", "type": "temporal"},
                      "y": {"field": "dataset", "type": "nominal"},
                      "shape": {"field": "state", "type": "nominal"},
                      "color": {"field": "state", "type": "nominal"},
                      "tooltip": [{"field": "version"}, {"field": "state"},
                                  {"field": "since", "type": "temporal"}]}},
    ])
    return spec | {"width": 860, "height": 36 * max(1, len(timelines))}


@router.get("/data", response_class=HTMLResponse)
def data_page(request: Request, ws: ActingWorkspace, who: Caller,
              project: str | None = None) -> HTMLResponse:
    """Datasets of `?project=` (default: the person's first) with their versions in order."""
    choice = project_choice(ws, who, project)
    if choice.current is None:
        return render_page(request, "data_index.html", title="Data", who=who, choice=choice,
                           timelines=None, timeline=None)
    require(request, who, "GET", "/api/v1/datasets", project=choice.current)
    timelines = dataset_timelines(ws, choice.current)
    return render_page(request, "data_index.html", title=f"Data {choice.current}", who=who,
                       choice=choice, timelines=timelines,
                       timeline=timeline_chart(timelines) if any(t.versions for t in timelines)
                       else None)


@router.get("/data/datasets/{dataset}", response_class=HTMLResponse)
def dataset_page(request: Request, dataset: str, ws: ActingWorkspace, who: Caller,
                 cursor: Cursor = None) -> HTMLResponse:
    """Every version of one dataset, a page at a time: the page `GET /api/v1/versions?dataset=`
    answers for the same cursor."""
    from dataflywheel.flows.data.versions import get_dataset, versions

    found = get_dataset(ws, dataset)
    page = versions(ws, found.id).page(PAGE_SIZE, cursor or None)
    return render_page(request, "data_dataset.html", title=f"Dataset {found.name}", who=who,
                       dataset=found, page=page, cursor=cursor)


@router.get("/data/versions/{version}", response_class=HTMLResponse)
def version_page(request: Request, version: str, ws: ActingWorkspace,
                 who: Caller) -> HTMLResponse:
    """The version's page: gate, datasheet, quality, lineage, governance and the decision."""
    from dataflywheel.flows.data.version_graph import KINDS, version_graph
    from dataflywheel.flows.data.version_in_force import in_force
    from dataflywheel.flows.data.version_quality import version_quality
    from dataflywheel.flows.data.version_view import version_view
    from dataflywheel.flows.data.versions import get_dataset
    from dataflywheel.flows.experiments.experiment_read import experiments_on_version
    from dataflywheel.reports.quality import breakdown_rows, gates_chart

    view = version_view(ws, version)
    dataset = get_dataset(ws, view.dataset_id)
    graph = version_graph(ws, view.id)
    release = permission(request, who, "POST", FREEZE, version=view.id)
    name = f"{dataset.name}@{view.number}" if view.number is not None else view.id
    return render_page(
        request, "data_version.html", title=f"Version {name}", who=who, v=view, name=name,
        dataset=dataset, quality=version_quality(ws, view.id), graph=graph, kinds=KINDS,
        diagram=diagram(graph), governance=in_force(ws, view.id),
        experiments=experiments_on_version(ws, view.id), gates_chart=gates_chart,
        breakdown_rows=breakdown_rows, release=release,
        blocking=[c for c in view.gate if not c.met and c.code != "f"])


@router.post("/data/versions/{version}/release", response_class=RedirectResponse)
def release_version(version: str, ws: ActingWorkspace) -> RedirectResponse:
    """Approve the release: the freeze the API's route runs, approved by the session's person."""
    from dataflywheel.flows.data.version_release import freeze

    frozen = freeze(ws, version, by=ws.actor)
    return see_other(f"/data/versions/{frozen.id}",
                     notice=f"{frozen.label} is frozen (manifest {frozen.manifest_sha256})")


@router.post("/data/versions/{version}/reject", response_class=RedirectResponse)
def reject_version(version: str, ws: ActingWorkspace, reason: Reason) -> RedirectResponse:
    """Reject the release: the candidate becomes abandoned, as the API's route does it."""
    from dataflywheel.flows.data.version_reject import reject_release

    rejected = reject_release(ws, version, by=ws.actor, reason=reason)
    return see_other(f"/data/versions/{rejected.id}",
                     notice=f"the release of {rejected.id} was rejected: it is abandoned")
