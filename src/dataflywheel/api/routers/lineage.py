"""Lineage over HTTP: where a version came from, what depends on a batch, a requirement's path to
its versions, what was checked under a contract or guide version, and the OpenLineage events.

The same flows as `flywheel lineage …` and the same JSON as its `--json` (the two lists are paged
here: `items` holds the rows the CLI prints). Reads only.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from dataflywheel.api.deps import ActingWorkspace
from dataflywheel.api.paging import PageOut, Paging, page_out
from dataflywheel.api.policy import AnyPerson, Member, Rule
from dataflywheel.domain.records.data import Batch
from dataflywheel.errors import BadInput
from dataflywheel.flows.data.version_graph import LineageGraph
from dataflywheel.flows.data.lineage import (
    BatchDependents, RequirementPath, VersionLineage, batch_dependents, checked_listing,
    requirement_path, version_lineage,
)
from dataflywheel.store.paging import Page, decode_cursor, encode_cursor

router = APIRouter(prefix="/api/v1/lineage", tags=["lineage"])

POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/lineage/versions/{version}"): Member(scope="version"),
    ("GET", "/api/v1/lineage/versions/{version}/graph"): Member(scope="version"),
    ("GET", "/api/v1/lineage/batches/{batch}"): Member(scope="batch"),
    ("GET", "/api/v1/lineage/requirements/{requirement}"): Member(scope="requirement"),
    ("GET", "/api/v1/lineage/checked"): AnyPerson(),
    ("GET", "/api/v1/lineage/events"): AnyPerson(),
}


@router.get("/versions/{version}", response_model=VersionLineage)
def of_version(version: str, ws: ActingWorkspace) -> VersionLineage:
    """The batches and sources that make up a version (ID or DATASET@N)."""
    return version_lineage(ws, version)


@router.get("/versions/{version}/graph", response_model=LineageGraph)
def graph_of_version(version: str, ws: ActingWorkspace) -> LineageGraph:
    """The version's lineage as one graph: requirement → batches → version → experiments →
    issues → fixes (post-mortems), nodes by column and id, edges by source and target."""
    from dataflywheel.flows.data.version_graph import version_graph

    return version_graph(ws, version)


@router.get("/batches/{batch}", response_model=BatchDependents)
def of_batch(batch: str, ws: ActingWorkspace) -> BatchDependents:
    """The versions, experiments, issues and exceptions that depend on a batch."""
    return batch_dependents(ws, batch)


@router.get("/requirements/{requirement}", response_model=RequirementPath)
def of_requirement(requirement: str, ws: ActingWorkspace) -> RequirementPath:
    """From a requirement to its batches, the versions holding them, and their experiments."""
    return requirement_path(ws, requirement)


@router.get("/checked", response_model=PageOut[Batch])
def checked(ws: ActingWorkspace, paging: Paging,
            contract: Annotated[str | None, Query(max_length=300,
                                                  description="contract version ID@SEMVER")] = None,
            guide: Annotated[str | None, Query(max_length=100,
                                               description="annotation guide version")] = None,
            ) -> Response:
    """One page of the batches checked under a contract version or a guide version (name
    exactly one; 400 otherwise)."""
    listing = checked_listing(ws, contract_version=contract or None, guide_version=guide or None)
    return page_out(listing.page(paging.limit, paging.cursor))


@router.get("/events", response_model=PageOut[dict[str, Any]])
def events(ws: ActingWorkspace, paging: Paging) -> Response:
    """One page of the OpenLineage run events the workspace wrote, oldest first."""
    from dataflywheel.integrations.openlineage import read_events

    found = read_events(ws.settings)
    start = decode_cursor(paging.cursor, 1)[0] if paging.cursor else 0
    if not isinstance(start, int) or not 0 <= start <= len(found):
        raise BadInput("not a cursor of this list", field="cursor", got=paging.cursor,
                       expected="the next_cursor of a previous page")
    end = start + paging.limit
    page = Page(found[start:end], encode_cursor([end]) if end < len(found) else None,
                max(0, len(found) - end))
    return page_out(page, dict)
