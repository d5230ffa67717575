"""Records the Issue Pool and knowledge-base routes name in their paths: `{issue}` and `{document}`.

The issue is a new P2 of P-TEST (so the policy test's example requests can ack, assign and dismiss
it; a P2 closes without a post-mortem) with a complete draft post-mortem whose process change is
linked (so write, link and submit succeed); the document is a best practice of P-TEST.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dataflywheel.flows.workspace import Workspace

SECTIONS = {
    "event": "the Wednesday spot check found near-duplicates in a delivered batch",
    "impact": "one candidate version held back for a day",
    "timeline": [{"at": "2026-11-25T10:00:00Z", "what": "the spot check flagged the batch"}],
    "root_cause": "the near-duplicate check ran only on new vendors",
    "remediation": "deduplicated the batch and redelivered it",
    "preventive_measures": ["run the near-duplicate check on every delivery"],
    "process_change": "the contract now gates near-duplicates",
}


def seed_issues(ws: Workspace) -> dict[str, str]:
    from dataflywheel.flows.issues.kb import add_document
    from dataflywheel.flows.issues.lifecycle import open_issue
    from dataflywheel.flows.issues.postmortems import link_change, write

    issue = open_issue(ws, title="near-duplicate spike", severity="P2", source="spot_check",
                       project_id="P-TEST")
    write(ws, issue.id, **SECTIONS)
    link_change(ws, issue.id, kind="check", ref="near_duplicates")
    doc = add_document(ws, kind="best_practice", title="Deduplicate before sampling",
                       body="Run the near-duplicate check before the spot check.",
                       project_id="P-TEST")
    return {"issue": issue.id, "document": doc.id}
