"""The demo's contracts: the four example contracts, and one breaking change with its notices.

`seed_contracts` is called by the demo scenario after the team is seeded; it goes through the
same flows as the CLI, so every step is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from importlib.resources import files
from typing import TYPE_CHECKING

from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.contract import (
    ChangeClass,
    ChangeLogEntry,
    Contract,
    ContractField,
    ContractVersionRecord,
    FieldSemantics,
)
from dataflywheel.domain.roles import Role
from dataflywheel.flows.contracts.lifecycle import Proposal, holders_of, propose, register_contract
from dataflywheel.flows.workspace import Workspace
from dataflywheel.integrations.odcs import dump_odcs, parse_odcs

if TYPE_CHECKING:
    from rich.console import Console

EXAMPLES = ("cleaned-raw-pool", "sft-instructions", "preference-pairs", "eval-set")


@dataclass
class SeededContracts:
    versions: list[ContractVersionRecord]
    proposal: Proposal


def example_text(contract_id: str) -> str:
    """The shipped `*.odcs.yaml` text of one example contract."""
    resource = files("dataflywheel.demo").joinpath("contracts", f"{contract_id}.odcs.yaml")
    return resource.read_text(encoding="utf-8")


def seed_contracts(ws: Workspace, *, project_id: str | None = None, now: datetime | None = None,
                   registered: datetime | None = None) -> SeededContracts:
    """Register the four examples (by the Data Owner; at `registered`, default `now`) and propose
    cleaned-raw-pool 2.0.0 (by a Data Engineer, at `now`): a new required field, so a breaking
    change with notices to the C and I people."""
    now = now or utcnow()
    owner = holders_of(ws, Role.DATA_OWNER, project_id)[0]
    engineer = holders_of(ws, Role.DATA_ENGINEER, project_id)[0]
    versions = [
        register_contract(ws, parse_odcs(text, source=cid), text, by=owner, project_id=project_id,
                          now=registered or now)
        for cid, text in ((cid, example_text(cid)) for cid in EXAMPLES)
    ]
    new = breaking_raw_pool(parse_odcs(example_text("cleaned-raw-pool"), source="cleaned-raw-pool"),
                            on=now)
    proposal = propose(ws, new, dump_odcs(new, status="proposed"), source="demo", by=engineer,
                       now=now)
    return SeededContracts(versions=versions, proposal=proposal)


def breaking_raw_pool(old: Contract, *, on: datetime) -> Contract:
    """cleaned-raw-pool 2.0.0: every document now states its language (a new required field)."""
    data = old.model_dump(mode="json")
    data["version"] = "2.0.0"
    language = ContractField(name="language", type="string", enum=["zh", "en", "mixed"])
    data["structural"]["fields"].append(language.model_dump(mode="json"))
    data["semantic"]["fields"]["language"] = FieldSemantics(
        meaning="Main language of the content, detected after cleaning.",
        boundary="'mixed' when no language covers 80 % of the characters.").model_dump(mode="json")
    data["change"] = {
        "reason": "Annotation routes documents to annotators by language.",
        "impact": "Producers must add `language` to every record; consumers may rely on it.",
        "change_class": ChangeClass.BREAKING.value,
        "compatibility_period_days": 30,
        "migration_note": "Run the language detector of cleaning-rules-2.2 and write its label "
                          "into `language`; batches without it are accepted under 1.0.0 until the "
                          "compatibility period ends.",
        "notice_days": old.change.notice_days,
        "log": [*data["change"]["log"], ChangeLogEntry(
            version="2.0.0", date=on.date(), change_class=ChangeClass.BREAKING,
            summary="New required field `language`.").model_dump(mode="json")],
    }
    return Contract.model_validate(data)


def demo_step(ws: Workspace, console: Console, *,
              registered: datetime | None = None) -> SeededContracts:
    """The demo step: seed the contracts (registered at `registered`, default now), then show
    them, their plans and the breaking change."""
    from rich.table import Table

    from dataflywheel.flows.contracts.contract_plan import compile_plan

    seeded = seed_contracts(ws, registered=registered)
    table = Table(title="Interface contracts (ODCS v3.1.0)")
    for column in ("version", "producer → consumer", "fields", "gates", "plan checks"):
        table.add_column(column)
    for version in seeded.versions:
        contract = parse_odcs(version.document, source=version.id)
        plan = compile_plan(contract)
        optional = [name for name, spec in plan.checks.model_dump().items()
                    if isinstance(spec, dict) and spec]
        ops = contract.operational
        table.add_row(version.id, f"{ops.producer_role.value} → {ops.consumer_role.value}",
                      str(len(contract.structural.fields)), str(len(ops.thresholds)),
                      ", ".join(optional) or "-")
    console.print(table)
    p = seeded.proposal
    console.print(f"Proposed {p.version.id} ({p.version.change_class.value}) by {p.version.proposed_by}: "
                  + "; ".join(c.describe() for c in p.diff.changes), highlight=False, markup=False)
    console.print(f"  effective {p.version.effective_from:%Y-%m-%d}, old version accepted until "
                  f"{p.version.compatibility_until:%Y-%m-%d}; notices sent to "
                  + ", ".join(f"{n.person_id} ({n.letter})" for n in p.notices), highlight=False)
    return seeded
