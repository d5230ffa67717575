"""Helpers for the release tests of the Data pages: a candidate of the demo workspace whose gate
passes but for the approval, assembled through the flows, as its people would."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dataflywheel.settings import Settings

ACCOUNTABLE = "lin.wei"   # A of training_set_version_release in P-K12 (Data Owner)
RESPONSIBLE = "tom.berg"  # R of it: sees the release, may not decide it
DATASET = "DS-0003"       # k12-clean-pool: its passed batches, internal data
BATCHES = ["B-0027", "B-0031", "B-0032", "B-0034"]


def make_candidate(settings: Settings) -> str:
    """A new candidate of k12-clean-pool with every passed batch, the datasheet of its current
    version and Legal/Compliance's approval; its id."""
    from dataflywheel.flows.data import versions
    from dataflywheel.flows.workspace import acting_as, open_workspace

    with open_workspace(settings) as base:
        ws = acting_as(base, "chen.jie")
        current = versions.get_dataset(ws, DATASET).current_version_id
        assert current is not None
        sheet = versions.get_version(ws, current)[0].datasheet.model_dump()
        candidate = versions.create_version(ws, DATASET, by="chen.jie", batch_ids=BATCHES)
        versions.set_datasheet(ws, candidate.id, sheet, by="chen.jie")
        legal = acting_as(base, "eva.novak")
        versions.decide_compliance(legal, candidate.id, by="eva.novak", approve=True,
                                   conclusion="licensed textbook exercises; no personal data")
        return candidate.id
