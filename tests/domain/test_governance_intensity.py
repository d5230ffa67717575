"""Table 24-29 transcribed cell for cell, the control points each scenario requires (High: all
four; Medium/Low: those its processes name), and the default scenario of a dataset."""

from __future__ import annotations

import pytest

from dataflywheel.domain.policies.governance_intensity import (
    TABLE_24_29,
    ControlPoint,
    GovernanceScenario,
    Intensity,
    default_scenario,
    intensity_of,
    required_control_points,
)

TRANSCRIPTION = [
    ("Formal training corpus", "High",
     "Complete requirement, quality, version, compliance, and release processes",
     "Affects model capability and subsequent experiment reproducibility"),
    ("Critical evaluation sets", "High",
     "Strict version freezing, access control, and contamination prevention",
     "Contaminated evaluation sets affect model quality judgments"),
    ("Exploratory experimental data", "Medium",
     "Simplified requirements, quality labeling, and usage restrictions",
     "Need to preserve exploration speed while preventing accidental entry into formal pipelines"),
    ("Public corpus cleaning", "Medium", "Source records, cleaning rules, and quality summaries",
     "Lower risk but large scale; traceability required"),
    ("Temporary analysis samples", "Low",
     "Term authorization, basic records, and deletion upon expiry",
     "Value is short-term; heavy processes not warranted"),
    ("Highly sensitive user feedback", "High",
     "Minimum privilege, desensitization, auditing, and compliance approval",
     "Involves privacy and usage boundaries; misuse cost is high"),
]


def test_table_24_29_is_transcribed_cell_for_cell_in_order() -> None:
    rows = [(r.scenario, r.intensity, r.processes, r.rationale) for r in TABLE_24_29.values()]
    assert rows == TRANSCRIPTION
    assert list(TABLE_24_29) == list(GovernanceScenario)


def test_high_requires_every_control_point_and_lower_ones_what_their_processes_name() -> None:
    q, s = ControlPoint.QUALITY_THRESHOLDS, ControlPoint.SENSITIVE_DATA
    required = {sc.value: required_control_points(sc) for sc in GovernanceScenario}
    assert required == {
        "formal_training_corpus": tuple(ControlPoint),
        "critical_evaluation_set": tuple(ControlPoint),
        "exploratory_data": (q, s),  # quality labeling, usage restrictions
        "public_corpus_cleaning": (q,),  # cleaning rules, quality summaries
        "temporary_analysis_sample": (s,),  # term authorization
        "highly_sensitive_user_feedback": tuple(ControlPoint),
    }
    for sc in GovernanceScenario:
        if intensity_of(sc) is Intensity.HIGH:
            assert required[sc.value] == tuple(ControlPoint)
        else:
            assert ControlPoint.HUMAN_REVIEW not in required[sc.value]
            assert ControlPoint.RELEASE not in required[sc.value]


@pytest.mark.parametrize(("purpose", "sensitivity", "expected"), [
    ("training", "internal", "formal_training_corpus"),
    ("training", "public", "formal_training_corpus"),
    ("evaluation", "public", "critical_evaluation_set"),
    ("exploration", "internal", "exploratory_data"),
    ("exploration", "restricted", "highly_sensitive_user_feedback"),
])
def test_the_default_scenario_follows_purpose_and_never_lowers_restricted_data(
        purpose: str, sensitivity: str, expected: str) -> None:
    assert default_scenario(purpose, sensitivity).value == expected
