"""Records the versions, datasets and trace routes name in their paths, built through flows.

A public dataset of P-TEST (`seeded["dataset"]`) with one clean delivered batch in a candidate
(`seeded["version"]`) whose release gate (a)-(e) passes, so the Accountable person's freeze
succeeds; `seeded["question"]` is a trace question. The cleaned-raw-pool contract is registered
only when another pool's seeder has not done it already; requirement, dataset and batch are this
seeder's own, so it composes with the others in any order.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from datapool_helpers import (
    CONTRACT,
    FULL_DATASHEET,
    records,
    requirement_in_progress,
    write_jsonl,
)

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
    return requirement_in_progress(ws, "Raw pool for the versions API")


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
