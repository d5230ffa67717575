"""`/api/v1/datasets`: datasets over HTTP — list (paged), create in a project, show.

Thin: each route calls the flow `flywheel datasets …` calls (`flows.data.versions`) and answers
the record as the CLI's `--json` prints it. A dataset is a project's record: reading it needs a
role in its project (or team-wide); creating one needs a data owner or data engineer there.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import ConfigDict, Field

from dataflywheel.api.request_text import RequestBody
from dataflywheel.api.deps import ActingWorkspace
from dataflywheel.api.paging import PageOut, Paging, page_out
from dataflywheel.api.policy import Holds, Member, Rule
from dataflywheel.domain.policies.governance_intensity import GovernanceScenario
from dataflywheel.domain.records.data import Dataset, DatasetPurpose
from dataflywheel.domain.records.governance import Sensitivity
from dataflywheel.domain.roles import Role

router = APIRouter(prefix="/api/v1", tags=["datasets"])

DATASET_MAKERS = frozenset({Role.DATA_OWNER, Role.DATA_ENGINEER})

POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/datasets"): Member(scope="project"),
    ("POST", "/api/v1/projects/{project}/datasets"): Holds(roles=DATASET_MAKERS, scope="project"),
    ("GET", "/api/v1/datasets/{dataset}"): Member(scope="dataset"),
}


class DatasetIn(RequestBody):
    """A new dataset of the path's project (`flywheel datasets create NAME --project P …`)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "name": "api-raw-pool", "owner": "data-owner", "purpose": "training",
        "sensitivity": "internal", "description": "cleaned raw text for annotation"}]})

    name: str = Field(min_length=1, max_length=200)
    owner: str = Field(min_length=1, max_length=200, description="person id of its owner")
    purpose: DatasetPurpose = DatasetPurpose.TRAINING
    sensitivity: Sensitivity = Sensitivity.INTERNAL
    description: str = Field(default="", max_length=5000)
    scenario: GovernanceScenario | None = Field(
        default=None, description="Table 24-29 scenario; default from purpose and sensitivity")


@router.get("/datasets", response_model=PageOut[Dataset])
def list_datasets(ws: ActingWorkspace, paging: Paging,
                  project: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    """One page of datasets (the rows of `flywheel datasets list --json`), of one project if
    `project` is given; without it only team-wide role holders may list them all."""
    from dataflywheel.flows.data.versions import datasets

    return page_out(datasets(ws, project_id=project or None).page(paging.limit, paging.cursor))


@router.post("/projects/{project}/datasets", response_model=Dataset, status_code=201)
def create_dataset(project: str, body: DatasetIn, ws: ActingWorkspace) -> Dataset:
    """Register a dataset in `project` (409 when the name is taken, 404 for an unknown owner)."""
    from dataflywheel.flows.data.versions import create_dataset as create

    return create(ws, body.name, project_id=project, owner_id=body.owner, purpose=body.purpose,
                  sensitivity=body.sensitivity, description=body.description,
                  scenario=body.scenario.value if body.scenario else None)


@router.get("/datasets/{dataset}", response_model=Dataset)
def show_dataset(dataset: str, ws: ActingWorkspace) -> Dataset:
    """One dataset (`flywheel datasets show ID --json`)."""
    from dataflywheel.flows.data.versions import get_dataset

    return get_dataset(ws, dataset)
