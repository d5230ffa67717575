"""The Experiments pages: runs of a project or on one version with their status and metrics, and
the regressions with the issues they opened (`/experiments`); one run (`/experiments/{run}`); two
runs side by side (`/experiments/compare?a=RUN&b=RUN`).

The figures are what the API answers: the list is `GET /api/v1/experiments?project=` (or the runs
on `?version=`), a run is `experiment_detail` (`GET /api/v1/experiments/{experiment}`), the
comparison is `compare_experiments` (`GET /api/v1/experiments/{a}/compare?baseline=b`), and a
regression is that comparison against the run's own baseline.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from dataflywheel.api.deps import ActingWorkspace, Caller
from dataflywheel.api.policy import AnyPerson, Member, Rule
from dataflywheel.api.routers import experiments as experiments_api
from dataflywheel.errors import BadInput
from dataflywheel.reports.charts import vega_lite
from dataflywheel.web.pages.data import require
from dataflywheel.web.projects import project_choice
from dataflywheel.web.rendering import page_router, render_page

router = page_router()

POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/experiments"): AnyPerson(),
    ("GET", "/experiments/compare"): Member(scope="a", kind="experiment"),
    ("GET", "/experiments/{experiment}"): experiments_api.POLICY[
        ("GET", "/api/v1/experiments/{experiment}")],
}
"""`/experiments` defaults to the person's first project, so any person opens it; the project (or
the version) shown is then held to the API list's own rule, asked in the handler. A run, and the
first run of a comparison, to `Member` of the run's project, as their API routes; the second run
of a comparison is asked the same in the handler."""

RunRef = Annotated[str | None, Query(max_length=64)]


def compare_chart(comparison: dict[str, Any]) -> dict[str, Any]:
    """One bar per run for each metric both measured (the comparison's `deltas`)."""
    a, b = comparison["experiment"], comparison["baseline"]
    values = [{"metric": d["name"], "run": run, "value": d[key]}
              for d in comparison["deltas"] for run, key in ((b, "baseline"), (a, "value"))]
    spec = vega_lite(f"{a} against {b}", values, layer=[{"mark": "bar", "encoding": {
        "y": {"field": "metric", "type": "nominal", "title": None},
        "yOffset": {"field": "run", "type": "nominal"},
        "x": {"field": "value", "type": "quantitative"},
        "color": {"field": "run", "type": "nominal"},
        "tooltip": [{"field": "run"}, {"field": "metric"}, {"field": "value"}]}}])
    return spec | {"width": 560}


@router.get("/experiments", response_class=HTMLResponse)
def experiments_page(request: Request, ws: ActingWorkspace, who: Caller,
                     project: str | None = None, version: RunRef = None) -> HTMLResponse:
    """Runs of `?project=` (default: the person's first), or only those on `?version=`."""
    from dataflywheel.flows.experiments.experiment_read import experiments, experiments_on_version
    from dataflywheel.flows.experiments.experiment_regressions import regressions

    choice = project_choice(ws, who, project)
    if version:
        runs = experiments_on_version(ws, version)  # an unknown version: 404 naming it
        require(request, who, "GET", "/api/v1/versions/{version}", version=version)
    elif choice.current is None:
        runs = []
    else:
        require(request, who, "GET", "/api/v1/experiments", project=choice.current)
        runs = list(experiments(ws, project_id=choice.current).stream())
    return render_page(request, "experiments_index.html", title="Experiments", who=who,
                       choice=choice, runs=runs, version=version,
                       regressions=regressions(ws, runs),
                       metric_names=sorted({m for r in runs for m in r.metrics}))


@router.get("/experiments/compare", response_class=HTMLResponse)
def compare_page(request: Request, ws: ActingWorkspace, who: Caller, a: RunRef = None,
                 b: RunRef = None) -> HTMLResponse:
    """Run `a` against run `b` (the baseline side): the API's comparison, side by side."""
    from dataflywheel.flows.experiments.experiment_compare import compare_experiments
    from dataflywheel.flows.experiments.experiment_read import experiment_detail

    if not a or not b:
        raise BadInput("a comparison needs two runs", field="a" if not a else "b",
                       expected="/experiments/compare?a=RUN&b=RUN")
    if a == b:
        raise BadInput(f"cannot compare {a} with itself", field="b", got=b,
                       expected="another run than a")
    detail_b = experiment_detail(ws, b)  # an unknown run: 404 naming it
    require(request, who, "GET", "/api/v1/experiments/{experiment}", experiment=b)
    comparison = compare_experiments(ws, a, b)
    return render_page(request, "experiments_compare.html", title=f"Compare {a} with {b}",
                       who=who, a=experiment_detail(ws, a), b=detail_b,
                       comparison=comparison, chart_spec=compare_chart(comparison))


@router.get("/experiments/{experiment}", response_class=HTMLResponse)
def run_page(request: Request, experiment: str, ws: ActingWorkspace,
             who: Caller) -> HTMLResponse:
    """One run: metrics, versions used (state then and now), error samples, linked issues, and
    its regression against its baseline if it has one."""
    from dataflywheel.flows.experiments.experiment_read import experiment_detail, get_experiment
    from dataflywheel.flows.experiments.experiment_regressions import regressions

    detail: dict[str, Any] = experiment_detail(ws, experiment)
    found = regressions(ws, [get_experiment(ws, experiment)])
    return render_page(request, "experiments_run.html", title=f"Experiment {experiment}",
                       who=who, d=detail, e=detail["experiment"],
                       regression=found[0] if found else None)
