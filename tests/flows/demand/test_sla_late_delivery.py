"""A batch delivered after its contract's delivery deadline counts against SLA timeliness."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from datapool_helpers import CONTRACT, Pool, records, setup_pool, write_jsonl

from dataflywheel.domain.policies.sla import SlaDimension
from dataflywheel.flows.demand import lifecycle as demand
from dataflywheel.flows.data.delivery import Delivery, deliver
from dataflywheel.flows.workspace import Workspace


def _deliver(pool: Pool, path: Path, prefix: str, at: datetime) -> Delivery:
    write_jsonl(path, records(prefix, 20, seed=len(prefix)))
    return deliver(pool.ws, [path], dataset=pool.dataset, contract_version_id=CONTRACT,
                   requirement_id=pool.requirement, delivered_by="data-engineer",
                   engine="single", now=at)


def _time(ws: Workspace, req_id: str) -> tuple[str, str, bool]:
    status = next(s for s in demand.sla_report(ws) if s.requirement_id == req_id)
    time = next(d for d in status.dimensions if d.dimension is SlaDimension.TIME)
    return time.status, time.evidence, status.breached


def test_a_batch_after_friday_18_00_shanghai_makes_the_time_dimension_unmet(
    team: Workspace, tmp_path: Path
) -> None:
    """cleaned-raw-pool: weekly, friday 18:00 Asia/Shanghai (10:00 UTC)."""
    pool = setup_pool(team)
    _deliver(pool, tmp_path / "a.jsonl", "a", datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    assert _time(team, pool.requirement)[::2] == ("pending", False)
    late = _deliver(pool, tmp_path / "b.jsonl", "bb", datetime(2026, 11, 27, 10, 30, tzinfo=UTC))
    status, evidence, breached = _time(team, pool.requirement)
    assert (status, breached) == ("unmet", True)
    assert evidence == (f"late deliveries: {late.batch.id} received 2026-11-27T10:30:00+00:00 "
                        "after its deadline 2026-11-27T10:00:00+00:00 (cleaned-raw-pool@1.0.0: "
                        "weekly friday 18:00 Asia/Shanghai)")
