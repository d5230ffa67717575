"""Records the versions, datasets and trace routes name in their paths, built through flows.

A public dataset of P-TEST (`seeded["dataset"]`) with one clean delivered batch in a candidate
(`seeded["version"]`) whose release gate (a)-(e) passes, so the Accountable person's freeze
succeeds; `seeded["question"]` is a trace question. The cleaned-raw-pool contract is registered
only when another pool's seeder has not done it already; requirement, dataset and batch are this
seeder's own, so it composes with the others in any order.
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

from datapool_helpers import CONTRACT, FULL_DATASHEET, records, write_jsonl

from dataflywheel.flows.workspace import Workspace

DATASET = "seed-versions-pool"


def _contract(ws: Workspace) -> None:
    from contract_fixtures import contract_text

    from dataflywheel.flows.contracts.lifecycle import register_contract
    from dataflywheel.integrations.odcs import parse_odcs
    from dataflywheel.store.repositories.contracts import ContractVersions

    with ws.db.session() as s:
        if ContractVersions(s).find(CONTRACT) is not None:
            return
    text = contract_text("cleaned-raw-pool")
    register_contract(ws, parse_odcs(text, source="cleaned-raw-pool"), text, by="data-owner",
                      project_id="P-TEST")


def _requirement(ws: Workspace) -> str:
    from dataflywheel.domain.records.base import utcnow
    from dataflywheel.domain.records.demand import Priority, RequirementKind
    from dataflywheel.flows.demand import lifecycle as demand
    from dataflywheel.flows.demand.requirements import submit_requirement

    req = submit_requirement(ws, title="Raw pool for the versions API", project_id="P-TEST",
                             requester_id="algorithm-engineer", kind=RequirementKind.NEW_DATA,
                             priority=Priority.P1, target_metric="coverage",
                             acceptance_criteria="passes the contract",
                             responsible_id="data-engineer", accountable_id="data-owner",
                             deadline=utcnow() + timedelta(days=7))
    demand.triage(ws, req.id)
    demand.commit_week(ws, [req.id], week="2026-W48")
    demand.start(ws, req.id)
    return req.id


def seed_versions(ws: Workspace) -> dict[str, str]:
    from dataflywheel.flows.data.delivery import deliver
    from dataflywheel.flows.data.versions import create_dataset, create_version, set_datasheet

    _contract(ws)
    requirement = _requirement(ws)
    ds = create_dataset(ws, DATASET, project_id="P-TEST", owner_id="data-owner",
                        sensitivity="public")
    with tempfile.TemporaryDirectory(prefix="seed-versions-") as folder:
        path = write_jsonl(Path(folder) / "seed.jsonl", records("sv", 20, seed=7))
        batch = deliver(ws, [path], dataset=DATASET, contract_version_id=CONTRACT,
                        requirement_id=requirement, delivered_by="data-engineer",
                        engine="single").batch
    version = create_version(ws, ds.id, by="data-engineer", batch_ids=[batch.id])
    set_datasheet(ws, version.id, FULL_DATASHEET, by="data-engineer")
    return {"dataset": ds.id, "version": version.id, "question": "release"}
