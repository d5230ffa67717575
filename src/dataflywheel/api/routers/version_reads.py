"""`/api/v1/versions/{version}/…`: what the dashboard's version page shows besides the version
itself — its quality reports, the grants and exceptions in force on it, the experiments that used
it — so the page, the API and any client read the same figures from the same flows.

Reads only; a member of the version's project (or a team-wide role holder) may read them, as the
version itself (`GET /api/v1/versions/{version}`).
"""

from __future__ import annotations

from fastapi import APIRouter

from dataflywheel.api.deps import ActingWorkspace
from dataflywheel.api.policy import Member, Rule
from dataflywheel.domain.records.experiment import Experiment
from dataflywheel.flows.data.version_in_force import InForce
from dataflywheel.flows.data.version_quality import VersionQuality

router = APIRouter(prefix="/api/v1/versions", tags=["versions"])

V = "/api/v1/versions/{version}"
POLICY: dict[tuple[str, str], Rule] = {
    ("GET", f"{V}/quality"): Member(scope="version"),
    ("GET", f"{V}/in-force"): Member(scope="version"),
    ("GET", f"{V}/experiments"): Member(scope="version"),
}


@router.get("/{version}/quality", response_model=VersionQuality)
def quality(version: str, ws: ActingWorkspace) -> VersionQuality:
    """The union report of the version's batches and each batch's stored report (null: none)."""
    from dataflywheel.flows.data.version_quality import version_quality

    return version_quality(ws, version)


@router.get("/{version}/in-force", response_model=InForce)
def in_force(version: str, ws: ActingWorkspace) -> InForce:
    """The access grants active now on the version or its dataset, and the approved exceptions
    covering it, its dataset or one of its batches."""
    from dataflywheel.flows.data.version_in_force import in_force as read

    return read(ws, version)


@router.get("/{version}/experiments", response_model=list[Experiment])
def experiments(version: str, ws: ActingWorkspace) -> list[Experiment]:
    """The experiments that used the version, by experiment id."""
    from dataflywheel.flows.experiments.experiment_read import experiments_on_version

    return experiments_on_version(ws, version)
