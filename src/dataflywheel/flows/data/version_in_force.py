"""What governs a version right now: the access grants in force on it (on its registry asset or
its dataset's) and the approved exceptions covering it, its dataset or one of its batches.

The grants are those `flywheel access check` counts for a reader (`access_reads`: an asset of the
version, or its dataset's dataset asset, active and unexpired); the exceptions those the freeze
gate and the formal-experiment rule count (`exception_coverage.active_exceptions_covering`, which
first expires what is due). Reads only: the lazy expiry is not committed.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.governance import AccessGrant, Asset, AssetKind, ExceptionRecord
from dataflywheel.flows.workspace import Workspace


class InForce(BaseModel):
    """The version's grants in force (by id), the assets they are on, and its active exceptions
    (by id), at `at`."""

    version: str
    at: datetime
    assets: list[Asset]
    grants: list[AccessGrant]
    exceptions: list[ExceptionRecord]


def in_force(ws: Workspace, version_ref: str, *, now: datetime | None = None) -> InForce:
    """Grants and exceptions in force on the version (id or DATASET@N) at `now`."""
    from dataflywheel.flows.governance.exception_coverage import active_exceptions_covering
    from dataflywheel.store.repositories.data import DatasetVersions, resolve_version
    from dataflywheel.store.repositories.governance import AccessGrants, Assets

    at = now or utcnow()
    with ws.db.session() as s:
        version = resolve_version(s, version_ref)
        assets = {a.id: a for a in Assets(s).list(version_id=version.id)}
        assets |= {a.id: a for a in Assets(s).list(dataset_id=version.dataset_id,
                                                    kind=AssetKind.DATASET.value)}
        grants = [g for g in AccessGrants(s).where_in("asset_id", list(assets))
                  if g.is_active(at)] if assets else []
        found = {e.id: e for e in active_exceptions_covering(s, "version", version.id, at)}
        for batch in DatasetVersions(s).batches_of(version.id):
            found |= {e.id: e for e in active_exceptions_covering(s, "batch", batch.id, at)}
    return InForce(version=version.id, at=at, assets=[assets[k] for k in sorted(assets)],
                   grants=sorted(grants, key=lambda g: g.id),
                   exceptions=[found[k] for k in sorted(found)])
