"""Tiered governance intensity (Table 24-29): which control points a dataset must pass.

The chapter's control points (P10 §9) are the four valves of the flywheel: quality thresholds,
sensitive data, human review, release. Each is implemented by a gate that already exists (see
`CONTROL_POINTS`); this module only decides, for a dataset's declared scenario, which of them the
release gate holds it to. The rule that turns Table 24-29's "Applicable Processes" into control
points is written once, here:

- a **High** intensity scenario passes all four (the "complete" process);
- a **Medium** or **Low** one passes the control points its processes name: quality (quality
  labeling, cleaning rules, quality summaries) → quality thresholds; usage restrictions or term
  authorization → sensitive data; nothing at Medium/Low names human review or release approval.

So an exploratory dataset skips human review and the Accountable release approval (it is labelled
for what it is and kept out of formal use by its usage restrictions), a formal one may not.

A dataset with no declared scenario gets one from its purpose (training → formal training corpus,
evaluation → critical evaluation set, exploration → exploratory data); restricted data explored is
treated as highly sensitive, so the most sensitive data never defaults below High.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ControlPoint(StrEnum):
    """The four control points of P10 §9.1, in the chapter's order."""

    QUALITY_THRESHOLDS = "quality_thresholds"
    SENSITIVE_DATA = "sensitive_data"
    HUMAN_REVIEW = "human_review"
    RELEASE = "release"


class Intensity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class GovernanceScenario(StrEnum):
    """The six rollout scenarios of Table 24-29, in the table's order."""

    FORMAL_TRAINING_CORPUS = "formal_training_corpus"
    CRITICAL_EVALUATION_SET = "critical_evaluation_set"
    EXPLORATORY_DATA = "exploratory_data"
    PUBLIC_CORPUS_CLEANING = "public_corpus_cleaning"
    TEMPORARY_ANALYSIS_SAMPLE = "temporary_analysis_sample"
    HIGHLY_SENSITIVE_USER_FEEDBACK = "highly_sensitive_user_feedback"


@dataclass(frozen=True)
class ScenarioRow:
    """One row of Table 24-29 as printed, with the control points its processes require."""

    scenario: str
    intensity: str
    processes: str
    rationale: str
    required: tuple[ControlPoint, ...]


_ALL = tuple(ControlPoint)
Q, S = ControlPoint.QUALITY_THRESHOLDS, ControlPoint.SENSITIVE_DATA

TABLE_24_29: dict[GovernanceScenario, ScenarioRow] = {
    GovernanceScenario.FORMAL_TRAINING_CORPUS: ScenarioRow(
        "Formal training corpus", "High",
        "Complete requirement, quality, version, compliance, and release processes",
        "Affects model capability and subsequent experiment reproducibility", _ALL),
    GovernanceScenario.CRITICAL_EVALUATION_SET: ScenarioRow(
        "Critical evaluation sets", "High",
        "Strict version freezing, access control, and contamination prevention",
        "Contaminated evaluation sets affect model quality judgments", _ALL),
    GovernanceScenario.EXPLORATORY_DATA: ScenarioRow(
        "Exploratory experimental data", "Medium",
        "Simplified requirements, quality labeling, and usage restrictions",
        "Need to preserve exploration speed while preventing accidental entry into formal "
        "pipelines",
        (Q, S)),
    GovernanceScenario.PUBLIC_CORPUS_CLEANING: ScenarioRow(
        "Public corpus cleaning", "Medium",
        "Source records, cleaning rules, and quality summaries",
        "Lower risk but large scale; traceability required", (Q,)),
    GovernanceScenario.TEMPORARY_ANALYSIS_SAMPLE: ScenarioRow(
        "Temporary analysis samples", "Low",
        "Term authorization, basic records, and deletion upon expiry",
        "Value is short-term; heavy processes not warranted", (S,)),
    GovernanceScenario.HIGHLY_SENSITIVE_USER_FEEDBACK: ScenarioRow(
        "Highly sensitive user feedback", "High",
        "Minimum privilege, desensitization, auditing, and compliance approval",
        "Involves privacy and usage boundaries; misuse cost is high", _ALL),
}


def intensity_of(scenario: GovernanceScenario) -> Intensity:
    return Intensity(TABLE_24_29[scenario].intensity.lower())


def required_control_points(scenario: GovernanceScenario) -> tuple[ControlPoint, ...]:
    """The control points a dataset of `scenario` must pass, in the chapter's order."""
    return TABLE_24_29[scenario].required


def default_scenario(purpose: str, sensitivity: str) -> GovernanceScenario:
    """The scenario of a dataset that declares none (see the module docstring)."""
    if purpose == "evaluation":
        return GovernanceScenario.CRITICAL_EVALUATION_SET
    if purpose == "exploration":
        return (GovernanceScenario.HIGHLY_SENSITIVE_USER_FEEDBACK if sensitivity == "restricted"
                else GovernanceScenario.EXPLORATORY_DATA)
    return GovernanceScenario.FORMAL_TRAINING_CORPUS
