"""The Data Pool's records for the API's path parameters: a requirement in progress, a dataset
(`api-sft`), the SFT contract (gates on a spot check), one delivered batch awaiting review and
one candidate version of the dataset, built through flows as the `team` workspace ("tester").

The route examples in `api/routers/deliveries.py` name this dataset and contract, so an allowed
caller's example delivery succeeds on this state; the batch awaits review so the review sheet and
the reviews example are answered (the first allowed reviewer may settle it: a 409 after that).
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from dataflywheel.flows.workspace import Workspace

DATASET = "api-sft"
CONTRACT = "sft-instructions@1.0.0"


def seed_data(ws: Workspace) -> dict[str, str]:
    from contract_fixtures import contract_text
    from datapool_helpers import requirement_in_progress, sentence, write_jsonl

    from dataflywheel.errors import AlreadyExists
    from dataflywheel.flows.contracts.lifecycle import register_contract
    from dataflywheel.flows.data.delivery import deliver
    from dataflywheel.flows.data.versions import create_dataset, create_version
    from dataflywheel.integrations.odcs import parse_odcs

    text = contract_text("sft-instructions")
    try:  # another pool's seed may have registered it already
        register_contract(ws, parse_odcs(text, source="sft"), text, by="data-owner",
                          project_id="P-TEST")
    except AlreadyExists:
        pass
    req_id = requirement_in_progress(ws, "SFT pairs over the API", annotation=True)
    dataset = create_dataset(ws, DATASET, project_id="P-TEST", owner_id="data-owner",
                             purpose="training", sensitivity="public")
    with tempfile.TemporaryDirectory() as tmp:
        rng = random.Random(3)
        rows = [{"instruction": sentence(rng), "output": sentence(rng), "annotator_id": "bl-07",
                 "confidence": 0.9, "revision_count": 0} for _ in range(60)]
        path = write_jsonl(Path(tmp) / "seed.jsonl", rows)
        batch = deliver(ws, [path], dataset=DATASET, contract_version_id=CONTRACT,
                        requirement_id=req_id, delivered_by="annotation-engineer",
                        engine="single").batch
    version = create_version(ws, dataset.id, by="data-engineer")
    return {"requirement": req_id, "dataset": dataset.id, "batch": batch.id,
            "version": version.id}
