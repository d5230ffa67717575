"""The product's metric layers are Table 24-15 cell for cell, and every metric it computes is
defined as Table 24-16 asks (formula, boundaries, breakdowns, action, change history)."""

from __future__ import annotations

from dataflywheel.metrics.compute import SAMPLERS
from dataflywheel.metrics.definitions import DEFINITIONS, TABLE_24_15, Layer

# Transcribed from the chapter (ch24, "Table 24-15: Layered Metrics System for the DataOps
# Flywheel"): Metric Layer | Example Metrics | Data Source | Interpretation | Risk of Misuse
TRANSCRIPTION = [
    ("Flow efficiency", "Requirement delivery cycle, queue wait time, SLA achievement rate",
     "Demand Pool, task system, version release records",
     "Determine whether work is flowing smoothly", "Pursuing speed only, sacrificing quality"),
    ("Quality stability", "Spot-check pass rate, IAA, duplication rate, anomaly rate, rework rate",
     "Quality reports, annotation platform, automated check pipelines",
     "Determine whether data is stable and usable",
     "Looking only at averages, ignoring distributional variation"),
    ("Collaboration reliability",
     "Interface-change advance-notice rate, version-record completeness rate, issue closure time",
     "Interface documents, Issue Pool, release system",
     "Determine whether the team collaborates as agreed",
     "Equating document completeness with genuine understanding"),
    ("Model outcomes",
     "Error-sample reduction rate, key evaluation improvement, data-gain contribution",
     "Experiment Pool, evaluation system, error-analysis reports",
     "Determine whether data investment is effective",
     "Attributing all model improvements to data"),
    ("Reuse value",
     "Dataset reuse count, number of reusing projects, reduction in duplicate collection",
     "Data asset catalog, access logs, project records",
     "Determine whether data assets have accumulated as organizational capability",
     "Encouraging boundless over-sharing"),
]


def test_the_layers_are_table_24_15_cell_for_cell_in_its_order() -> None:
    assert [tuple(row.model_dump().values()) for row in TABLE_24_15.values()] == TRANSCRIPTION
    assert list(TABLE_24_15) == list(Layer)


def test_every_metric_is_defined_as_table_24_16_asks() -> None:
    ids = [d.id for d in DEFINITIONS]
    assert len(ids) == len(set(ids))
    for d in DEFINITIONS:
        for text in (d.name, d.formula, d.data_source, d.applies_to, d.not_applicable_to,
                     d.action):
            assert text.strip(), (d.id, text)
        assert d.breakdowns, d.id  # "examine distributions": at least one way to split it
        versions = [c.version for c in d.history]
        assert versions == list(range(1, len(versions) + 1)), d.id
        assert d.version == versions[-1]


def test_every_definition_is_computed_and_nothing_undefined_is() -> None:
    assert set(SAMPLERS) == {d.id for d in DEFINITIONS}


def test_every_example_table_24_15_names_is_computed() -> None:
    named = {
        Layer.FLOW: {"delivery_cycle_hours", "queue_wait_hours", "sla_achievement_rate"},
        Layer.QUALITY: {"spot_check_pass_rate", "iaa", "duplication_rate", "anomaly_rate",
                        "rework_rate"},
        Layer.COLLABORATION: {"advance_notice_rate", "version_record_completeness_rate",
                              "issue_closure_hours"},
        Layer.OUTCOMES: {"error_sample_reduction_rate", "key_evaluation_improvement",
                         "data_gain_contribution"},
        Layer.REUSE: {"dataset_reuse_count", "reusing_projects", "duplicate_collection_avoided"},
    }
    for layer, metrics in named.items():
        assert metrics <= {d.id for d in DEFINITIONS if d.layer is layer}, layer


def test_the_lower_is_better_list_names_defined_metrics_only() -> None:
    from dataflywheel.metrics.definitions import BY_ID, LOWER_IS_BETTER

    assert LOWER_IS_BETTER <= set(BY_ID)
    assert "batch_pass_rate" not in LOWER_IS_BETTER and "anomaly_rate" in LOWER_IS_BETTER
    assert "consultation_response_hours" in LOWER_IS_BETTER
    assert "consultation_answer_rate" not in LOWER_IS_BETTER
