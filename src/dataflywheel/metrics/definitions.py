"""What each metric means, before any number: the chapter's layers (Table 24-15) and, for every
metric the product computes, the definition Table 24-16 asks for.

Why definitions are data and not docstrings: a figure is only shared evidence when everyone reads
it the same way. Each `MetricDefinition` states its formula, unit, data source, where it applies
and where it does not, whether it leads or lags, the breakdowns it supports, the action an anomaly
calls for, and the history of its own changes (a changed formula is a new version with a dated
reason, never a silent edit). `flywheel metrics --definitions` prints them; reports cite them.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Layer(StrEnum):
    """The five layers of Table 24-15, in the table's order."""

    FLOW = "flow_efficiency"
    QUALITY = "quality_stability"
    COLLABORATION = "collaboration_reliability"
    OUTCOMES = "model_outcomes"
    REUSE = "reuse_value"


class LayerRow(BaseModel):
    """One row of Table 24-15, as printed."""

    model_config = ConfigDict(frozen=True)

    name: str
    example_metrics: str
    data_source: str
    interpretation: str
    misuse_risk: str


TABLE_24_15: dict[Layer, LayerRow] = {
    Layer.FLOW: LayerRow(
        name="Flow efficiency",
        example_metrics="Requirement delivery cycle, queue wait time, SLA achievement rate",
        data_source="Demand Pool, task system, version release records",
        interpretation="Determine whether work is flowing smoothly",
        misuse_risk="Pursuing speed only, sacrificing quality"),
    Layer.QUALITY: LayerRow(
        name="Quality stability",
        example_metrics="Spot-check pass rate, IAA, duplication rate, anomaly rate, rework rate",
        data_source="Quality reports, annotation platform, automated check pipelines",
        interpretation="Determine whether data is stable and usable",
        misuse_risk="Looking only at averages, ignoring distributional variation"),
    Layer.COLLABORATION: LayerRow(
        name="Collaboration reliability",
        example_metrics="Interface-change advance-notice rate, version-record completeness rate, "
                        "issue closure time",
        data_source="Interface documents, Issue Pool, release system",
        interpretation="Determine whether the team collaborates as agreed",
        misuse_risk="Equating document completeness with genuine understanding"),
    Layer.OUTCOMES: LayerRow(
        name="Model outcomes",
        example_metrics="Error-sample reduction rate, key evaluation improvement, "
                        "data-gain contribution",
        data_source="Experiment Pool, evaluation system, error-analysis reports",
        interpretation="Determine whether data investment is effective",
        misuse_risk="Attributing all model improvements to data"),
    Layer.REUSE: LayerRow(
        name="Reuse value",
        example_metrics="Dataset reuse count, number of reusing projects, reduction in duplicate "
                        "collection",
        data_source="Data asset catalog, access logs, project records",
        interpretation="Determine whether data assets have accumulated as organizational "
                       "capability",
        misuse_risk="Encouraging boundless over-sharing"),
}
"""Table 24-15, cell for cell (held against a transcription in tests/metrics)."""


class Indicator(StrEnum):
    """Leading indicators warn early; lagging ones confirm outcomes (the chapter, after 24-15)."""

    LEADING = "leading"
    LAGGING = "lagging"


class Unit(StrEnum):
    HOURS = "hours"
    RATIO = "ratio"
    COUNT = "count"


class DefinitionChange(BaseModel):
    """One change of a definition: its version, when, and what changed and why."""

    model_config = ConfigDict(frozen=True)

    version: int = Field(ge=1)
    on: date
    change: str


class MetricDefinition(BaseModel):
    """A metric as Table 24-16 asks it to be governed: formula, boundaries, breakdowns (for the
    distribution, not only the mean), examples (the records behind extreme values are listed with
    every figure) and the action an anomaly calls for."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    layer: Layer
    formula: str
    unit: Unit
    data_source: str
    applies_to: str
    not_applicable_to: str
    indicator: Indicator
    breakdowns: tuple[str, ...]
    action: str
    history: tuple[DefinitionChange, ...]

    @property
    def version(self) -> int:
        return self.history[-1].version


FIRST = (DefinitionChange(version=1, on=date(2026, 12, 7), change="first definition"),)
REQUIREMENT_GROUPS = ("project", "priority", "kind")
BATCH_GROUPS = ("project", "source", "vendor", "annotator", "guide_version")

DEFINITIONS: tuple[MetricDefinition, ...] = (
    MetricDefinition(
        id="delivery_cycle_hours", name="Requirement delivery cycle", layer=Layer.FLOW,
        formula="delivered_at − created_at of each requirement delivered in the window, in "
                "clock hours",
        unit=Unit.HOURS, data_source="Demand Pool (requirements)",
        applies_to="requirements that reached `delivered`",
        not_applicable_to="withdrawn or rejected requirements; open ones (see queue wait, WIP)",
        indicator=Indicator.LAGGING, breakdowns=REQUIREMENT_GROUPS,
        action="a long tail in one project or priority: look at its queue wait and its returned "
               "requirements in the Monday sync",
        history=FIRST),
    MetricDefinition(
        id="queue_wait_hours", name="Queue wait time", layer=Layer.FLOW,
        formula="started_at − created_at (submission to first start) of each requirement "
                "started in the window, in clock hours",
        unit=Unit.HOURS, data_source="Demand Pool (requirements)",
        applies_to="requirements that were started (committed work picked up)",
        not_applicable_to="requirements never started (counted in WIP instead)",
        indicator=Indicator.LEADING, breakdowns=REQUIREMENT_GROUPS,
        action="a growing wait: the Monday sync commits less, or the week's capacity is named",
        history=FIRST),
    MetricDefinition(
        id="sla_achievement_rate", name="SLA achievement rate", layer=Layer.FLOW,
        formula="requirements delivered in the window whose SLA is met in all five dimensions "
                "(time, quality, availability, traceability, compliance) ÷ requirements "
                "delivered in the window",
        unit=Unit.RATIO, data_source="Demand Pool, quality reports, version release records",
        applies_to="delivered requirements (Table 24-13 clocks, Table 24-14 dimensions)",
        not_applicable_to="open requirements: a pending dimension is not met",
        indicator=Indicator.LAGGING, breakdowns=REQUIREMENT_GROUPS,
        action="name the unmet dimension per requirement (`flywheel requirements sla`) and "
               "raise it in the Friday post-mortem",
        history=FIRST),
    MetricDefinition(
        id="wip", name="Work in progress", layer=Layer.FLOW,
        formula="requirements committed (or started) before the window's end and not delivered "
                "by then (committed_at, started_at, delivered_at), withdrawn and rejected ones "
                "left out",
        unit=Unit.COUNT, data_source="Demand Pool",
        applies_to="the state of the pool at the window's end",
        not_applicable_to="a measure of effort: a requirement counts once whatever its size",
        indicator=Indicator.LEADING, breakdowns=REQUIREMENT_GROUPS,
        action="WIP rising while throughput is flat: stop committing, finish first",
        history=FIRST),
    MetricDefinition(
        id="throughput", name="Throughput", layer=Layer.FLOW,
        formula="requirements delivered in the window (`--breakdown week` gives one figure per ISO "
                "week)",
        unit=Unit.COUNT, data_source="Demand Pool",
        applies_to="delivered requirements",
        not_applicable_to="a quality measure: pair it with the SLA achievement rate",
        indicator=Indicator.LAGGING, breakdowns=(*REQUIREMENT_GROUPS, "week"),
        action="compare with WIP and the delivery cycle before asking for more",
        history=FIRST),
    MetricDefinition(
        id="spot_check_pass_rate", name="Spot-check pass rate", layer=Layer.QUALITY,
        formula="per batch checked in the window: passed ÷ reviewed sampled records (the "
                "spot-check gate's own figure); the figure is the mean over batches, with the "
                "distribution beside it",
        unit=Unit.RATIO, data_source="quality reports (spot-check gate)",
        applies_to="batches whose contract has a spot-check gate and whose sample was reviewed",
        not_applicable_to="batches without review (no figure, not zero)",
        indicator=Indicator.LAGGING, breakdowns=BATCH_GROUPS,
        action="a vendor or annotator below the rest: boundary examples and retraining",
        history=FIRST),
    MetricDefinition(
        id="iaa", name="Inter-annotator agreement (Krippendorff's α)", layer=Layer.QUALITY,
        formula="per batch checked in the window: the agreement gate's Krippendorff's α",
        unit=Unit.RATIO, data_source="quality reports (agreement gate)",
        applies_to="subjective annotation with several annotators per item",
        not_applicable_to="pure format validation and single-annotator batches",
        indicator=Indicator.LEADING, breakdowns=BATCH_GROUPS,
        action="α falling: find the labels annotators disagree on and clarify the guide",
        history=FIRST),
    MetricDefinition(
        id="duplication_rate", name="Duplication rate", layer=Layer.QUALITY,
        formula="per batch checked in the window: exact duplicates ÷ records (the duplicates "
                "check's `duplicate_rate`)",
        unit=Unit.RATIO, data_source="quality reports (duplicates check)",
        applies_to="batches whose contract runs the duplicates check",
        not_applicable_to="semantic duplicates (see the near-duplicate rate in the report)",
        indicator=Indicator.LEADING, breakdowns=BATCH_GROUPS,
        action="after the rate falls, read a sample: do semantic duplicates remain?",
        history=FIRST),
    MetricDefinition(
        id="anomaly_rate", name="Anomaly rate", layer=Layer.QUALITY,
        formula="per batch checked in the window: non-conforming records ÷ records (rejected "
                "records, or the largest failing rate's share)",
        unit=Unit.RATIO, data_source="quality reports (every gate)",
        applies_to="every checked batch",
        not_applicable_to="batches not yet checked",
        indicator=Indicator.LEADING, breakdowns=BATCH_GROUPS,
        action="a rising rate from one source: open an issue and look at the rejected records",
        history=FIRST),
    MetricDefinition(
        id="batch_pass_rate", name="Batch pass rate", layer=Layer.QUALITY,
        formula="batches checked in the window that passed every gate ÷ batches checked in the "
                "window (a batch still awaiting review is not counted)",
        unit=Unit.RATIO, data_source="quality reports (batch outcomes)",
        applies_to="batches with a final outcome (passed or failed)",
        not_applicable_to="the quality of a batch's records (a pass is the contract's bar)",
        indicator=Indicator.LAGGING, breakdowns=BATCH_GROUPS,
        action="a vendor's pass rate below the team's: review its onboarding and guide version",
        history=FIRST),
    MetricDefinition(
        id="rework_rate", name="Rework rate", layer=Layer.QUALITY,
        formula="batches received in the window for a requirement that already had a failed "
                "batch ÷ batches received in the window",
        unit=Unit.RATIO, data_source="Data Pool (batches per requirement)",
        applies_to="deliveries against requirements",
        not_applicable_to="planned incremental deliveries after a passed batch (not rework)",
        indicator=Indicator.LEADING, breakdowns=BATCH_GROUPS,
        action="rework rising: supplement boundary examples and provide training",
        history=FIRST),
    MetricDefinition(
        id="issue_closure_hours", name="Issue closure time", layer=Layer.COLLABORATION,
        formula="closed_at − opened_at of each issue closed in the window, in clock hours",
        unit=Unit.HOURS, data_source="Issue Pool",
        applies_to="issues that reached `closed`",
        not_applicable_to="open issues; closing early to shorten it is the gaming to watch for",
        indicator=Indicator.LAGGING, breakdowns=("project", "severity", "source"),
        action="long closures of one severity: check its response rule and owner load",
        history=FIRST),
    MetricDefinition(
        id="version_record_completeness_rate", name="Version-record completeness rate",
        layer=Layer.COLLABORATION,
        formula="versions frozen in the window whose release record is complete — every "
                "datasheet item stated, the approval and the compliance review recorded, the "
                "quality report named — ÷ versions frozen in the window",
        unit=Unit.RATIO, data_source="release records (datasheets of frozen versions)",
        applies_to="frozen versions",
        not_applicable_to="candidates (their record may still grow); a complete record is not "
                          "proof that it was read. The freeze gate demands most items, so a "
                          "figure under 1 points at versions frozen under an exception",
        indicator=Indicator.LEADING, breakdowns=("project",),
        action="fill the missing datasheet items before the next freeze",
        history=FIRST),
    MetricDefinition(
        id="error_sample_reduction_rate", name="Error-sample reduction rate", layer=Layer.OUTCOMES,
        formula="per experiment ended in the window with a baseline that had error samples: "
                "(the baseline's error samples − its own) ÷ the baseline's; negative when errors "
                "grew",
        unit=Unit.RATIO, data_source="Experiment Pool (error samples of a run and its baseline)",
        applies_to="experiments compared with a baseline on the same evaluation",
        not_applicable_to="runs without a baseline, or whose baseline recorded no error "
                          "samples; a fall is not all due to data (the table's misuse risk)",
        indicator=Indicator.LAGGING, breakdowns=("project", "kind", "question_type"),
        action="a rise: open an issue on the versions the run used and read its error samples",
        history=FIRST),
    MetricDefinition(
        id="dataset_reuse_count", name="Dataset reuse count", layer=Layer.REUSE,
        formula="(data, project) pairs first seen in the window where a project other than the "
                "data's own began using it: an asset use in the registry, or an experiment of "
                "that project using a version of the dataset",
        unit=Unit.COUNT, data_source="asset registry (asset uses), Experiment Pool (versions "
                                     "each run used)",
        applies_to="datasets and assets that belong to a project",
        not_applicable_to="use inside the owning project; reuse that does not fit the scenario "
                          "is not value (over-sharing is the misuse risk)",
        indicator=Indicator.LAGGING, breakdowns=("project",),
        action="few reuses of a valuable asset: make it discoverable and document its scenarios",
        history=FIRST),
    MetricDefinition(
        id="reusing_projects", name="Number of reusing projects", layer=Layer.REUSE,
        formula="distinct projects that began using another project's data in the window (as "
                "the reuse count counts uses)",
        unit=Unit.COUNT, data_source="asset registry (asset uses), Experiment Pool (versions "
                                     "each run used)",
        applies_to="datasets and assets that belong to a project",
        not_applicable_to="how much each project reuses (see the reuse count)",
        indicator=Indicator.LAGGING, breakdowns=("project",),
        action="reuse concentrated in one project: check the others know the catalogue",
        history=FIRST),
    MetricDefinition(
        id="delivery_delay_rate", name="Data delivery delay rate", layer=Layer.FLOW,
        formula="requirements delivered in the window after their SLA clock ran out (the time "
                "dimension breached) ÷ requirements delivered in the window",
        unit=Unit.RATIO, data_source="Demand Pool (SLA clocks, Table 24-13)",
        applies_to="delivered requirements (Table 24-24's first row)",
        not_applicable_to="open requirements (an overdue one shows in the Friday report)",
        indicator=Indicator.LAGGING, breakdowns=REQUIREMENT_GROUPS,
        action="delays in one priority: look at its queue wait and at what the Monday sync "
               "commits",
        history=FIRST),
    MetricDefinition(
        id="annotation_batch_pass_rate", name="Annotation batch pass rate",
        layer=Layer.QUALITY,
        formula="batches of annotation requirements checked in the window that passed every "
                "gate ÷ those that passed or failed",
        unit=Unit.RATIO, data_source="quality reports of annotation deliveries",
        applies_to="deliveries against annotation requirements (Table 24-24's second row)",
        not_applicable_to="cleaning and collection batches (see the batch pass rate)",
        indicator=Indicator.LAGGING, breakdowns=BATCH_GROUPS,
        action="below target for one vendor or guide version: boundary examples, retraining",
        history=FIRST),
    MetricDefinition(
        id="root_cause_localization_hours", name="Data-issue root-cause localization time",
        layer=Layer.COLLABORATION,
        formula="resolved_at − opened_at of each issue resolved in the window with its root "
                "cause recorded, in clock hours",
        unit=Unit.HOURS, data_source="Issue Pool",
        applies_to="issues resolved with a root cause (Table 24-24's third row)",
        not_applicable_to="issues resolved without a root cause (not localized)",
        indicator=Indicator.LAGGING, breakdowns=("project", "severity", "source"),
        action="slow localization: check that batches, versions and requirements are linked "
               "on the issue (lineage is what makes the search short)",
        history=FIRST),
    MetricDefinition(
        id="cross_project_reuse_rate", name="Cross-project data reuse rate", layer=Layer.REUSE,
        formula="data (datasets and assets) used in the window by at least one project other "
                "than its own ÷ data used in the window",
        unit=Unit.RATIO, data_source="asset registry (asset uses), Experiment Pool (versions "
                                     "each run used)",
        applies_to="data that belongs to a project (Table 24-24's fourth row)",
        not_applicable_to="data nobody used in the window; reuse that does not fit is not "
                          "value",
        indicator=Indicator.LAGGING, breakdowns=("project",),
        action="a falling rate: publish what each dataset is fit for, and its owner",
        history=FIRST),
    MetricDefinition(
        id="onboarding_hours", name="Onboarding time for new members",
        layer=Layer.COLLABORATION,
        formula="time from a person's record to their first audited action, for people added "
                "in the window, in clock hours",
        unit=Unit.HOURS, data_source="people and the audit log",
        applies_to="people who joined in the window (Table 24-24's fifth row)",
        not_applicable_to="people who have not acted yet (not counted, not zero)",
        indicator=Indicator.LAGGING, breakdowns=("team",),
        action="long onboarding: review the onboarding guide in the knowledge base",
        history=FIRST),
    MetricDefinition(
        id="advance_notice_rate", name="Interface-change advance-notice rate",
        layer=Layer.COLLABORATION,
        formula="breaking contract versions taking effect in the window (effective_from) that "
                "were announced in time — at least one notice, and every notice sent at least "
                "the version's notice_days before its effect — ÷ breaking versions taking effect "
                "in the window",
        unit=Unit.RATIO, data_source="contract versions and their notices (the change layer)",
        applies_to="breaking (major) versions, the only changes that must be announced; a "
                   "proposed version counts once its effect falls in the window",
        not_applicable_to="compatible and patch versions (they need no notice); rejected "
                          "proposals (they never took effect). A short notice given with a "
                          "recorded reason is allowed but counts as late",
        indicator=Indicator.LEADING, breakdowns=("project", "contract"),
        action="a late change: ask its proposer in the Wednesday inspection why the notice was "
               "short, and whether the consumers had time to migrate",
        history=FIRST),
    MetricDefinition(
        id="consultation_response_hours", name="Consultation response time",
        layer=Layer.COLLABORATION,
        formula="closed_at − requested_at of each consultation answered in the window, in "
                "clock hours",
        unit=Unit.HOURS, data_source="RACI consultations (requests to the Consulted, answers)",
        applies_to="consultations the consulted person answered",
        not_applicable_to="consultations left unanswered at their deadline: they have no "
                          "response time (not the deadline, not zero); they show in the "
                          "consultation answer rate",
        indicator=Indicator.LEADING, breakdowns=("raci_item", "record_kind"),
        action="slow answers on one RACI item: check the deadline it is given and who is "
               "Consulted on it",
        history=FIRST),
    MetricDefinition(
        id="consultation_answer_rate", name="Consultation answer rate",
        layer=Layer.COLLABORATION,
        formula="consultations whose deadline falls in the window that were answered ÷ "
                "consultations whose deadline falls in the window (answered, recorded "
                "unanswered, or still open with the deadline passed when read)",
        unit=Unit.RATIO, data_source="RACI consultations",
        applies_to="every consultation whose deadline has passed",
        not_applicable_to="requests still open before their deadline (not decided yet)",
        indicator=Indicator.LEADING, breakdowns=("raci_item", "record_kind"),
        action="unanswered consultations: the failing examples name them; a decision taken "
               "without its Consulted input is raised with the Accountable person",
        history=FIRST),
    MetricDefinition(
        id="key_evaluation_improvement", name="Key evaluation improvement",
        layer=Layer.OUTCOMES,
        formula="per experiment ended in the window with a baseline: (its key metric − the "
                "baseline's) ÷ |the baseline's|, sign turned so that positive is better (for a "
                "loss, error rate, perplexity, WER/CER or latency lower is better). The key "
                "metric is params[\"key_metric\"] of the run, else of its baseline, else the "
                "only metric both measured",
        unit=Unit.RATIO, data_source="Experiment Pool (metrics and params of a run and its "
                                     "baseline)",
        applies_to="runs compared with a baseline on a key metric both measured",
        not_applicable_to="runs without a baseline; runs with several shared metrics and none "
                          "named key; a baseline value of 0 (no relative change). A gain is not "
                          "all due to data (see the data-gain contribution)",
        indicator=Indicator.LAGGING, breakdowns=("project", "kind", "key_metric"),
        action="a fall: compare the run with its baseline (`flywheel experiments compare`) and "
               "open an issue on the versions it used",
        history=FIRST),
    MetricDefinition(
        id="data_gain_contribution", name="Data-gain contribution", layer=Layer.OUTCOMES,
        formula="per experiment ended in the window whose only change from its baseline is the "
                "data — the same model_version and params (the key_metric note aside) and a "
                "different set of dataset versions — the key evaluation improvement of that "
                "run: the gain the data alone brought",
        unit=Unit.RATIO, data_source="Experiment Pool (model version, params, the dataset "
                                     "versions each run used, key metric)",
        applies_to="controlled data experiments: only the dataset versions differ",
        not_applicable_to="runs that changed the model version or a param too (their gain "
                          "cannot be credited to data: Table 24-15's misuse risk); reruns on "
                          "the same versions",
        indicator=Indicator.LAGGING, breakdowns=("project", "kind", "key_metric"),
        action="little or negative data gain: review what the new versions added before "
               "investing further in that data",
        history=FIRST),
    MetricDefinition(
        id="duplicate_collection_avoided", name="Duplicate collection avoided",
        layer=Layer.REUSE,
        formula="records (the row counts of its batches) of each dataset version first used "
                "in the window by a project other than the dataset's own — an experiment of that "
                "project using the version, or an asset use of an asset that pins it — summed, "
                "once per (version, project)",
        unit=Unit.COUNT, data_source="Experiment Pool (versions each run used), asset registry "
                                     "(asset uses), Data Pool (batch row counts)",
        applies_to="versions of datasets that belong to a project, reused by another",
        not_applicable_to="no record says what a project would otherwise have collected: this "
                          "is the records it did not have to collect, an upper bound; use "
                          "inside the owning project",
        indicator=Indicator.LAGGING, breakdowns=("project",),
        action="low despite similar requirements across projects: publish the versions fit "
               "for reuse in the asset registry before new collection is committed",
        history=FIRST),
)

LOWER_IS_BETTER: frozenset[str] = frozenset({
    "delivery_cycle_hours", "queue_wait_hours", "wip", "duplication_rate", "anomaly_rate",
    "rework_rate", "issue_closure_hours", "delivery_delay_rate", "root_cause_localization_hours",
    "onboarding_hours", "consultation_response_hours"})
"""The metrics whose good direction is down (every other one is better higher): one list for
every report that says whether a figure got worse."""

BY_ID: dict[str, MetricDefinition] = {d.id: d for d in DEFINITIONS}


def definitions(layer: Layer | None = None) -> list[MetricDefinition]:
    """The definitions of one layer, or all, in the order above."""
    return [d for d in DEFINITIONS if layer is None or d.layer is layer]
