"""What `flywheel contracts … --json` prints and `/api/v1/contracts…` answers, built once.

The CLI and the team server must give the same answer to the same question, so the JSON shape of a
contract's summary, a version (without its document), a version shown with its notices and a
proposal lives here, next to the flows that return the records, and both sides call it.
"""

from __future__ import annotations

from typing import Any

from dataflywheel.domain.records.contract import Contract, ContractNotice, ContractVersionRecord
from dataflywheel.flows.contracts.lifecycle import Proposal


def summary(contract: Contract) -> dict[str, Any]:
    """The four layers in brief: ids, roles, field names, thresholds, guide version."""
    return {
        "id": contract.id, "version": contract.version, "version_id": contract.version_id,
        "name": contract.name,
        "producer_role": contract.operational.producer_role.value,
        "consumer_role": contract.operational.consumer_role.value,
        "fields": [f.name for f in contract.structural.fields],
        "thresholds": [f"{t.metric} {t.op} {t.value:g}" for t in contract.operational.thresholds],
        "guide_version": contract.semantic.guide_version,
    }


def version_row(version: ContractVersionRecord) -> dict[str, Any]:
    """A stored version without its document and its diff (`import`, `activate`, `reject`)."""
    return version.model_dump(mode="json", exclude={"document", "changes"})


def version_shown(version: ContractVersionRecord, contract: Contract,
                  notices: list[ContractNotice]) -> dict[str, Any]:
    """A version with its contract in brief, its changes and its notices (`show`)."""
    return version_row(version) | {"contract": summary(contract), "changes": version.changes,
                                   "notices": [n.model_dump(mode="json") for n in notices]}


def proposal_row(proposal: Proposal) -> dict[str, Any]:
    """A proposed version with its changes described and the notices sent (`propose`)."""
    return version_row(proposal.version) | {
        "changes": [c.describe() for c in proposal.diff.changes],
        "notices": [n.model_dump(mode="json") for n in proposal.notices]}
