"""Records the annotation-guide and vendor-lifecycle routes name in their paths: `{guide}`, its
`{version}` and `{vendor}`.

The guide is sft-guide 1.2.0 of P-TEST, added by its Annotation Engineer, so the policy test's
example requests meet a guide that exists (a change to the same text is refused as 400, not 403).
The vendor is onboarded (every onboarding evidence passed), so a dispatch example is accepted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from guide_helpers import guide_text

if TYPE_CHECKING:
    from dataflywheel.flows.workspace import Workspace


def seed_guides(ws: Workspace) -> dict[str, str]:
    from dataflywheel.flows.contracts.guides import add_guide

    added = add_guide(ws, guide_text().encode(), source="seed", by="annotation-engineer",
                      project_id="P-TEST")
    from dataflywheel.domain.records.people import Vendor
    from dataflywheel.flows.governance.people import add_vendor
    from dataflywheel.flows.vendors import record

    add_vendor(ws, Vendor(id="v-seed", name="Seed Labeling"))
    for kind in ("confidentiality", "compliance", "tool_training", "test_task"):
        record(ws, "v-seed", kind, score=0.95, by="annotation-engineer")
    return {"guide": added.version.guide_id, "version": added.version.version, "vendor": "v-seed"}
