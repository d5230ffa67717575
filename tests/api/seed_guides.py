"""Records the annotation-guide routes name in their paths: `{guide}` and its `{version}`.

The guide is sft-guide 1.2.0 of P-TEST, added by its Annotation Engineer, so the policy test's
example requests meet a guide that exists (a change to the same text is refused as 400, not 403).
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
    return {"guide": added.version.guide_id, "version": added.version.version}
