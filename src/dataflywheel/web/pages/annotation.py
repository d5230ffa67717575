"""Annotation governance in the dashboard: the guides and the vendors (issue 23's records).

`/guides` lists every guide with its versions (change class, who, why, notice); a version's page
shows its labels with their boundaries, the example library, the FAQ citing it and the guide
itself (its Markdown rendered without raw HTML). `/vendors` lists the vendors with whether each
may receive work and what it lacks (Table 24-21's onboarding); a vendor's page is its scorecard:
the evidence stage by stage, its batches' figures week by week (drawn), per guide version and per
annotator, its calibrations and drift alerts. Reads are team-wide, as the API's.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from dataflywheel.api.deps import ActingWorkspace, Caller
from dataflywheel.api.policy import AnyPerson, Rule
from dataflywheel.flows.contracts.guides import list_versions, show
from dataflywheel.flows.governance.people import list_vendors
from dataflywheel.flows.vendors import VendorScorecard, readiness, scorecard
from dataflywheel.reports.charts import VEGA_LITE_SCHEMA
from dataflywheel.web.rendering import page_router, render_page

router = page_router()

POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/guides"): AnyPerson(),
    ("GET", "/guides/{guide}/versions/{version}"): AnyPerson(),
    ("GET", "/vendors"): AnyPerson(),
    ("GET", "/vendors/{vendor}"): AnyPerson(),
}
"""Team-wide reads, as `GET /api/v1/guides…` and `GET /api/v1/vendors…` are."""


@cache
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table")


GUIDE_HEADING_SHIFT = 2
"""The guide sits under the page's "The guide" (an h2): its `#` becomes an h3, and so on."""


def guide_html(text: str) -> Markup:
    """A guide's Markdown as HTML: raw HTML in the file is shown as text, never run; its
    headings moved below the page's own (one h1 per page)."""
    md = _markdown()
    tokens = md.parse(text)
    for token in tokens:
        if token.type in {"heading_open", "heading_close"}:
            token.tag = f"h{min(6, int(token.tag[1]) + GUIDE_HEADING_SHIFT)}"
    return Markup(md.renderer.render(tokens, md.options, {}))  # noqa: S704 - html disabled


def week_chart(card: VendorScorecard) -> dict[str, Any]:
    """The vendor's batch figures week by week, one small chart per figure."""
    values = [{"week": w.week, "figure": name, "value": value, "batches": w.batches}
              for w in card.by_week for name, value in w.figures.items() if value is not None]
    return {
        "$schema": VEGA_LITE_SCHEMA, "title": f"{card.vendor_id} week by week",
        "data": {"values": values},
        "facet": {"field": "figure", "type": "nominal", "title": None}, "columns": 3,
        "spec": {"width": 200, "height": 90, "mark": {"type": "line", "point": True},
                 "encoding": {"x": {"field": "week", "type": "ordinal", "title": "ISO week"},
                              "y": {"field": "value", "type": "quantitative", "title": None},
                              "tooltip": [{"field": "week"}, {"field": "value"},
                                          {"field": "batches"}]}},
        "resolve": {"scale": {"y": "independent"}},
    }


@router.get("/guides", response_class=HTMLResponse)
def guides(request: Request, ws: ActingWorkspace, who: Caller) -> HTMLResponse:
    """Every guide and its versions, newest first."""
    by_guide: dict[str, list[Any]] = defaultdict(list)
    for version in list_versions(ws):
        by_guide[version.guide_id].append(version)
    for versions in by_guide.values():
        versions.sort(key=lambda v: (v.created_at, v.id), reverse=True)
    return render_page(request, "annotation_guides.html", title="Annotation guides", who=who,
                       guides=dict(sorted(by_guide.items())))


@router.get("/guides/{guide}/versions/{version}", response_class=HTMLResponse)
def guide_version(request: Request, guide: str, version: str, ws: ActingWorkspace,
                  who: Caller) -> HTMLResponse:
    """One version: labels, examples, FAQ and the guide itself."""
    view = show(ws, f"{guide}@{version}")
    return render_page(request, "annotation_guide.html", title=f"Guide {view.version.id}",
                       who=who, view=view, body=guide_html(view.text))


@router.get("/vendors", response_class=HTMLResponse)
def vendors(request: Request, ws: ActingWorkspace, who: Caller) -> HTMLResponse:
    """Every vendor, and whether it may receive work."""
    return render_page(request, "annotation_vendors.html", title="Vendors", who=who,
                       vendors=list_vendors(ws), missing=readiness(ws))


@router.get("/vendors/{vendor}", response_class=HTMLResponse)
def vendor(request: Request, vendor: str, ws: ActingWorkspace, who: Caller) -> HTMLResponse:
    """A vendor's scorecard (`GET /api/v1/vendors/{vendor}/scorecard`)."""
    card = scorecard(ws, vendor)
    return render_page(request, "annotation_vendor.html", title=f"Vendor {vendor}", who=who,
                       card=card, chart_spec=week_chart(card))
