"""The self-assessment, judged from counts of records: the chapter's transformation checklist
(Table 24-26) on its four-point scale, the maturity stage it implies (Table 24-2), and the
twelve-week pilot roadmap (Table 24-28) with each week's acceptance criterion.

Why counts and rules, not a questionnaire: the chapter's test of a team that runs DataOps is that
its questions "can be answered through system records". Each dimension is three criteria, one per
step up the scale (partially established, stably running, continuously optimized); a dimension
stands at the last step whose criterion, and every criterion before it, the records meet. Every
criterion says what it checked and what it counted, so a judgement can be argued with.

Pure functions of a `Facts` (the counts a flow reads in one session): no store, no clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from pydantic import BaseModel, ConfigDict

STABLE_SHARE = 0.9
"""The share of a window's records that must follow a practice for it to count as running."""


class Level(IntEnum):
    """The four-point scale the chapter gives for rating each checklist item."""

    NOT_ESTABLISHED = 0
    PARTIALLY_ESTABLISHED = 1
    STABLY_RUNNING = 2
    CONTINUOUSLY_OPTIMIZED = 3

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", " ")


class ChecklistRow(BaseModel):
    """One row of Table 24-26, as printed."""

    model_config = ConfigDict(frozen=True)

    dimension: str
    key_question: str
    initial_state: str
    target_state: str


TABLE_24_26: tuple[ChecklistRow, ...] = (
    ChecklistRow(dimension="Role responsibility",
                 key_question="Is there a clear ultimate accountable party for each type of data "
                              "decision?",
                 initial_state="Multiple participants but no one willing to make the call",
                 target_state="Each critical item has a unique A and an explicit R"),
    ChecklistRow(dimension="Requirement management",
                 key_question="Do all data requirements enter a unified Demand Pool?",
                 initial_state="Requirements scattered in meetings and chat records",
                 target_state="Requirements have IDs, priorities, acceptance criteria, and "
                              "deadlines"),
    ChecklistRow(dimension="Interface protocols",
                 key_question="Do upstream and downstream have stable delivery contracts?",
                 initial_state="Fields and definitions depend on verbal explanation",
                 target_state="Schema, semantic descriptions, and SLAs are all documented"),
    ChecklistRow(dimension="Annotation governance",
                 key_question="Are annotation guides versioned and traceable?",
                 initial_state="Multiple versions coexist; outsourcing vendors have inconsistent "
                               "understanding",
                 target_state="Guides, examples, Q&As, and change records are maintained "
                              "uniformly"),
    ChecklistRow(dimension="Quality control",
                 key_question="Can quality trends be continuously observed?",
                 initial_state="Ad hoc spot checks before release",
                 target_state="Automated checks, manual spot checks, and trend analysis "
                              "combined"),
    ChecklistRow(dimension="Version management",
                 key_question="Can data used in historical experiments be reproduced?",
                 initial_state="Folder naming and manual records",
                 target_state="Data versions, model experiments, and quality reports are "
                              "cross-linked"),
    ChecklistRow(dimension="Access compliance",
                 key_question="Is authorization by intended use and term?",
                 initial_state="Project members hold broad long-term permissions",
                 target_state="Minimum privilege, automatic revocation upon expiry, access "
                              "auditing"),
    ChecklistRow(dimension="Incident post-mortems",
                 key_question="Are incidents translated into process improvements?",
                 initial_state="Post-mortems remain at the textual summary level",
                 target_state="Post-mortem closure depends on changes to processes, tools, or "
                              "templates"),
    ChecklistRow(dimension="Data reuse",
                 key_question="Do high-value datasets enter the asset registry?",
                 initial_state="Privately held within projects",
                 target_state="Discoverable, requestable, traceable, and revocable"),
    ChecklistRow(dimension="Metrics governance",
                 key_question="Do metrics serve learning rather than surface performance "
                              "evaluation?",
                 initial_state="Only tracking quantities and progress",
                 target_state="Simultaneously observing flow efficiency, quality, collaboration, "
                              "and outcomes"),
)
"""Table 24-26, cell for cell (held against a transcription in tests/metrics)."""


class StageRow(BaseModel):
    """One row of Table 24-2, as printed."""

    model_config = ConfigDict(frozen=True)

    stage: str
    characteristics: str
    primary_risks: str
    priority_capabilities: str
    avoid_too_early: str


TABLE_24_2: tuple[StageRow, ...] = (
    StageRow(stage="Scripted collaboration",
             characteristics="A small number of members rely on personal experience to complete "
                             "collection, cleaning, and annotation",
             primary_risks="Single-point dependency; results are not reproducible",
             priority_capabilities="Basic version records, minimal quality checks, key-role "
                                   "confirmation",
             avoid_too_early="Complex approvals, excessive metrics, heavyweight platforms"),
    StageRow(stage="Standardized collaboration",
             characteristics="Multiple roles deliver according to interfaces; a fixed cadence "
                             "begins to emerge",
             primary_risks="Inconsistent standard execution; chaotic interface changes",
             priority_capabilities="RACI, schemas, annotation guides, SLAs",
             avoid_too_early="Complex orchestration before large-scale automation"),
    StageRow(stage="Platform-driven collaboration",
             characteristics="Tasks, annotation, quality, and versioning enter a unified system",
             primary_risks="Platform diverges from real workflows; high tool-adoption cost",
             priority_capabilities="Embedded workflows, automated checks, access control, "
                                   "lineage tracking",
             avoid_too_early="Feature accumulation unrelated to core workflows"),
    StageRow(stage="Metrics-driven collaboration",
             characteristics="Continuous improvement driven by metrics, post-mortems, and "
                             "experiment feedback",
             primary_risks="Metric gaming, local optimization, formalistic post-mortems",
             priority_capabilities="Value-stream measurement, quality trends, reuse benefits, "
                                   "organizational learning",
             avoid_too_early="Metric competitions disconnected from business objectives"),
)
"""Table 24-2, cell for cell."""


class RoadmapRow(BaseModel):
    """One row of Table 24-28, as printed."""

    model_config = ConfigDict(frozen=True)

    week: int
    key_tasks: str
    deliverables: str
    acceptance_criteria: str


TABLE_24_28: tuple[RoadmapRow, ...] = tuple(RoadmapRow(week=n, key_tasks=t, deliverables=d,
                                                       acceptance_criteria=a)
                                            for n, (t, d, a) in enumerate((
    ("Interview core roles; map current data flows and main blockers",
     "Current-state problem list, data-flow sketch",
     "Covers major data-production and data-consumption roles"),
    ("Confirm Data Owner, RACI, and critical decision items",
     "RACI initial version, escalation-path draft",
     "Each critical item has a unique accountable party"),
    ("Select a high-frequency data chain as the pilot",
     "Pilot scope, risk boundaries, pilot metrics",
     "Pilot scope is small enough and impact is clear"),
    ("Establish the Demand Pool and unified task templates",
     "Requirement template, priority rules",
     "New requirements can be submitted and reviewed using the template"),
    ("Map interface protocols and data schemas",
     "Interface protocols, schema files, field descriptions",
     "Upstream and downstream reach agreement on delivery standards"),
    ("Establish annotation guide versioning and example library",
     "Annotation guide, boundary examples, FAQ",
     "Outsourcing vendors and internal staff use the same version"),
    ("Connect basic quality checks",
     "Deduplication, format, anomaly-value, and spot-check rules",
     "Quality summaries are automatically generated before data release"),
    ("Establish version release and experiment linkage",
     "Data version specification, experiment citation rules",
     "Experiments can be traced to specific data versions"),
    ("Run weekly post-mortem and close the first set of issues",
     "Issue Pool, post-mortem records, improvement items",
     "High-priority issues have owners and deadlines"),
    ("Summarize quality, delivery, and collaboration metrics",
     "Metrics dashboard or monthly report",
     "Metric definitions are clear and changes can be explained"),
    ("Assess pilot benefits and revise processes",
     "Pilot evaluation report, process revision records",
     "Improvement benefits and remaining risks are clearly stated"),
    ("Decide on rollout scope and next-round priorities",
     "Rollout plan, resource requirements, next-round objectives",
     "Management and participating teams reach consensus"),
), start=1))
"""Table 24-28, cell for cell."""


@dataclass(frozen=True)
class Facts:
    """What the records show, counted over the assessment's window (`window_*`, `weeks`) or in
    all (the rest). A flow reads them in one session; the judgements below only count."""

    weeks: int = 13
    # role responsibility
    raci_items: int = 0
    raci_problems: tuple[str, ...] = ()
    window_consultations: int = 0
    window_consultations_answered: int = 0
    producer_roles_held: tuple[str, ...] = ()
    consumer_roles_held: tuple[str, ...] = ()
    # requirement management
    requirements: int = 0
    window_requirements: int = 0
    window_requirements_templated: int = 0  # acceptance criteria and a deadline
    window_requirements_reviewed: int = 0  # taken past `submitted` by someone
    # interface protocols
    contracts: int = 0
    active_contract_versions: int = 0
    window_batches: int = 0
    window_batches_checked: int = 0
    window_breaking_changes: int = 0
    window_breaking_changes_noticed: int = 0
    # annotation governance
    guided_batches: int = 0
    window_annotation_batches: int = 0
    window_annotation_batches_guided: int = 0
    mixed_requirements: int = 0  # vendor and internal batches on one annotation requirement
    mixed_requirements_one_guide: int = 0
    # quality control
    checked_batches: int = 0
    window_batches_spot_checked: int = 0
    # version management
    frozen_versions: int = 0
    window_versions_frozen: int = 0
    window_versions_complete: int = 0  # datasheet, approval, compliance, quality report
    window_versions_with_quality_report: int = 0
    window_experiments: int = 0
    window_experiments_with_versions: int = 0
    # access compliance
    grants: int = 0
    grants_past_expiry_active: int = 0
    grants_ended_on_expiry: int = 0
    window_audited_reads: int = 0
    # incident post-mortems
    issues: int = 0
    window_serious_issues: int = 0  # P0/P1 resolved or closed in the window
    window_serious_with_postmortem: int = 0
    open_serious_issues: int = 0
    open_serious_owned_and_due: int = 0
    window_postmortems: int = 0  # published in the window
    window_postmortems_with_change: int = 0
    # data reuse
    assets: int = 0
    requestable_assets: int = 0
    assets_granted: int = 0
    assets_reused: int = 0  # used by two projects or more
    # metrics governance
    layers_observed: tuple[str, ...] = ()
    # the cadence, as sent reports: name → distinct reports sent in the window
    reports_sent: dict[str, int] = field(default_factory=dict)
    projects_across_teams: int = 0  # projects whose requirements involve two teams or more


class Status(StrEnum):
    """How the records settle a Table 24-30 question."""

    ANSWERED = "answered"
    GAPS = "gaps"
    NO_RECORDS = "no_records"


class Answer(BaseModel):
    """A Table 24-30 self-assessment question answered from the records (`flows.trace`)."""

    key: str
    question: str
    status: Status
    answer: str
    evidence: list[str] = []


class Criterion(BaseModel):
    """One rule on the way up the scale, with what it counted."""

    text: str
    met: bool
    evidence: str


class Judgement(BaseModel):
    dimension: str
    key_question: str
    initial_state: str
    target_state: str
    level: int
    level_label: str
    criteria: list[Criterion]
    next_step: str | None


def _share(part: int, whole: int) -> str:
    return f"{part} of {whole}"


def _problems(problems: tuple[str, ...]) -> str:
    if not problems:
        return "raci check finds no problem"
    first = problems[0].split(". Next:")[0]
    return first + (f" (and {len(problems) - 1} more: flywheel raci check)" if len(problems) > 1
                    else "")


def _most(part: int, whole: int) -> bool:
    return whole > 0 and part >= STABLE_SHARE * whole


def _half_the_weeks(f: Facts, report: str) -> Criterion:
    sent = f.reports_sent.get(report, 0)
    return Criterion(text=f"the {report} report was sent in at least half the window's weeks",
                     met=2 * sent >= f.weeks > 0, evidence=f"{sent} sent in {f.weeks} weeks")


def _role(f: Facts) -> list[Criterion]:
    return [
        Criterion(text="a RACI matrix names the decision items", met=f.raci_items > 0,
                  evidence=f"{f.raci_items} RACI item(s)"),
        Criterion(text="every item has one Accountable person and a Responsible one, in every "
                       "project", met=f.raci_items > 0 and not f.raci_problems,
                  evidence=_problems(f.raci_problems)),
        Criterion(text="Consulted people are asked and answer (most consultations answered)",
                  met=_most(f.window_consultations_answered, f.window_consultations),
                  evidence=_share(f.window_consultations_answered, f.window_consultations)
                  + " consultations answered"),
    ]


def _requirements(f: Facts) -> list[Criterion]:
    return [
        Criterion(text="requirements enter the Demand Pool", met=f.requirements > 0,
                  evidence=f"{f.requirements} requirement(s)"),
        Criterion(text="the window's requirements carry acceptance criteria and a deadline",
                  met=_most(f.window_requirements_templated, f.window_requirements),
                  evidence=_share(f.window_requirements_templated, f.window_requirements)),
        _half_the_weeks(f, "monday"),
    ]


def _interfaces(f: Facts) -> list[Criterion]:
    return [
        Criterion(text="delivery contracts are registered", met=f.contracts > 0,
                  evidence=f"{f.contracts} contract(s), {f.active_contract_versions} active "
                           "version(s)"),
        Criterion(text="the window's batches were checked against an active contract",
                  met=f.active_contract_versions > 0
                  and _most(f.window_batches_checked, f.window_batches),
                  evidence=_share(f.window_batches_checked, f.window_batches) + " checked"),
        Criterion(text="breaking contract changes were announced with the notice the contract "
                       "asks for", met=f.window_breaking_changes > 0
                  and f.window_breaking_changes_noticed == f.window_breaking_changes,
                  evidence=_share(f.window_breaking_changes_noticed, f.window_breaking_changes)
                  + " breaking change(s) announced in time"),
    ]


def _annotation(f: Facts) -> list[Criterion]:
    return [
        Criterion(text="batches name the annotation-guide version they were made under",
                  met=f.guided_batches > 0, evidence=f"{f.guided_batches} batch(es)"),
        Criterion(text="the window's annotation batches name their guide version",
                  met=_most(f.window_annotation_batches_guided, f.window_annotation_batches),
                  evidence=_share(f.window_annotation_batches_guided,
                                  f.window_annotation_batches)),
        Criterion(text="vendors and internal staff on one requirement used the same guide",
                  met=f.mixed_requirements > 0
                  and f.mixed_requirements_one_guide == f.mixed_requirements,
                  evidence=_share(f.mixed_requirements_one_guide, f.mixed_requirements)
                  + " requirement(s) with vendor and internal batches"),
    ]


def _quality(f: Facts) -> list[Criterion]:
    return [
        Criterion(text="batches are checked automatically", met=f.checked_batches > 0,
                  evidence=f"{f.checked_batches} checked batch(es)"),
        Criterion(text="the window's batches were checked, and some were spot-checked by a "
                       "person", met=_most(f.window_batches_checked, f.window_batches)
                  and f.window_batches_spot_checked > 0,
                  evidence=f"{_share(f.window_batches_checked, f.window_batches)} checked, "
                           f"{f.window_batches_spot_checked} spot-checked"),
        _half_the_weeks(f, "wednesday"),
    ]


def _versions(f: Facts) -> list[Criterion]:
    return [
        Criterion(text="dataset versions are frozen", met=f.frozen_versions > 0,
                  evidence=f"{f.frozen_versions} frozen version(s)"),
        Criterion(text="the window's experiments record the data versions they used",
                  met=_most(f.window_experiments_with_versions, f.window_experiments),
                  evidence=_share(f.window_experiments_with_versions, f.window_experiments)),
        Criterion(text="every version frozen in the window has its full record (datasheet, "
                       "approval, compliance, quality report)",
                  met=f.window_versions_frozen > 0
                  and f.window_versions_complete == f.window_versions_frozen,
                  evidence=_share(f.window_versions_complete, f.window_versions_frozen)),
    ]


def _access(f: Facts) -> list[Criterion]:
    return [
        Criterion(text="access is granted per asset, purpose and term", met=f.grants > 0,
                  evidence=f"{f.grants} grant(s)"),
        Criterion(text="no grant stays active past its expiry",
                  met=f.grants > 0 and f.grants_past_expiry_active == 0,
                  evidence=f"{f.grants_past_expiry_active} active past expiry"),
        Criterion(text="grants end on expiry and reads are audited",
                  met=f.grants_ended_on_expiry > 0 and f.window_audited_reads > 0,
                  evidence=f"{f.grants_ended_on_expiry} ended on expiry, "
                           f"{f.window_audited_reads} audited read(s) in the window"),
    ]


def _postmortems(f: Facts) -> list[Criterion]:
    return [
        Criterion(text="issues are recorded in the Issue Pool", met=f.issues > 0,
                  evidence=f"{f.issues} issue(s)"),
        Criterion(text="the window's P0/P1 issues got a published post-mortem",
                  met=_most(f.window_serious_with_postmortem, f.window_serious_issues),
                  evidence=_share(f.window_serious_with_postmortem, f.window_serious_issues)),
        Criterion(text="every post-mortem published in the window names the process, tool or "
                       "template it changed", met=f.window_postmortems > 0
                  and f.window_postmortems_with_change == f.window_postmortems,
                  evidence=_share(f.window_postmortems_with_change, f.window_postmortems)),
    ]


def _reuse(f: Facts) -> list[Criterion]:
    return [
        Criterion(text="datasets enter the asset registry", met=f.assets > 0,
                  evidence=f"{f.assets} asset(s), {f.requestable_assets} requestable"),
        Criterion(text="registered assets are requested and granted", met=f.assets_granted > 0,
                  evidence=f"{f.assets_granted} asset(s) with a grant"),
        Criterion(text="an asset serves two projects or more", met=f.assets_reused > 0,
                  evidence=f"{f.assets_reused} asset(s) reused"),
    ]


OBSERVED_LAYERS = ("flow_efficiency", "quality_stability", "collaboration_reliability",
                   "model_outcomes")
"""The four kinds of metric the checklist's target state names (Table 24-15's first four)."""


def _metrics(f: Facts) -> list[Criterion]:
    seen = [layer for layer in OBSERVED_LAYERS if layer in f.layers_observed]
    return [
        Criterion(text="metrics are computed from records", met=bool(f.layers_observed),
                  evidence=", ".join(f.layers_observed) or "no layer has a figure"),
        Criterion(text="flow efficiency, quality, collaboration and outcomes are all observed",
                  met=len(seen) == len(OBSERVED_LAYERS),
                  evidence=f"{len(seen)} of {len(OBSERVED_LAYERS)}: " + (", ".join(seen) or "none")),
        Criterion(text="a monthly review interpreted them", met=f.reports_sent.get("monthly", 0) > 0,
                  evidence=f"{f.reports_sent.get('monthly', 0)} monthly review(s) sent"),
    ]


JUDGES: tuple[Callable[[Facts], list[Criterion]], ...] = (
    _role, _requirements, _interfaces, _annotation, _quality, _versions, _access, _postmortems,
    _reuse, _metrics)
"""One judge per Table 24-26 row, in the table's order."""


def checklist(f: Facts) -> list[Judgement]:
    """Every Table 24-26 dimension at the level its records reach."""
    out = []
    for row, judge in zip(TABLE_24_26, JUDGES, strict=True):
        criteria = judge(f)
        reached = next((i for i, c in enumerate(criteria) if not c.met), len(criteria))
        level = Level(reached)
        out.append(Judgement(**row.model_dump(), level=int(level), level_label=level.label,
                             criteria=criteria,
                             next_step=criteria[reached].text if reached < len(criteria) else None))
    return out


class StageNeed(StrEnum):
    """How far a dimension must stand for a stage's priority capability to count as built."""

    PARTIAL = "partially established"
    STABLE = "stably running"
    OPTIMIZED = "continuously optimized"


_NEED_LEVEL = {StageNeed.PARTIAL: Level.PARTIALLY_ESTABLISHED,
               StageNeed.STABLE: Level.STABLY_RUNNING,
               StageNeed.OPTIMIZED: Level.CONTINUOUSLY_OPTIMIZED}

STAGE_NEEDS: tuple[tuple[tuple[str, StageNeed], ...], ...] = (
    (("Version management", StageNeed.PARTIAL), ("Quality control", StageNeed.PARTIAL),
     ("Role responsibility", StageNeed.PARTIAL)),
    (("Role responsibility", StageNeed.STABLE), ("Interface protocols", StageNeed.STABLE),
     ("Annotation governance", StageNeed.STABLE), ("Requirement management", StageNeed.STABLE)),
    (("Requirement management", StageNeed.OPTIMIZED), ("Quality control", StageNeed.STABLE),
     ("Access compliance", StageNeed.STABLE), ("Version management", StageNeed.STABLE)),
    (("Metrics governance", StageNeed.STABLE), ("Quality control", StageNeed.OPTIMIZED),
     ("Data reuse", StageNeed.OPTIMIZED), ("Incident post-mortems", StageNeed.STABLE)),
)
"""Each Table 24-2 stage's priority capabilities as checklist dimensions and the level they need:
basic version records, minimal quality checks, key-role confirmation; RACI, schemas, annotation
guides, SLAs (the Demand Pool's); embedded workflows (the weekly cadence run from the records),
automated checks, access control, lineage; value-stream measurement, quality trends, reuse
benefits, organizational learning (post-mortems that change something)."""


class Gap(BaseModel):
    dimension: str
    needs: str
    stands_at: str


class StageJudgement(BaseModel):
    number: int
    stage: str
    characteristics: str
    primary_risks: str
    avoid_too_early: str
    next_stage: str | None
    gaps: list[Gap]


def _gaps(needs: tuple[tuple[str, StageNeed], ...], levels: dict[str, Level]) -> list[Gap]:
    return [Gap(dimension=d, needs=need.value, stands_at=levels[d].label)
            for d, need in needs if levels[d] < _NEED_LEVEL[need]]


def stage(judgements: list[Judgement]) -> StageJudgement:
    """The Table 24-2 stage the team has reached: stage k when the priority capabilities of every
    stage up to k are built (stage 1 always: scripted work needs nothing); the gaps are what
    stands between it and the next stage."""
    levels = {j.dimension: Level(j.level) for j in judgements}
    reached = 1
    for number in range(2, len(TABLE_24_2) + 1):
        if _gaps(STAGE_NEEDS[number - 2], levels) or _gaps(STAGE_NEEDS[number - 1], levels):
            break
        reached = number
    row = TABLE_24_2[reached - 1]
    gaps = [*_gaps(STAGE_NEEDS[reached - 1], levels),
            *(_gaps(STAGE_NEEDS[reached], levels) if reached < len(TABLE_24_2) else [])]
    return StageJudgement(number=reached, stage=row.stage, characteristics=row.characteristics,
                          primary_risks=row.primary_risks, avoid_too_early=row.avoid_too_early,
                          next_stage=TABLE_24_2[reached].stage if reached < len(TABLE_24_2)
                          else None, gaps=gaps)


class WeekStatus(StrEnum):
    MET = "met"
    NOT_MET = "not met"
    JUDGEMENT = "for the team to judge"


class WeekCheck(BaseModel):
    week: int
    key_tasks: str
    deliverables: str
    acceptance_criteria: str
    status: WeekStatus
    evidence: str


def _met(ok: bool) -> WeekStatus:
    return WeekStatus.MET if ok else WeekStatus.NOT_MET


def roadmap(f: Facts) -> list[WeekCheck]:
    """Each Table 24-28 week with its acceptance criterion checked against the records; where no
    record can settle it (a scope "small enough", a consensus), what the records do show, and the
    judgement left to the team."""
    complete = f.window_versions_with_quality_report
    checks: tuple[tuple[WeekStatus, str], ...] = (
        (_met(bool(f.producer_roles_held) and bool(f.consumer_roles_held)),
         "producing roles held: " + (", ".join(f.producer_roles_held) or "none")
         + "; consuming roles held: " + (", ".join(f.consumer_roles_held) or "none")),
        (_met(f.raci_items > 0 and not f.raci_problems),
         f"{f.raci_items} RACI item(s); " + _problems(f.raci_problems)),
        (WeekStatus.JUDGEMENT if f.projects_across_teams else WeekStatus.NOT_MET,
         f"{f.projects_across_teams} project(s) whose requirements involve two teams or more; "
         "whether the scope is small enough is the team's call"),
        (_met(f.window_requirements_reviewed > 0
              and _most(f.window_requirements_templated, f.window_requirements)),
         f"{f.window_requirements_reviewed} requirement(s) reviewed; "
         f"{_share(f.window_requirements_templated, f.window_requirements)} templated"),
        (_met(f.active_contract_versions > 0),
         f"{f.active_contract_versions} contract version(s) in effect"),
        (_met(f.mixed_requirements > 0 and f.mixed_requirements_one_guide == f.mixed_requirements),
         _share(f.mixed_requirements_one_guide, f.mixed_requirements)
         + " requirement(s) with vendor and internal batches used one guide version"),
        (_met(f.window_versions_frozen > 0 and complete == f.window_versions_frozen),
         _share(complete, f.window_versions_frozen) + " version(s) frozen in the window carry "
         "their quality report"),
        (_met(_most(f.window_experiments_with_versions, f.window_experiments)),
         _share(f.window_experiments_with_versions, f.window_experiments)
         + " experiment(s) cite their data versions"),
        (_met(f.issues > 0 and f.open_serious_owned_and_due == f.open_serious_issues),
         _share(f.open_serious_owned_and_due, f.open_serious_issues)
         + " open P0/P1 issue(s) have an owner and a deadline"),
        (_met(f.reports_sent.get("monthly", 0) > 0),
         "every metric has a definition record; "
         f"{f.reports_sent.get('monthly', 0)} monthly review(s) with an interpretation sent"),
        (WeekStatus.JUDGEMENT if f.reports_sent.get("monthly", 0) else WeekStatus.NOT_MET,
         "the monthly review and `flywheel scorecard` state benefits and risks; whether they are "
         "clear is the team's call"),
        (WeekStatus.JUDGEMENT if f.reports_sent.get("quarterly", 0) else WeekStatus.NOT_MET,
         f"{f.reports_sent.get('quarterly', 0)} quarterly freeze report(s) sent; no record can "
         "show a consensus"),
    )
    return [WeekCheck(**row.model_dump(), status=status, evidence=evidence)
            for row, (status, evidence) in zip(TABLE_24_28, checks, strict=True)]
