"""A restricted frozen version built through the real flows (deliveries, datasheet, Legal's
compliance decision, the freeze gate), and a compliance exception that lets one person read it."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from datapool_helpers import setup_pool
from export_helpers import DATASHEET, deliver_rows, rows

from dataflywheel.domain.records.governance import ExceptionRecord
from dataflywheel.flows.workspace import Workspace

READER = "algorithm-engineer"


def restricted_frozen(ws: Workspace, tmp: Path, *, dataset: str = "user-logs") -> str:
    """Dataset `dataset` (restricted), one delivery of 12 rows, frozen through the gate."""
    from dataflywheel.flows.data import versions as flows
    from dataflywheel.flows.data.version_release import freeze

    pool = setup_pool(ws, sensitivity="restricted", purpose="training", dataset=dataset)
    batch = deliver_rows(ws, tmp / "logs.jsonl", rows("log", 12, 7), requirement=pool.requirement,
                         dataset=dataset)
    version = flows.create_version(ws, dataset, by="data-engineer", batch_ids=[batch.id])
    flows.set_datasheet(ws, version.id, DATASHEET, by="data-engineer")
    flows.decide_compliance(ws, version.id, by="legal-compliance", approve=True,
                            conclusion="restricted: user logs, readable by exception only")
    freeze(ws, version.id, by="data-owner")
    return version.id


def compliance_exception(ws: Workspace, version_id: str, now: datetime, *,
                         days: float = 2, access: tuple[str, ...] = (READER,)) -> ExceptionRecord:
    """An approved compliance exception covering `version_id` with `access` on its list."""
    from dataflywheel.flows.governance import exceptions

    req = exceptions.ExceptionRequest(
        type="compliance", scope="user logs for the refusal study", reason="licence unclear",
        usage_restriction="analysis only, no training", isolation_label="sandbox-7",
        outstanding_checks=["licence review"], expires_at=now + timedelta(days=days),
        version_ids=[version_id], project_id="P-TEST",
        source_description="app logs of 2026-10, consent scope under review",
        risk_level="high", access_list=list(access))
    record = exceptions.request(ws, req, requested_by="data-engineer", now=now)
    exceptions.approve(ws, record.id, approver="legal-compliance", now=now)
    return exceptions.approve(ws, record.id, approver="data-owner", now=now).exception
