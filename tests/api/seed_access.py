"""Records the access and exception routes name in their paths, built through the flows acting
as the `team` workspace's "tester" (an administrator holding no role, so never a decider):

- `asset`: dataset "access-raw" (confidential, owned by the data owner), registered as an asset;
- `grant`: a requested grant on it for the algorithm engineer, requested by tester: decided by
  the data owner (sharing Accountable) and Legal/Compliance, one each;
- `dataset`: "access-derived" (internal, owned by the data engineer), derived from access-raw,
  not registered: its steward registers it, Legal/Compliance re-grades it;
- `version`: a candidate version of access-derived, not registered;
- `exception`: a requested compliance exception of P-TEST covering access-raw, requested by
  tester: approved by Legal/Compliance and the data owner, one slot each.

The routes' examples name these by name or by their first ids ("access-raw", "DS-0001"); a pool
seeding `dataset`/`version` after this one may replace those two, and the access routes work on
any unregistered dataset and version.
"""

from __future__ import annotations

from datetime import timedelta

from dataflywheel.flows.workspace import Workspace


def seed_access(ws: Workspace) -> dict[str, str]:
    from dataflywheel.domain.records.base import utcnow
    from dataflywheel.flows.data.versions import create_dataset, create_version
    from dataflywheel.flows.governance import access, sensitivity
    from dataflywheel.flows.governance.exceptions import ExceptionRequest
    from dataflywheel.flows.governance.exceptions import request as request_exception

    now = utcnow()
    raw = create_dataset(ws, "access-raw", project_id="P-TEST", owner_id="data-owner",
                         sensitivity="confidential")
    asset = access.register(ws, by="data-owner", dataset=raw.id)
    grant = access.request(ws, asset.id, grantee="algorithm-engineer", purpose="evaluation",
                           expires_at=now + timedelta(days=30), requested_by="tester")
    derived = create_dataset(ws, "access-derived", project_id="P-TEST", owner_id="data-engineer",
                             sensitivity="internal")
    sensitivity.derive(ws, derived.id, source=raw.id, method="cleaning", by="data-engineer")
    version = create_version(ws, derived.id, by="data-engineer")
    exception = request_exception(ws, ExceptionRequest(
        type="compliance", scope="access-raw while its licence is confirmed",
        reason="the vendor's licence letter is pending", usage_restriction="evaluation only",
        isolation_label="licence-pending", outstanding_checks=["licence"],
        expires_at=now + timedelta(days=20), dataset_ids=[raw.id], project_id="P-TEST",
        source_description="vendor crawl, licence undetermined", risk_level="medium",
        access_list=["algorithm-engineer"]), requested_by="tester")
    return {"asset": asset.id, "grant": grant.id, "dataset": derived.id, "version": version.id,
            "exception": exception.id,
            # this pool's own tests use these: another pool may seed `dataset`/`version` too
            "access_dataset": derived.id, "access_version": version.id}
