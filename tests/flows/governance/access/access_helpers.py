"""Helpers for the access tests: datasets made through the flows, and what the store holds."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dataflywheel.flows.workspace import Workspace

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def make_dataset(ws: Workspace, name: str, *, sensitivity: str) -> str:
    from dataflywheel.flows.governance import access
    from dataflywheel.flows.data.versions import create_dataset

    create_dataset(ws, name, project_id="P-TEST", owner_id="data-owner", purpose="training",
                   sensitivity=sensitivity)
    return access.register(ws, by="data-owner", dataset=name, now=T0).id


def stored(ws: Workspace) -> tuple[int, list[Any], list[Any]]:
    """(audit entries, grants, assets): equal before and after means nothing was written."""
    from sqlalchemy import func, select

    from dataflywheel.store.repositories.governance import AccessGrants, Assets
    from dataflywheel.store.tables.audit import AuditEntryRow

    with ws.db.session() as s:
        audits = s.scalar(select(func.count()).select_from(AuditEntryRow)) or 0
        return audits, AccessGrants(s).list(), Assets(s).list()


def audits(ws: Workspace, action: str) -> int:
    from sqlalchemy import func, select

    from dataflywheel.store.tables.audit import AuditEntryRow

    with ws.db.session() as s:
        stmt = select(func.count()).select_from(AuditEntryRow).where(AuditEntryRow.action == action)
        return s.scalar(stmt) or 0
