"""The demo's Issue Pool story: a P1 issue that escalates and closes with a post-mortem and a
contract change, filed in the knowledge base and visible in the traceability answers.

Near-duplicates slipped into the K-12 SFT set through a vendor batch (12 % non-conforming, a formal
training set: P1 by Table 24-19). The issue was opened two days ago and acknowledged at once, but
the fix ran past its 48 h remediation deadline, so the escalation sweep takes it to the Data Owner.
The lesson is a new near-duplicate gate in the `sft-instructions` contract (2.0.0, activated on
short notice because of the incident); the blameless post-mortem links that version, is published
into the knowledge base, and only then does the issue close. Everything goes through the flows.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.console import Console

from dataflywheel.domain.policies.risk import tier_for_failed_batch
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.contract import ChangeClass, ChangeLogEntry, Contract, Threshold
from dataflywheel.domain.records.data import DatasetPurpose
from dataflywheel.errors import PolicyViolation
from dataflywheel.flows.issues import lifecycle as issues
from dataflywheel.flows.issues import kb
from dataflywheel.flows.issues import postmortems
from dataflywheel.flows.workspace import Workspace

CONTRACT = "sft-instructions"
DATA_OWNER, OWNER, EVALUATOR = "lin.wei", "sara.kim", "omar.haddad"


def _sft_contract(ws: Workspace, *, before: datetime) -> Contract:
    """The active sft-instructions contract, registered here if the contracts step did not run."""
    from dataflywheel.demo.contracts import example_text
    from dataflywheel.flows.contracts.lifecycle import list_contracts, register_contract
    from dataflywheel.integrations.odcs import parse_odcs

    for record, versions in list_contracts(ws):
        if record.id == CONTRACT:
            active = [v for v in versions if v.state.value == "active"]
            return parse_odcs(active[-1].document, source=active[-1].id)
    text = example_text(CONTRACT)
    register_contract(ws, parse_odcs(text, source=CONTRACT), text, by=DATA_OWNER, now=before)
    return parse_odcs(text, source=CONTRACT)


def with_near_duplicate_gate(old: Contract, *, on: datetime, issue_id: str) -> Contract:
    """The next major version: a new gate near_duplicate_rate < 2 % (a breaking change)."""
    data = old.model_dump(mode="json")
    major = int(old.version.split(".")[0]) + 1
    data["version"] = f"{major}.0.0"
    data["operational"]["thresholds"].append(
        Threshold(metric="near_duplicate_rate", op="<", value=0.02).model_dump(mode="json"))
    data["change"] = {
        "reason": f"{issue_id}: near-duplicates reached a formal training set; nothing gated them.",
        "impact": "Producers deduplicate (MinHash, Jaccard >= 0.8) before delivery; batches over "
                  "2 % near-duplicates fail the gate.",
        "change_class": ChangeClass.BREAKING.value,
        "compatibility_period_days": 7,
        "migration_note": "Run near-duplicate removal before delivery; the gate report lists the "
                          "clusters to drop.",
        "notice_days": old.change.notice_days,
        "log": [*data["change"]["log"], ChangeLogEntry(
            version=data["version"], date=on.date(), change_class=ChangeClass.BREAKING,
            summary="New gate: near_duplicate_rate < 2 %.").model_dump(mode="json")],
    }
    return Contract.model_validate(data)


def _contract_change(ws: Workspace, old: Contract, issue_id: str, now: datetime) -> str:
    from dataflywheel.flows.contracts.lifecycle import activate_version, propose
    from dataflywheel.integrations.odcs import dump_odcs

    new = with_near_duplicate_gate(old, on=now, issue_id=issue_id)
    proposal = propose(ws, new, dump_odcs(new, status="proposed"), source="demo", by=DATA_OWNER,
                       effective_from=now, now=now,
                       short_notice_reason=f"P1 incident {issue_id}: the gap is open today")
    activate_version(ws, proposal.version.id, by=DATA_OWNER, now=now)
    return proposal.version.id


def _post_mortem(ws: Workspace, issue_id: str, opened: datetime, version_id: str) -> None:
    postmortems.write(
        ws, issue_id, author_id=EVALUATOR,
        event="A vendor batch for the K-12 SFT set carried 12 % near-duplicate pairs.",
        impact="The candidate SFT version had to be rebuilt before any experiment used it.",
        timeline=[{"at": opened, "what": "spot check found repeated pairs; issue opened"},
                  {"at": opened + timedelta(minutes=40), "what": "acknowledged by the owner"},
                  {"at": opened + timedelta(hours=48), "what": "remediation deadline passed"},
                  {"at": utcnow(), "what": "batch deduplicated, contract gate active"}],
        root_cause="The SFT contract gated exact duplicates only; no step measured near-duplicates, "
                   "so the delivery passed every gate.",
        remediation="Deduplicated the batch (MinHash/LSH) and rebuilt the candidate version.",
        preventive_measures=["near-duplicate gate on every SFT delivery",
                             "vendor onboarding covers the deduplication step"],
        process_change=f"{CONTRACT} gains the gate near_duplicate_rate < 2 %.")
    postmortems.link_change(ws, issue_id, kind="contract_version", ref=version_id)
    postmortems.submit(ws, issue_id)
    postmortems.publish(ws, issue_id)


def demo_step(ws: Workspace, console: Console) -> None:
    """A P1 issue that escalates and closes with a post-mortem and a contract change."""
    now = utcnow()
    opened = now - timedelta(hours=50)
    contract = _sft_contract(ws, before=opened)
    tier = tier_for_failed_batch(0.12, DatasetPurpose.TRAINING)
    console.print(f"Table 24-19: 12 % non-conforming records in a formal training set → {tier.value}")
    issue = issues.open_issue(
        ws, title="Near-duplicates in the K-12 SFT vendor batch", severity=tier,
        source="spot_check", project_id="P-K12", owner_id=OWNER, reporter_id=EVALUATOR,
        description="12 % of pairs are near-duplicates of each other.", now=opened)
    console.print(f"{issue.id} opened {opened:%a %H:%M} UTC — respond by {issue.respond_by:%a %H:%M}, "
                  f"remediate by {issue.remediate_by:%a %H:%M}", highlight=False)
    issues.acknowledge(ws, issue.id, note="looking at the batch", now=opened + timedelta(minutes=40))
    issues.assign(ws, issue.id, owner_id=OWNER, now=opened + timedelta(minutes=41))
    for step in issues.escalate_overdue(ws, now=now):
        console.print(f"escalated {step.issue_id}: level {step.from_level} → {step.to_level}, "
                      f"notified {', '.join(step.notified)}"
                      + (f" ({step.note})" if step.note else ""), highlight=False)
    issues.resolve(ws, issue.id, resolution="batch deduplicated, candidate rebuilt",
                   root_cause="no near-duplicate gate in the SFT contract")
    try:
        issues.close(ws, issue.id)
    except PolicyViolation as refused:  # shown to the audience, then put right
        console.print(f"[yellow]close refused:[/] {refused}", highlight=False)
    version_id = _contract_change(ws, contract, issue.id, now)
    console.print(f"contract change: {version_id} active (gate near_duplicate_rate < 2 %)",
                  highlight=False)
    _post_mortem(ws, issue.id, opened, version_id)
    closed = issues.close(ws, issue.id)
    console.print(f"{closed.id} is {closed.state.value}: blameless post-mortem published, "
                  f"linked to {version_id}", highlight=False)
    _knowledge(ws, console)


def _knowledge(ws: Workspace, console: Console) -> None:
    from dataflywheel.flows.trace import trace

    pm_doc = kb.search(ws, "near duplicate", kind="post_mortem")[0]
    practice = kb.add_document(
        ws, kind="best_practice", title="Deduplicate before every SFT delivery",
        body="Run MinHash/LSH near-duplicate detection (Jaccard >= 0.8) on every batch; the "
             "contract gate rejects more than 2 % near-duplicates.", project_id="P-K12",
        author_id=EVALUATOR, links=[("kb", pm_doc.id)])
    hits = kb.search(ws, "near duplicate")
    console.print(f"knowledge base: '{practice.title}' ({practice.id}) links {pm_doc.id}; search "
                  f"'near duplicate' → {', '.join(h.id for h in hits)}", highlight=False)
    preventive = next(a for a in trace(ws) if a.key == "preventive")
    console.print(f"trace — {preventive.question} {preventive.answer}", highlight=False)
