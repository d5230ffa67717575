"""The five SLA dimensions of a requirement, from real deliveries, versions and releases."""

from __future__ import annotations

from pathlib import Path

from datapool_helpers import FULL_DATASHEET, deliver_clean, setup_pool

from dataflywheel.domain.policies.sla import SlaDimension
from dataflywheel.flows.demand import lifecycle as demand
from dataflywheel.flows.data import versions
from dataflywheel.flows.data.version_release import freeze
from dataflywheel.flows.workspace import Workspace


def _dims(ws: Workspace, req_id: str) -> dict[str, str]:
    status = next(s for s in demand.sla_report(ws) if s.requirement_id == req_id)
    return {d.dimension.value: d.status for d in status.dimensions}


def test_dimensions_follow_the_delivery(team: Workspace, tmp_path: Path) -> None:
    pool = setup_pool(team)
    assert _dims(team, pool.requirement) == {
        "time": "pending", "quality": "pending", "availability": "pending",
        "traceability": "pending", "compliance": "pending"}
    good = deliver_clean(pool, tmp_path / "good.jsonl", "g", seed=1)
    bad = deliver_clean(pool, tmp_path / "bad.jsonl", "b", seed=2, blank_every=2)
    assert _dims(team, pool.requirement)["quality"] == "unmet"
    candidate = versions.create_version(team, pool.dataset, by="data-engineer",
                                        batch_ids=[good.batch.id])
    versions.set_datasheet(team, candidate.id, FULL_DATASHEET, by="data-engineer")
    frozen = freeze(team, candidate.id, by="data-owner")
    demand.deliver(team, pool.requirement, version_ids=[frozen.id])
    status = next(s for s in demand.sla_report(team) if s.requirement_id == pool.requirement)
    dims = {d.dimension: d for d in status.dimensions}
    assert dims[SlaDimension.TIME].status == "met"
    assert dims[SlaDimension.QUALITY].status == "unmet"
    assert dims[SlaDimension.QUALITY].evidence == f"failed batches: {bad.batch.id}"
    assert dims[SlaDimension.AVAILABILITY].evidence == f"frozen: {frozen.id}"
    assert dims[SlaDimension.TRACEABILITY].evidence == f"{frozen.id} ← {good.batch.id}"
    assert dims[SlaDimension.COMPLIANCE].status == "met"
