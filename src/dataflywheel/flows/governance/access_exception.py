"""Restricted data is "prohibited by default; approved by exception" (Table 24-20): a grant on it
rests on an approved compliance exception (Table 24-9) that covers the asset and lists the
grantee on its access list, and ends no later than the exception. When the exception expires or
is revoked, the grants resting on it are revoked (`flows._grant_moves.end_grants_resting_on`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from dataflywheel.domain.records.governance import (
    AccessGrant,
    Asset,
    ExceptionRecord,
    ExceptionType,
)
from dataflywheel.errors import PolicyViolation
from dataflywheel.flows.governance.exception_coverage import active_exceptions_covering

NOTHING = "nothing was stored"
ASK = ("flywheel exceptions request --type compliance --source-description TEXT --risk-level "
       "LEVEL --access PERSON --dataset|--version … --by PERSON")


def covering_compliance(session: Session, asset: Asset, at: datetime) -> list[ExceptionRecord]:
    """Active compliance exceptions covering the asset's version or dataset at `at` (after
    expiring what is due, which also revokes the grants resting on it)."""
    kind, key = (("version", asset.version_id) if asset.version_id else
                 ("dataset", str(asset.dataset_id)))
    found = active_exceptions_covering(session, kind, key, at)
    return [e for e in found if e.type is ExceptionType.COMPLIANCE]


def resting_exception(session: Session, asset: Asset, *, exception_id: str | None,
                      grantee: str, expires_at: datetime, at: datetime) -> ExceptionRecord:
    """The exception a grant on restricted `asset` rests on, or a refusal naming what is
    missing (no exception named, not active or not covering, grantee not listed, too long)."""
    if exception_id is None:
        raise PolicyViolation(
            f"asset {asset.id} is restricted: access is prohibited by default and approved by "
            "exception", field="exception", expected="--exception EXC naming an approved "
            "compliance exception that covers it and lists the grantee", kept=NOTHING, hint=ASK)
    active = {e.id: e for e in covering_compliance(session, asset, at)}
    record = active.get(exception_id)
    if record is None:
        raise PolicyViolation(
            f"exception {exception_id} is not an active compliance exception covering "
            f"{asset.id}", field="exception",
            expected="one of: " + (", ".join(sorted(active)) or "none is active"),
            got=exception_id, kept=NOTHING, hint=ASK)
    if grantee not in record.access_list:
        raise PolicyViolation(
            f"{grantee} is not on the access list of exception {exception_id}", field="grantee",
            expected="one of: " + ", ".join(record.access_list), got=grantee, kept=NOTHING)
    if expires_at > record.expires_at:
        raise PolicyViolation(
            f"a grant resting on exception {exception_id} ends no later than it",
            field="expires_at", expected=f"at most {record.expires_at.isoformat()}",
            got=expires_at.isoformat(), kept=NOTHING)
    return record


def rests_on_active(session: Session, grant: AccessGrant, asset: Asset, at: datetime) -> bool:
    """Whether `grant` rests on a compliance exception still active and covering its asset
    that lists its grantee (what a read of restricted data checks each time)."""
    if grant.exception_id is None:
        return False
    active = {e.id: e for e in covering_compliance(session, asset, at)}
    record = active.get(grant.exception_id)
    return record is not None and grant.grantee_id in record.access_list
