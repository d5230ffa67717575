"""Demo step: the eight weeks before this one, lived on the calendar.

The metrics, the cadence reports and the self-assessment judge a team by its history, and a demo
run in ten seconds has none. This step gives it one, through the same flows the team uses, each
moment dated on the calendar: every week the algorithm side files two requirements on Friday (new
cleaned texts, P1, and preference pairs to annotate, P2), the Data Owner triages and commits them
on Monday, a vendor delivers on Tuesday (one in week 3 and week 6 skips deduplication: the batch
fails and files a P1 issue, closed on Friday with a post-mortem that names the check it added),
vendor and internal annotators deliver preference pairs under one guide version (the guide moves
from 1.1 to 1.2 in week 5); the evening before each freeze the Data Owner consults everyone the
RACI matrix names, and freezes the raw pool on Wednesday and the pairs on Thursday with their
answers, each within its SLA; the deliveries are accepted on Friday, and every second week an
evaluation run on the newest version is compared with the one before. Then the cadence reports of
those weeks go out as a schedule catching up sends them (`flywheel report due --send`).

Everything is generated here, under the workspace; its rows are seeded by the week, so a rerun
writes the same files.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from rich.console import Console

from dataflywheel.domain.calendar import iso_week, week_monday
from dataflywheel.domain.records.base import utcnow
from dataflywheel.demo.data_pool import WORDS
from dataflywheel.domain.records.demand import Priority, RequirementKind
from dataflywheel.flows.workspace import Workspace

WEEKS = 8
PROJECT = "P-K12"
POOL, POOL_CONTRACT = "k12-weekly-pool", "cleaned-raw-pool@1.0.0"
PAIRS, PAIRS_CONTRACT = "k12-preferences", "preference-pairs@1.0.0"
OWNER, ENGINEER, ANNOTATION, EVALUATOR = "lin.wei", "chen.jie", "sara.kim", "omar.haddad"
RESEARCHER, COMPLIANCE = "tom.berg", "eva.novak"
SKIPS_DEDUP = (2, 5)  # the weeks (0-based) whose vendor batch repeats records
GUIDE_CHANGE = 4  # from this week the annotators work under the new guide
MARGINS = ("slight", "clear", "strong")


@dataclass
class Week:
    """What one week left behind, for the step's summary line."""

    week: str
    requirements: list[str] = field(default_factory=list)
    batches: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)
    experiment: str | None = None


def history_start(now: datetime | None = None) -> datetime:
    """The Monday 00:00 UTC eight weeks before the week of `now`: where the history begins (the
    contracts step registers the contracts then, so no batch predates its contract)."""
    monday = week_monday(iso_week(now or utcnow()))
    return datetime.combine(monday, time(), tzinfo=UTC) - timedelta(weeks=WEEKS)


def demo_step(ws: Workspace, console: Console) -> list[Week]:
    """Live the eight weeks before this one; print a line per week."""
    from dataflywheel.flows.data.versions import create_dataset

    for name, purpose in ((POOL, "training"), (PAIRS, "training")):
        create_dataset(ws, name, project_id=PROJECT, owner_id=OWNER, purpose=purpose,
                       sensitivity="internal")
    start = history_start()
    lived: list[Week] = []
    previous_experiment: str | None = None
    for n in range(WEEKS):
        monday = start + timedelta(weeks=n)
        week = _live(ws, n, monday, previous_experiment)
        previous_experiment = week.experiment or previous_experiment
        lived.append(week)
        console.print(f"{week.week}: {len(week.requirements)} requirements committed and accepted, "
                      f"{len(week.batches)} batches ({len(week.failed)} failed"
                      + (f", issue {', '.join(week.issues)} closed with a post-mortem"
                         if week.issues else "") + f"), versions {', '.join(week.versions)}"
                      + (f", evaluation {week.experiment}" if week.experiment else ""),
                      highlight=False)
    _catch_up(ws, console, start)
    return lived


def _catch_up(ws: Workspace, console: Console, start: datetime) -> None:
    """The cadence reports of those weeks, sent the way a schedule that was off catches up:
    `flywheel report due --send --since START` sends each report whose period closed, once."""
    from dataflywheel.flows.cadence_schedule import send_due

    done = send_due(ws, since=start)
    made = [f"{d.report} {d.period}" for d in done.sent if d.error is None]
    console.print(f"flywheel report due --send --since {start:%Y-%m-%d}: {len(made)} reports sent "
                  f"({made[0]} … {made[-1]}), each into its participants' inboxes"
                  if made else "flywheel report due --send: nothing was due", highlight=False)
    for failed in (d for d in done.sent if d.error is not None):
        console.print(f"  {failed.report} {failed.period} not sent: {failed.error}",
                      highlight=False)


def _live(ws: Workspace, n: int, monday: datetime, baseline: str | None) -> Week:
    from dataflywheel.flows.demand import lifecycle as demand

    week = Week(week=iso_week(monday))
    at = _clock(monday)
    pool_req = _requirement(ws, n, at(-3, 15), RequirementKind.NEW_DATA, Priority.P1,
                            f"Cleaned K-12 texts, {week.week}", ENGINEER)
    pairs_req = _requirement(ws, n, at(-3, 15, 5), RequirementKind.ANNOTATION, Priority.P2,
                             f"Preference pairs for the reward model, {week.week}", ANNOTATION)
    week.requirements = [pool_req, pairs_req]
    for req in week.requirements:
        demand.triage(ws, req, approver=OWNER, now=at(0, 9, 30))
    demand.commit_week(ws, week.requirements, week=week.week, now=at(0, 10))
    for req in week.requirements:
        demand.start(ws, req, now=at(0, 11))
    pool = _deliver_pool(ws, n, pool_req, at, week)
    pairs = _deliver_pairs(ws, n, pairs_req, at, week)
    # the P1 raw pool is due in three business days (Wednesday 15:00), the P2 pairs in five
    pool_version = _freeze(ws, POOL, pool, at(2, 10), records=40 * (n + 1))
    pairs_version = _freeze(ws, PAIRS, pairs, at(3, 10, 30), records=36 * (n + 1))
    week.versions = [pool_version, pairs_version]
    for req, version, day in ((pool_req, pool_version, 2), (pairs_req, pairs_version, 3)):
        demand.deliver(ws, req, version_ids=[version], now=at(day, 14))
        demand.decide(ws, req, accept=True, by=OWNER, now=at(4, 10))
    if n % 2 == 1:
        week.experiment = _evaluate(ws, n, pool_version, baseline, at(4, 14))
    return week


def _clock(monday: datetime):  # type: ignore[no-untyped-def]
    """`at(day, hour, minute)`: a moment of the week, days counted from its Monday."""
    def at(day: int, hour: int, minute: int = 0) -> datetime:
        return monday + timedelta(days=day, hours=hour, minutes=minute)

    return at


def _requirement(ws: Workspace, n: int, at: datetime, kind: RequirementKind, priority: Priority,
                 title: str, responsible: str) -> str:
    from dataflywheel.flows.demand.requirements import submit_requirement

    contract = POOL_CONTRACT if kind is RequirementKind.NEW_DATA else PAIRS_CONTRACT
    return submit_requirement(
        ws, title=title, project_id=PROJECT, requester_id=RESEARCHER, kind=kind,
        priority=priority, target_metric="tutor step accuracy",
        acceptance_criteria=f"passes {contract}", responsible_id=responsible,
        accountable_id=OWNER, deadline=at + timedelta(days=7), now=at).id


def _deliver_pool(ws: Workspace, n: int, requirement: str, at, week: Week) -> list[str]:  # type: ignore[no-untyped-def]
    """Tuesday's raw-pool delivery (and, in a bad week, the vendor's batch that repeats
    records: it fails and files a P1 issue, closed on Friday with its post-mortem)."""
    from dataflywheel.demo.data_pool import write_rows
    from dataflywheel.flows.data.delivery import deliver

    folder = ws.settings.workspace / "demo-deliveries" / "history"
    good = deliver(ws, [write_rows(folder / f"pool-{week.week}.jsonl", f"{week.week}-bl", 40)],
                   dataset=POOL, contract_version_id=POOL_CONTRACT, requirement_id=requirement,
                   delivered_by="v-brightlabel", engine="single", now=at(1, 10))
    week.batches.append(good.batch.id)
    if n in SKIPS_DEDUP:
        bad = deliver(ws, [write_rows(folder / f"pool-{week.week}-tw.jsonl", f"{week.week}-tw",
                                      40, duplicate_every=3)],
                      dataset=POOL, contract_version_id=POOL_CONTRACT,
                      requirement_id=requirement, delivered_by="v-tagwise", engine="single",
                      now=at(1, 11))
        week.batches.append(bad.batch.id)
        week.failed.append(bad.batch.id)
        if bad.issue is not None:
            _close_issue(ws, bad.issue.id, bad.batch.id, at)
            week.issues.append(bad.issue.id)
    return [good.batch.id]


def _close_issue(ws: Workspace, issue_id: str, batch_id: str, at) -> None:  # type: ignore[no-untyped-def]
    from dataflywheel.flows.issues import lifecycle as issues
    from dataflywheel.flows.issues import postmortems

    issues.acknowledge(ws, issue_id, note="looking at the batch", now=at(1, 11, 30))
    issues.assign(ws, issue_id, owner_id=ENGINEER, now=at(1, 11, 31))
    issues.resolve(ws, issue_id, resolution="batch returned to the vendor; redelivery deduplicated",
                   root_cause="the vendor's pipeline skipped its deduplication step", now=at(2, 15))
    postmortems.write(
        ws, issue_id, author_id=EVALUATOR, now=at(4, 9),
        event=f"Vendor batch {batch_id} repeated a third of its records.",
        impact="The batch failed its gate; the week's version was frozen without it.",
        timeline=[{"at": at(1, 11), "what": "batch failed the exact-duplicate gate"},
                  {"at": at(2, 15), "what": "vendor redelivered a deduplicated batch"}],
        root_cause="The vendor's pipeline skipped deduplication when a run was restarted.",
        remediation="Returned the batch; the vendor reran deduplication.",
        preventive_measures=["the exact-duplicate check runs on every raw-pool delivery",
                             "vendor restarts rerun the whole pipeline"],
        process_change="exact_duplicates is part of the raw-pool plan for every vendor.")
    postmortems.link_change(ws, issue_id, kind="check", ref="exact_duplicates")
    postmortems.submit(ws, issue_id)
    postmortems.publish(ws, issue_id, now=at(4, 11))
    issues.close(ws, issue_id, now=at(4, 12))


def _deliver_pairs(ws: Workspace, n: int, requirement: str, at, week: Week) -> list[str]:  # type: ignore[no-untyped-def]
    """Tuesday's preference pairs: one batch from the vendor's annotators, one from the internal
    ones, both under the guide version of the week."""
    from dataflywheel.flows.data.delivery import deliver

    guide = "preference-guide-1.2" if n >= GUIDE_CHANGE else "preference-guide-1.1"
    folder = ws.settings.workspace / "demo-deliveries" / "history"
    made = []
    for by, annotators, hour in (("v-tagwise", ("tw-01", "tw-02", "tw-03"), 14),
                                 (ANNOTATION, ("in-01", "in-02", "in-03"), 15)):
        path = _pairs_file(folder / f"pairs-{week.week}-{by}.jsonl", f"{week.week}-{by}",
                           annotators, pairs=12)
        batch = deliver(ws, [path], dataset=PAIRS, contract_version_id=PAIRS_CONTRACT,
                        requirement_id=requirement, delivered_by=by,
                        annotator_ids=list(annotators), guide_version=guide, engine="single",
                        now=at(1, hour)).batch
        week.batches.append(batch.id)
        made.append(batch.id)
    return made


def _freeze(ws: Workspace, dataset: str, batches: list[str], at: datetime, *,
            records: int) -> str:
    """Thursday: the week's batches join the dataset's current version; the Data Owner freezes
    the candidate through the gate after consulting the Quality Evaluator."""
    from dataflywheel.demo.data_pool import DATASHEET
    from dataflywheel.flows.data import versions
    from dataflywheel.flows.data.lineage import version_lineage
    from dataflywheel.flows.data.version_release import freeze

    current = versions.get_dataset(ws, dataset).current_version_id
    kept = [b.batch.id for b in version_lineage(ws, current).batches] if current else []
    candidate = versions.create_version(ws, dataset, by=ENGINEER, batch_ids=[*kept, *batches])
    versions.set_datasheet(ws, candidate.id, DATASHEET | {
        "sample_size": records, "objective": f"{dataset}: the K-12 tutor's weekly data.",
        "quality_summary": "every batch passed its contract's gates"}, by=ENGINEER)
    versions.decide_compliance(ws, candidate.id, by=COMPLIANCE, approve=True,
                               conclusion="licensed sources; no personal data")
    _consult(ws, candidate.id, asked=at - timedelta(hours=18), due=at - timedelta(hours=1))
    return freeze(ws, candidate.id, by=OWNER, now=at).id


ANSWERS = {EVALUATOR: "the week's quality reports reviewed, OK", ENGINEER: "lineage complete",
           ANNOTATION: "guide version recorded on every batch", COMPLIANCE: "licences on file"}


def _consult(ws: Workspace, version: str, *, asked: datetime, due: datetime) -> None:
    """The evening before the freeze the Data Owner asks everyone the RACI matrix consults on a
    release; each answers within the hour, as themselves (the release records their answers)."""
    from dataflywheel.flows.governance.consultations import answer, request
    from dataflywheel.flows.workspace import acting_as

    for n, consultation in enumerate(request(
            ws, "training_set_version_release", record_kind="dataset_version",
            record_id=version, due_at=due, project_id=PROJECT, now=asked)):
        person = consultation.person_id
        answer(acting_as(ws, person), consultation.id, now=asked + timedelta(minutes=20 + 7 * n),
               response=ANSWERS.get(person, "no objection"))


def _evaluate(ws: Workspace, n: int, version: str, baseline: str | None, at: datetime) -> str:
    """Every second Friday: the tutor evaluated on the newest version, against the last run."""
    from dataflywheel.demo.experiments import reproducibility_context
    from dataflywheel.flows.experiments.runs import log_experiment, parse_create

    spec = parse_create({**reproducibility_context(),
        "title": f"tutor eval on {version}", "kind": "formal", "project_id": PROJECT,
        "owner_id": RESEARCHER, "model_version": "k12-tutor-7b-sft",
        "baseline_experiment_id": baseline, "params": {"key_metric": "step_accuracy"},
        "metrics": {"step_accuracy": round(0.61 + 0.02 * n, 3)},
        "versions": [{"version_id": version, "role": "eval"}],
        "conclusion": "steady gain from the weekly data",
        "started_at": at.isoformat(), "ended_at": (at + timedelta(hours=2)).isoformat(),
    }, source="demo history")
    return log_experiment(ws, spec, now=at).experiment.id


def _pairs_file(path: Path, prefix: str, annotators: tuple[str, ...], *, pairs: int) -> Path:
    """Every pair judged by each annotator; they agree on the margin except on one pair."""
    rng = random.Random(prefix)
    rows = []
    for i in range(pairs):
        prompt = " ".join(rng.choice(WORDS) for _ in range(10))
        margin = MARGINS[i % 3]
        for k, annotator in enumerate(annotators):
            judged = MARGINS[(i + 1) % 3] if (i == 0 and k == 0) else margin
            rows.append({"pair_id": f"{prefix}-{i:02d}", "prompt": prompt,
                         "chosen": " ".join(rng.choice(WORDS) for _ in range(12)),
                         "rejected": " ".join(rng.choice(WORDS) for _ in range(12)),
                         "annotator_id": annotator, "margin": judged})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path
