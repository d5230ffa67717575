"""The Demand Pool's and the contracts' records the policy test's paths name, built through flows.

`{requirement}`: a complete P1 requirement of P-TEST, still `submitted` (triage succeeds for the
first member; accept/reject reach the Accountable check, data-owner); `{contract}`/`{semver}`:
contract cleaned-text of P-TEST, 1.0.0 active and 1.1.0 proposed (activate or reject succeeds for
the Data Owner).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dataflywheel.flows.workspace import Workspace

CONTRACT = "cleaned-text"


def seed_demand(ws: Workspace) -> dict[str, str]:
    from dataflywheel.api.routers.contracts import example_document
    from dataflywheel.domain.records.base import utcnow
    from dataflywheel.domain.records.demand import Priority, RequirementKind
    from dataflywheel.flows.contracts.lifecycle import propose, register_contract
    from dataflywheel.flows.demand.requirements import submit_requirement
    from dataflywheel.integrations.odcs import parse_odcs

    req = submit_requirement(
        ws, title="Seeded requirement", project_id="P-TEST", requester_id="algorithm-engineer",
        kind=RequirementKind.NEW_DATA, priority=Priority.P1, target_metric="GSM8K-zh +2",
        acceptance_criteria="10k rows", deadline=utcnow() + timedelta(days=60),
        responsible_id="data-engineer", accountable_id="data-owner")
    first = example_document(CONTRACT)
    register_contract(ws, parse_odcs(first), first, by="data-owner", project_id="P-TEST")
    second = example_document(CONTRACT, "1.1.0", "cleaning-rules-2.2")
    propose(ws, parse_odcs(second), second, source="seed", by="annotation-engineer")
    return {"requirement": req.id, "contract": CONTRACT, "semver": "1.1.0"}
