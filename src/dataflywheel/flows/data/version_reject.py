"""The release's other answer: the Accountable person rejects a candidate (candidate → abandoned).

Guarantees:
- only the Accountable person of `training_set_version_release` for the dataset's project may
  reject, with a reason; anyone else is refused and nothing is written;
- the move is one transaction on the locked version row: a candidate frozen first by a concurrent
  approval is not rejected (the attempt on a version that is no longer a candidate is refused and
  audited, as every change to a non-candidate is: `versions.refuse_audited`);
- an abandoned version is never deleted, never frozen, and no experiment may use it
  (`experiments.runs`); its creator is told why. The batches stay as they are: a new candidate
  may take them again.
"""

from __future__ import annotations

from datetime import datetime

from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.data import DatasetVersion
from dataflywheel.domain.states import VersionState, move
from dataflywheel.errors import BadInput, PolicyViolation
from dataflywheel.flows._audit import update_audited
from dataflywheel.flows.data.version_release import RELEASE_ITEM
from dataflywheel.flows.data.versions import locked_version, refuse_audited
from dataflywheel.flows.governance.raci import who
from dataflywheel.flows.notifications import notify
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.data import Datasets, DatasetVersions


class _NotCandidate(Exception):
    def __init__(self, version: DatasetVersion) -> None:
        self.version = version


def reject_release(ws: Workspace, version_ref: str, *, by: str, reason: str,
                   now: datetime | None = None) -> DatasetVersion:
    """Reject the release of a candidate: it becomes `abandoned` (see the module docstring)."""
    if not reason.strip():
        raise BadInput("a rejected release needs its reason", field="reason",
                       expected="a non-empty statement", kept="nothing was changed")
    now = now or utcnow()
    try:
        with ws.db.unit_of_work() as s:
            version = locked_version(s, version_ref)
            if version.state is not VersionState.CANDIDATE:
                raise _NotCandidate(version)
            ds = Datasets(s).get(version.dataset_id)
            accountable = who(s, RELEASE_ITEM, ds.project_id).accountable
            if by != accountable:
                raise PolicyViolation(
                    f"rejecting the release of {version.id} needs its Accountable person",
                    expected=accountable, got=by, kept=f"{version.id} is still a candidate")
            after = version.model_copy(update={"state": move(
                f"version {version.id}", version.state, VersionState.ABANDONED)})
            update_audited(DatasetVersions(s), version, after, actor=ws.actor,
                           action="version.reject", reason=f"release rejected by {by}: {reason}")
            notify(s, actor=ws.actor, to=version.created_by_id, kind="version_rejected",
                   record_kind="dataset_version", record_id=version.id, at=now,
                   subject=f"{ds.name} candidate {version.id} was not released",
                   body=f"rejected by {by}: {reason}")
            return after
    except _NotCandidate as refused:
        raise refuse_audited(ws, refused.version, "reject the release of", by=by) from None
