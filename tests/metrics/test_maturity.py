"""The self-assessment's tables and judgements (`metrics.maturity`): Tables 24-2, 24-26 and
24-28 cell for cell, and each judgement worked out by hand from a small set of counts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dataflywheel.metrics.maturity import (OBSERVED_LAYERS, STAGE_NEEDS, TABLE_24_2, TABLE_24_26,
                                           TABLE_24_28, Facts, Level, WeekStatus, checklist,
                                           roadmap, stage)

CHECKLIST_TRANSCRIPTION = [
    ("Role responsibility", "Is there a clear ultimate accountable party for each type of data decision?", "Multiple participants but no one willing to make the call", "Each critical item has a unique A and an explicit R"),
    ("Requirement management", "Do all data requirements enter a unified Demand Pool?", "Requirements scattered in meetings and chat records", "Requirements have IDs, priorities, acceptance criteria, and deadlines"),
    ("Interface protocols", "Do upstream and downstream have stable delivery contracts?", "Fields and definitions depend on verbal explanation", "Schema, semantic descriptions, and SLAs are all documented"),
    ("Annotation governance", "Are annotation guides versioned and traceable?", "Multiple versions coexist; outsourcing vendors have inconsistent understanding", "Guides, examples, Q&As, and change records are maintained uniformly"),
    ("Quality control", "Can quality trends be continuously observed?", "Ad hoc spot checks before release", "Automated checks, manual spot checks, and trend analysis combined"),
    ("Version management", "Can data used in historical experiments be reproduced?", "Folder naming and manual records", "Data versions, model experiments, and quality reports are cross-linked"),
    ("Access compliance", "Is authorization by intended use and term?", "Project members hold broad long-term permissions", "Minimum privilege, automatic revocation upon expiry, access auditing"),
    ("Incident post-mortems", "Are incidents translated into process improvements?", "Post-mortems remain at the textual summary level", "Post-mortem closure depends on changes to processes, tools, or templates"),
    ("Data reuse", "Do high-value datasets enter the asset registry?", "Privately held within projects", "Discoverable, requestable, traceable, and revocable"),
    ("Metrics governance", "Do metrics serve learning rather than surface performance evaluation?", "Only tracking quantities and progress", "Simultaneously observing flow efficiency, quality, collaboration, and outcomes"),
]

STAGES_TRANSCRIPTION = [
    ("Scripted collaboration", "A small number of members rely on personal experience to complete collection, cleaning, and annotation", "Single-point dependency; results are not reproducible", "Basic version records, minimal quality checks, key-role confirmation", "Complex approvals, excessive metrics, heavyweight platforms"),
    ("Standardized collaboration", "Multiple roles deliver according to interfaces; a fixed cadence begins to emerge", "Inconsistent standard execution; chaotic interface changes", "RACI, schemas, annotation guides, SLAs", "Complex orchestration before large-scale automation"),
    ("Platform-driven collaboration", "Tasks, annotation, quality, and versioning enter a unified system", "Platform diverges from real workflows; high tool-adoption cost", "Embedded workflows, automated checks, access control, lineage tracking", "Feature accumulation unrelated to core workflows"),
    ("Metrics-driven collaboration", "Continuous improvement driven by metrics, post-mortems, and experiment feedback", "Metric gaming, local optimization, formalistic post-mortems", "Value-stream measurement, quality trends, reuse benefits, organizational learning", "Metric competitions disconnected from business objectives"),
]

ROADMAP_TRANSCRIPTION = [
    (1, "Interview core roles; map current data flows and main blockers", "Current-state problem list, data-flow sketch", "Covers major data-production and data-consumption roles"),
    (2, "Confirm Data Owner, RACI, and critical decision items", "RACI initial version, escalation-path draft", "Each critical item has a unique accountable party"),
    (3, "Select a high-frequency data chain as the pilot", "Pilot scope, risk boundaries, pilot metrics", "Pilot scope is small enough and impact is clear"),
    (4, "Establish the Demand Pool and unified task templates", "Requirement template, priority rules", "New requirements can be submitted and reviewed using the template"),
    (5, "Map interface protocols and data schemas", "Interface protocols, schema files, field descriptions", "Upstream and downstream reach agreement on delivery standards"),
    (6, "Establish annotation guide versioning and example library", "Annotation guide, boundary examples, FAQ", "Outsourcing vendors and internal staff use the same version"),
    (7, "Connect basic quality checks", "Deduplication, format, anomaly-value, and spot-check rules", "Quality summaries are automatically generated before data release"),
    (8, "Establish version release and experiment linkage", "Data version specification, experiment citation rules", "Experiments can be traced to specific data versions"),
    (9, "Run weekly post-mortem and close the first set of issues", "Issue Pool, post-mortem records, improvement items", "High-priority issues have owners and deadlines"),
    (10, "Summarize quality, delivery, and collaboration metrics", "Metrics dashboard or monthly report", "Metric definitions are clear and changes can be explained"),
    (11, "Assess pilot benefits and revise processes", "Pilot evaluation report, process revision records", "Improvement benefits and remaining risks are clearly stated"),
    (12, "Decide on rollout scope and next-round priorities", "Rollout plan, resource requirements, next-round objectives", "Management and participating teams reach consensus"),
]


def test_the_tables_are_24_26_24_2_and_24_28_cell_for_cell() -> None:
    assert [tuple(r.model_dump().values()) for r in TABLE_24_26] == CHECKLIST_TRANSCRIPTION
    assert [tuple(r.model_dump().values()) for r in TABLE_24_2] == STAGES_TRANSCRIPTION
    assert [tuple(r.model_dump().values()) for r in TABLE_24_28] == ROADMAP_TRANSCRIPTION


def test_every_stage_need_names_a_checklist_dimension() -> None:
    dimensions = {r.dimension for r in TABLE_24_26}
    assert len(STAGE_NEEDS) == len(TABLE_24_2)
    assert {d for needs in STAGE_NEEDS for d, _ in needs} <= dimensions


# A team that does everything the checklist asks, over a 13-week window.
MATURE = Facts(
    weeks=13, raci_items=10, window_consultations=4, window_consultations_answered=4,
    producer_roles_held=("data_engineer",), consumer_roles_held=("algorithm_engineer",),
    requirements=20, window_requirements=10, window_requirements_templated=10,
    window_requirements_reviewed=9, contracts=3, active_contract_versions=3, window_batches=10,
    window_batches_checked=10, window_breaking_changes=2, window_breaking_changes_noticed=2,
    guided_batches=6, window_annotation_batches=5, window_annotation_batches_guided=5,
    mixed_requirements=1, mixed_requirements_one_guide=1, checked_batches=30,
    window_batches_spot_checked=3, frozen_versions=4, window_versions_frozen=2,
    window_versions_complete=2, window_versions_with_quality_report=2, window_experiments=3,
    window_experiments_with_versions=3, grants=5, grants_ended_on_expiry=2,
    window_audited_reads=7, issues=6, window_serious_issues=2, window_serious_with_postmortem=2,
    open_serious_issues=1, open_serious_owned_and_due=1, window_postmortems=2,
    window_postmortems_with_change=2, assets=3, requestable_assets=3, assets_granted=2,
    assets_reused=1, layers_observed=OBSERVED_LAYERS,
    reports_sent={"monday": 7, "wednesday": 13, "monthly": 3, "quarterly": 1},
    projects_across_teams=1)


def _levels(f: Facts) -> dict[str, Level]:
    return {j.dimension: Level(j.level) for j in checklist(f)}


def test_a_team_doing_everything_is_continuously_optimized_at_stage_4() -> None:
    assert set(_levels(MATURE).values()) == {Level.CONTINUOUSLY_OPTIMIZED}
    judged = stage(checklist(MATURE))
    assert (judged.number, judged.stage, judged.next_stage, judged.gaps) == (
        4, "Metrics-driven collaboration", None, [])
    assert all(j.next_step is None for j in checklist(MATURE))


def test_an_empty_workspace_is_not_established_at_stage_1_with_the_basics_as_gaps() -> None:
    levels = _levels(Facts())
    assert set(levels.values()) == {Level.NOT_ESTABLISHED}
    judged = stage(checklist(Facts()))
    assert judged.number == 1 and judged.next_stage == "Standardized collaboration"
    assert [g.dimension for g in judged.gaps][:3] == ["Version management", "Quality control",
                                                     "Role responsibility"]


def test_a_level_stops_at_the_first_unmet_criterion_even_when_later_ones_are_met() -> None:
    # 8 of 10 requirements templated is under the 90% a running practice needs; the Monday
    # syncs were still sent every week: the dimension is only partially established.
    f = replace(MATURE, window_requirements_templated=8)
    judged = {j.dimension: j for j in checklist(f)}["Requirement management"]
    assert (judged.level, judged.level_label) == (1, "partially established")
    assert [c.met for c in judged.criteria] == [True, False, True]
    assert judged.next_step == "the window's requirements carry acceptance criteria and a deadline"
    assert judged.criteria[1].evidence == "8 of 10"
    assert _levels(replace(MATURE, window_requirements_templated=9))[
        "Requirement management"] is Level.CONTINUOUSLY_OPTIMIZED


def test_the_cadence_counts_when_sent_in_half_the_weeks() -> None:
    # 13 weeks: 7 Wednesday inspections is more than half; 6 is less.
    assert _levels(replace(MATURE, reports_sent={**MATURE.reports_sent, "wednesday": 7}))[
        "Quality control"] is Level.CONTINUOUSLY_OPTIMIZED
    assert _levels(replace(MATURE, reports_sent={**MATURE.reports_sent, "wednesday": 6}))[
        "Quality control"] is Level.STABLY_RUNNING


@pytest.mark.parametrize("change, dimension, level", [
    ({"raci_problems": ("no single Accountable person for 'x'",)}, "Role responsibility",
     Level.PARTIALLY_ESTABLISHED),
    ({"window_breaking_changes_noticed": 1}, "Interface protocols", Level.STABLY_RUNNING),
    ({"window_breaking_changes": 0, "window_breaking_changes_noticed": 0},
     "Interface protocols", Level.STABLY_RUNNING),
    ({"mixed_requirements_one_guide": 0}, "Annotation governance", Level.STABLY_RUNNING),
    ({"window_batches_spot_checked": 0}, "Quality control", Level.PARTIALLY_ESTABLISHED),
    ({"window_versions_complete": 1}, "Version management", Level.STABLY_RUNNING),
    ({"window_experiments_with_versions": 2}, "Version management",
     Level.PARTIALLY_ESTABLISHED),
    ({"grants_past_expiry_active": 1}, "Access compliance", Level.PARTIALLY_ESTABLISHED),
    ({"window_audited_reads": 0}, "Access compliance", Level.STABLY_RUNNING),
    ({"window_serious_with_postmortem": 1}, "Incident post-mortems",
     Level.PARTIALLY_ESTABLISHED),
    ({"window_postmortems_with_change": 1}, "Incident post-mortems", Level.STABLY_RUNNING),
    ({"assets_reused": 0}, "Data reuse", Level.STABLY_RUNNING),
    ({"assets_granted": 0}, "Data reuse", Level.PARTIALLY_ESTABLISHED),
    ({"layers_observed": ("flow_efficiency", "reuse_value")}, "Metrics governance",
     Level.PARTIALLY_ESTABLISHED),
    ({"reports_sent": {"monday": 7, "wednesday": 13}}, "Metrics governance",
     Level.STABLY_RUNNING),
])
def test_each_missing_practice_holds_its_dimension_back(change: dict[str, object],
                                                        dimension: str, level: Level) -> None:
    assert _levels(replace(MATURE, **change))[dimension] is level  # type: ignore[arg-type]


def test_the_stage_is_the_last_whose_priorities_and_all_before_are_built() -> None:
    # Monday syncs not sent: Requirement management stays stably running, short of the
    # "continuously optimized" stage 3 needs (the weekly cadence run from the records).
    f = replace(MATURE, reports_sent={**MATURE.reports_sent, "monday": 2})
    judged = stage(checklist(f))
    assert (judged.number, judged.next_stage) == (2, "Platform-driven collaboration")
    assert [(g.dimension, g.needs, g.stands_at) for g in judged.gaps] == [
        ("Requirement management", "continuously optimized", "stably running")]
    assert "Complex orchestration" in judged.avoid_too_early
    # Stage 4's own needs met but stage 3's not: the team is not metrics-driven yet.
    f = replace(MATURE, grants_past_expiry_active=2)
    assert stage(checklist(f)).number == 2


def test_the_roadmap_marks_what_records_settle_and_leaves_judgements_to_the_team() -> None:
    checked = roadmap(MATURE)
    assert [w.week for w in checked] == list(range(1, 13))
    assert [w.status for w in checked] == [
        WeekStatus.MET, WeekStatus.MET, WeekStatus.JUDGEMENT, *[WeekStatus.MET] * 7,
        WeekStatus.JUDGEMENT, WeekStatus.JUDGEMENT]
    empty = roadmap(Facts())
    assert all(w.status is WeekStatus.NOT_MET for w in empty), [w.status for w in empty]
    open_issue_without_owner = roadmap(replace(MATURE, open_serious_owned_and_due=0))
    assert open_issue_without_owner[8].status is WeekStatus.NOT_MET
    assert open_issue_without_owner[8].evidence.startswith("0 of 1 open P0/P1")
