"""Table 24-21 cell for cell, each of its stages kept by one stage of the vendor lifecycle, and
each stage holding evidence kinds."""

from __future__ import annotations

from dataflywheel.domain.records.vendor import STAGE_OF, TABLE_24_21, TABLE_STAGE, VendorStage

# Transcribed from the chapter (ch24, "Table 24-21: DataOps Control Points for Outsourcing
# Annotation Collaboration"): Outsourcing Governance Stage, Key Control Points, Recommended Evidence.
TRANSCRIPTION = [
    ("Onboarding", "Have confidentiality, compliance, and tool-training been completed?", "Training records, permission approvals, test-task results"),
    ("Task dispatch", "Are official annotation guides and versioned examples being used?", "Task IDs, guide versions, example-library citations"),
    ("In-process monitoring", "Is there quality drift or response delay?", "Calibration task results, rework rate, proportion of disputed samples"),
    ("Delivery acceptance", "Is the agreed quality standard met?", "Spot-check report, consistency report, issue list"),
    ("Problem feedback", "Is standard-comprehension deviation corrected promptly?", "Q&A records, guide changes, retraining records"),
    ("Offboarding and revocation", "Are permissions closed and deliverables archived?", "Permission-revocation records, data-deletion confirmation, delivery archive"),
]


def test_table_24_21_cell_for_cell() -> None:
    assert [tuple(r.model_dump().values()) for r in TABLE_24_21] == TRANSCRIPTION


def test_each_stage_is_a_row_of_the_table() -> None:
    assert [TABLE_STAGE[s] for s in VendorStage] == [row[0] for row in TRANSCRIPTION]
    # acceptance keeps its evidence on the batches (the delivery gate); every other stage has
    # evidence kinds of its own
    kept = {stage for stage in STAGE_OF.values()}
    assert set(VendorStage) - kept <= {VendorStage.ACCEPTANCE}
