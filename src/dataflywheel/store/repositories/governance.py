"""Repositories of governance: exceptions (covers, approvals), assets, asset uses, grants."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from dataflywheel.domain.records.governance import (
    AccessGrant, Asset, AssetUse, Derivation, ExceptionApproval, ExceptionCover, ExceptionRecord,
    Regrade,
)
from dataflywheel.domain.states import ExceptionState, GrantState
from dataflywheel.store.allocator import next_sequential_id
from dataflywheel.store.repositories.base import Repository
from dataflywheel.store.tables.governance import (
    AccessGrantRow, AssetRow, AssetUseRow, DerivationRow, ExceptionApprovalRow, ExceptionCoverRow,
    ExceptionRow, RegradeRow,
)


class Exceptions(Repository[ExceptionRecord, ExceptionRow]):
    record_type, row_type, kind, hint = (
        ExceptionRecord, ExceptionRow, "exception", "flywheel exceptions list",
    )

    def next_id(self) -> str:
        return next_sequential_id(self.session, ExceptionRow, "EXC")

    def active_covering_batch(self, batch_id: str, *, at: datetime) -> list[ExceptionRecord]:
        """Approved exceptions that cover batch `batch_id` and have not expired at `at`."""
        rows = self.session.scalars(
            select(ExceptionRow)
            .join(ExceptionCoverRow, ExceptionCoverRow.exception_id == ExceptionRow.id)
            .where(ExceptionCoverRow.batch_id == batch_id,
                   ExceptionRow.state == ExceptionState.APPROVED.value,
                   ExceptionRow.expires_at > at)
            .order_by(ExceptionRow.id)
        ).all()
        return [self.to_record(r) for r in rows]

    def due_to_expire(self, *, at: datetime) -> list[ExceptionRecord]:
        """Approved exceptions whose expiry is at or before `at` (to revoke themselves)."""
        rows = self.session.scalars(
            select(ExceptionRow).where(ExceptionRow.state == ExceptionState.APPROVED.value,
                                       ExceptionRow.expires_at <= at).order_by(ExceptionRow.id)
        ).all()
        return [self.to_record(r) for r in rows]


class ExceptionCovers(Repository[ExceptionCover, ExceptionCoverRow]):
    record_type, row_type, kind = ExceptionCover, ExceptionCoverRow, "exception cover"


class ExceptionApprovals(Repository[ExceptionApproval, ExceptionApprovalRow]):
    record_type, row_type, kind = ExceptionApproval, ExceptionApprovalRow, "exception approval"


class Assets(Repository[Asset, AssetRow]):
    record_type, row_type, kind, hint = Asset, AssetRow, "asset", "flywheel access list --assets"

    def reused(self, *, min_projects: int = 2) -> list[tuple[Asset, int]]:
        """Assets used by at least `min_projects` projects, with the count, by asset id."""
        rows = self.session.execute(
            select(AssetRow, func.count(AssetUseRow.project_id))
            .join(AssetUseRow, AssetUseRow.asset_id == AssetRow.id)
            .group_by(AssetRow.id).having(func.count(AssetUseRow.project_id) >= min_projects)
            .order_by(AssetRow.id)
        ).all()
        return [(self.to_record(row), int(n)) for row, n in rows]


class AssetUses(Repository[AssetUse, AssetUseRow]):
    record_type, row_type, kind = AssetUse, AssetUseRow, "asset use"


class AccessGrants(Repository[AccessGrant, AccessGrantRow]):
    record_type, row_type, kind, hint = (
        AccessGrant, AccessGrantRow, "access grant", "flywheel access list",
    )

    def next_id(self) -> str:
        return next_sequential_id(self.session, AccessGrantRow, "GRT")

    def expiring(self, *, after: datetime, until: datetime) -> list[AccessGrant]:
        """Active grants that expire in (`after`, `until`], soonest first."""
        rows = self.session.scalars(
            select(AccessGrantRow).where(AccessGrantRow.state == GrantState.ACTIVE.value,
                                         AccessGrantRow.expires_at > after,
                                         AccessGrantRow.expires_at <= until)
            .order_by(AccessGrantRow.expires_at, AccessGrantRow.id)
        ).all()
        return [self.to_record(r) for r in rows]


class Derivations(Repository[Derivation, DerivationRow]):
    record_type, row_type, kind, hint = (
        Derivation, DerivationRow, "derivation", "flywheel access grade DATASET",
    )

    def next_id(self) -> str:
        return next_sequential_id(self.session, DerivationRow, "DRV")


class Regrades(Repository[Regrade, RegradeRow]):
    record_type, row_type, kind, hint = (
        Regrade, RegradeRow, "regrade", "flywheel access grade DATASET",
    )

    def next_id(self) -> str:
        return next_sequential_id(self.session, RegradeRow, "RGD")

    def latest(self, dataset_id: str) -> Regrade | None:
        """The re-grade that counts for `dataset_id`: the most recent one."""
        found = sorted(self.list(dataset_id=dataset_id), key=lambda r: (r.approved_at, r.id))
        return found[-1] if found else None
