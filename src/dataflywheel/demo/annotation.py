"""Demo step: annotation governance (issue 23) — a guide kept byte for byte, a FAQ entry, vendor
batches delivered under guide v1.2, the change to v1.3 with its notices and change record, and
the Table 24-30 answer: which batches, versions and experiments the change affected.

The guide files ship with the package (`demo/guide_files/`); everything else is generated here.
"""

from __future__ import annotations

from importlib.resources import files

from rich.console import Console

from dataflywheel.flows.workspace import Workspace, acting_as

GUIDE = "sft-guide"
DATASET = "k12-sft-guided"
AUTHOR = "sara.kim"  # the demo team's Annotation Engineer


def guide_file(version: str) -> bytes:
    return files("dataflywheel.demo").joinpath("guide_files", f"{GUIDE}-{version}.md").read_bytes()


def demo_step(ws: Workspace, console: Console, state: dict[str, str]) -> None:
    from dataflywheel.demo.reviews import CONTRACT, PROJECT, _requirement, _write
    from dataflywheel.flows.contracts.guides import add_faq, add_guide, change_guide
    from dataflywheel.flows.data.delivery import deliver
    from dataflywheel.flows.data.versions import create_dataset
    from dataflywheel.flows.trace import trace

    author = acting_as(ws, AUTHOR)
    first = add_guide(author, guide_file("1.2.0"), source="sft-guide-1.2.0.md",
                      project_id=PROJECT).version
    console.print(f"{AUTHOR} added {first.id}: {len(first.labels)} labels, "
                  f"{len(first.examples)} examples, file sha256 {first.sha256[:16]}… "
                  f"({first.size} bytes, kept byte for byte)", highlight=False)
    faq = add_faq(author, first.id, question="Is a right answer with no steps correct?",
                  answer="Only if the problem does not ask for steps; see EX-102.",
                  asked_by="v-brightlabel-lead")
    console.print(f"FAQ {faq.id} cites {faq.guide_version_id}: {faq.question}", highlight=False)
    folder = ws.settings.workspace / "demo-deliveries" / "guides"
    folder.mkdir(parents=True, exist_ok=True)
    requirement = _requirement(ws, title="SFT pairs under the v1.2 guide", week="2026-W50")
    create_dataset(ws, DATASET, project_id=PROJECT, owner_id="lin.wei", purpose="training",
                   sensitivity="internal")
    batches = [deliver(ws, [_write(folder / f"{vendor}-guided-{n}.jsonl", 60, seed=vendor)],
                       dataset=DATASET, contract_version_id=CONTRACT, requirement_id=requirement,
                       delivered_by=vendor, guide_version=first.id, engine="single").batch
               for n, vendor in enumerate(("v-brightlabel", "v-tagwise"), start=1)]
    console.print("delivered under " + first.id + ": " + ", ".join(
        f"{b.id} from {b.delivered_by_vendor_id} ({b.state.value})" for b in batches),
        highlight=False)
    change = change_guide(author, guide_file("1.3.0"), source="sft-guide-1.3.0.md")
    v = change.version
    console.print(f"{AUTHOR} changed the guide to {v.id}: {v.change_class.value}, effective "
                  f"{v.effective_from:%Y-%m-%d}; why: {v.reason}", highlight=False)
    console.print(f"  examples changed: {', '.join(v.examples_changed)}; "
                  f"{len(change.notices)} notices sent to the annotation roles and vendor "
                  f"annotators", highlight=False)
    state["guide_change"] = v.id
    [answer] = trace(ws, only="guide", guide=v.id)
    console.print(f"Which batches did the change affect? {answer.answer}", highlight=False)
    for line in answer.evidence:
        console.print(f"  - {line}", markup=False, highlight=False)
