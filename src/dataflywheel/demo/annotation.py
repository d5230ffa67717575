"""Demo step: annotation governance (issue 23) — a guide kept byte for byte with its FAQ; a vendor
onboarded with a test task (its first dispatch refused), work dispatched under guide v1.2, drift
caught by calibration items, the change to v1.3 with notice and its change record, the Table 24-30
answer (which batches the change affected), and the vendor offboarded: grants revoked through the
access flow, deliverables archived, a data-deletion confirmation recorded. Then knowledge
preservation (Table 24-18): the shipped standard templates filed into the knowledge base, and an
onboarding guide past its quarterly review listed as the monthly review lists it.

The guide files ship with the package (`demo/guide_files/`); everything else is generated here.
"""

from __future__ import annotations

from datetime import timedelta
from importlib.resources import files

from rich.console import Console

from dataflywheel.errors import PolicyViolation
from dataflywheel.flows.workspace import Workspace, acting_as

GUIDE = "sft-guide"
DATASET = "k12-sft-guided"
AUTHOR = "sara.kim"  # the demo team's Annotation Engineer
VENDOR = "v-clearmark"
ANNOTATOR = "v-clearmark-ann"
GOLD = {f"gold-{n}": label for n, label in enumerate(
    ["correct", "partially_correct", "incorrect", "correct", "partially_correct"] * 2)}


def guide_file(version: str) -> bytes:
    return files("dataflywheel.demo").joinpath("guide_files", f"{GUIDE}-{version}.md").read_bytes()


def demo_step(ws: Workspace, console: Console, state: dict[str, str]) -> None:
    from dataflywheel.flows.contracts.guides import add_faq, add_guide

    author = acting_as(ws, AUTHOR)
    first = add_guide(author, guide_file("1.2.0"), source="sft-guide-1.2.0.md",
                      project_id="P-K12").version
    console.print(f"{AUTHOR} added {first.id}: {len(first.labels)} labels, "
                  f"{len(first.examples)} examples, file sha256 {first.sha256[:16]}… "
                  f"({first.size} bytes, kept byte for byte)", highlight=False)
    faq = add_faq(author, first.id, question="Is a right answer with no steps correct?",
                  answer="Only if the problem does not ask for steps; see EX-102.",
                  asked_by="v-brightlabel-lead")
    console.print(f"FAQ {faq.id} cites {faq.guide_version_id}: {faq.question}", highlight=False)
    _onboard(author, console, first.id)
    batches = _deliver(ws, console, first.id)
    _calibrate(author, console, first.id)
    _change(author, ws, console, state, batches)
    _offboard(author, ws, console)
    _knowledge(ws, console)


def _onboard(author: Workspace, console: Console, guide: str) -> None:
    from dataflywheel.domain.records.people import Person, Vendor
    from dataflywheel.flows.governance.people import add_person, add_vendor
    from dataflywheel.demo.team import onboard
    from dataflywheel.flows.vendors import dispatch

    add_vendor(author, Vendor(id=VENDOR, name="ClearMark Annotation", contact="ops@clearmark.example"))
    add_person(author, Person(id=ANNOTATOR, name="ClearMark annotator", vendor_id=VENDOR),
               login=ANNOTATOR)
    try:
        dispatch(author, VENDOR, task_id="T-CM-01", guide_version=guide)
    except PolicyViolation as refused:
        console.print(f"[yellow]dispatch refused[/]: {refused.what}", highlight=False)
    test = onboard(author, VENDOR, score=0.95)
    task = dispatch(author, VENDOR, task_id="T-CM-01", guide_version=guide)
    console.print(f"{VENDOR} onboarded (test task {test.id}: {test.score or 0:.0%}); dispatched "
                  f"{task.task_id} under {task.guide_version}, citing "
                  f"{', '.join(task.details['examples'])}", highlight=False)


def _deliver(ws: Workspace, console: Console, guide: str) -> list[str]:
    from dataflywheel.demo.reviews import CONTRACT, PROJECT, _requirement, _write
    from dataflywheel.flows.data.delivery import deliver
    from dataflywheel.flows.data.versions import create_dataset

    folder = ws.settings.workspace / "demo-deliveries" / "guides"
    folder.mkdir(parents=True, exist_ok=True)
    requirement = _requirement(ws, title="SFT pairs under the v1.2 guide", week="2026-W50")
    create_dataset(ws, DATASET, project_id=PROJECT, owner_id="lin.wei", purpose="training",
                   sensitivity="internal")
    batches = [deliver(ws, [_write(folder / f"{vendor}-guided.jsonl", 60, seed=vendor)],
                       dataset=DATASET, contract_version_id=CONTRACT, requirement_id=requirement,
                       delivered_by=vendor, guide_version=guide, engine="single").batch
               for vendor in (VENDOR, "v-brightlabel")]
    console.print(f"delivered under {guide}: " + ", ".join(
        f"{b.id} from {b.delivered_by_vendor_id} ({b.state.value})" for b in batches),
        highlight=False)
    return [b.id for b in batches]


def _calibrate(author: Workspace, console: Console, guide: str) -> None:
    from dataflywheel.flows.vendors import calibrate

    steady = [(item, "cm-01", label) for item, label in GOLD.items()]
    guessing = [(item, "cm-02", "correct") for item in GOLD]  # right answers by guessing
    done = calibrate(author, VENDOR, gold=GOLD, answers=steady + guessing, guide_version=guide,
                     task_id="T-CM-01")
    assert done.calibration is not None
    per = ", ".join(f"{a} {v:.0%}" for a, v in done.calibration.by_annotator.items())
    console.print(f"calibration {done.evidence.id}: {len(GOLD)} gold items, accuracy "
                  f"{done.calibration.accuracy:.0%} ({per})", highlight=False)
    if done.alert is not None:
        console.print(f"[red]drift alert {done.alert.id}[/]: {done.alert.note}", highlight=False)


def _change(author: Workspace, ws: Workspace, console: Console, state: dict[str, str],
            batches: list[str]) -> None:
    from dataflywheel.flows.contracts.guides import change_guide
    from dataflywheel.flows.trace import trace
    from dataflywheel.flows.vendors import record

    change = change_guide(author, guide_file("1.3.0"), source="sft-guide-1.3.0.md")
    v = change.version
    console.print(f"{AUTHOR} changed the guide to {v.id}: {v.change_class.value}, effective "
                  f"{v.effective_from:%Y-%m-%d}; why: {v.reason}", highlight=False)
    console.print(f"  examples changed: {', '.join(v.examples_changed)}; "
                  f"{len(change.notices)} notices sent to the annotation roles and vendor "
                  f"annotators", highlight=False)
    record(author, VENDOR, "retraining", note=f"walked cm-02 through {v.id} and EX-104")
    state["guide_change"] = v.id
    [answer] = trace(ws, only="guide", guide=v.id)
    console.print(f"Which batches did the change affect? {answer.answer}", highlight=False)
    for line in answer.evidence:
        console.print(f"  - {line}", markup=False, highlight=False)


def _offboard(author: Workspace, ws: Workspace, console: Console) -> None:
    from dataflywheel.domain.records.base import utcnow
    from dataflywheel.flows.governance import access
    from dataflywheel.flows.vendors import offboard_vendor, scorecard

    asset = access.register(ws, by="lin.wei", dataset=DATASET)
    grant = access.request(ws, asset.id, grantee=ANNOTATOR, purpose="annotate T-CM-01",
                           expires_at=utcnow() + timedelta(days=30), requested_by=ANNOTATOR)
    access.approve(ws, grant.id, approver="lin.wei")
    done = offboard_vendor(author, VENDOR, reason="pilot ended",
                           deletion_confirmation="ClearMark certificate DC-2026-117: all task "
                                                 "data and local copies deleted")
    console.print(f"{VENDOR} offboarded: {', '.join(done.people)} closed, grants revoked "
                  f"{', '.join(done.grants_revoked)}, deliverables archived "
                  f"{', '.join(done.archived)}, deletion confirmed "
                  f"({done.evidence[-1].id})", highlight=False)
    card = scorecard(ws, VENDOR)
    console.print(f"scorecard: {len(card.evidence)} evidence records, "
                  f"{len(card.calibrations)} calibration(s), {len(card.drift_alerts)} drift "
                  f"alert(s); may receive work: {'yes' if card.may_receive_work else 'no'} "
                  f"({'; '.join(card.missing)})", highlight=False)


def _knowledge(ws: Workspace, console: Console) -> None:
    from dataflywheel.domain.records.base import utcnow
    from dataflywheel.flows.issues.kb import add_document
    from dataflywheel.flows.issues.kb_templates import install
    from dataflywheel.reports.monthly import stale_documents

    filed = install(ws)
    console.print(f"standard templates (Table 24-18) filed: "
                  f"{', '.join(d.title for d in filed)}", highlight=False)
    add_document(ws, kind="onboarding", title="Annotation ops: your first week",
                 body="Roles, the labelling tool, the guide FAQ, a sample dispatch.",
                 project_id="P-K12", now=utcnow() - timedelta(days=120))
    with ws.db.session() as s:
        stale = stale_documents(s, utcnow(), "P-K12")
    for d in stale:
        console.print(f"stale (monthly review): {d.id} {d.kind} \"{d.title}\", review was due "
                      f"{d.due:%Y-%m-%d} — {d.maintainers}", highlight=False)
