"""Demo step: an evaluation item pasted into a training delivery is stopped by the contamination
gate.

A held-out evaluation set (contract `k12-holdout`, text fields `question` and `reference_answer`)
is delivered and frozen; a training contract that gates `contamination_rate <= 0`
(`k12-clean-gated`, text field `content`) then receives a delivery with one evaluation question in
it verbatim. The delivery fails on that gate, files an issue, and its report lists the pair on
both sides. The reference is read at the evaluation set's own text fields: read at the training
fields (`content`, which evaluation records do not have) it had no text, and the gate passed on a
rate of 0 (issue "Trust", item 1).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from dataflywheel.domain.records.contract import Contract
from dataflywheel.flows.workspace import Workspace

HOLDOUT = "k12-holdout"
GATED = "k12-clean-gated"
_SUBJECTS = ("math", "physics", "chemistry")
_DATASHEET: dict[str, Any] = {
    "objective": "Held-out K-12 questions: the evaluation no training delivery may contain.",
    "sources": ["teacher-written exam questions"], "sample_size": 20,
    "cleaning_rules": ["reviewed by two teachers"], "annotation_standard": "eval-guide-1.0",
    "guide_version": "eval-guide-1.0", "quality_summary": "all gates passed",
    "compliance_conclusion": "written in house; no personal data", "known_defects": [],
    "applicable_scenarios": ["evaluation"], "inapplicable_scenarios": ["training"],
}


@dataclass
class ContaminationDemo:
    evaluation_version: str
    batch: str
    issue: str | None


def holdout_contract() -> Contract:
    """The example `eval-set` contract without its spot-check and row-count gates (the demo has
    no reviewers and 20 questions), as `k12-holdout`."""
    from dataflywheel.demo.contracts import example_text
    from dataflywheel.integrations.odcs import parse_odcs

    data = parse_odcs(example_text("eval-set"), source="eval-set").model_dump(mode="json")
    data["id"], data["name"] = HOLDOUT, "K-12 held-out evaluation questions"
    ops = data["operational"]
    ops["thresholds"] = [t for t in ops["thresholds"]
                         if t["metric"] not in ("spot_check_pass_rate", "record_count")]
    return Contract.model_validate(data)


def gated_contract() -> Contract:
    """The example `cleaned-raw-pool` contract with `contamination_rate <= 0`, as
    `k12-clean-gated`: no delivery under it may overlap a frozen evaluation set."""
    from dataflywheel.demo.contracts import example_text
    from dataflywheel.integrations.odcs import parse_odcs

    data = parse_odcs(example_text("cleaned-raw-pool"), source="cleaned-raw-pool").model_dump(
        mode="json")
    data["id"], data["name"] = GATED, "Cleaned K-12 pool, checked against the held-out set"
    data["operational"]["thresholds"].append(
        {"metric": "contamination_rate", "op": "<=", "value": 0.0})
    return Contract.model_validate(data)


def register(ws: Workspace, contract: Contract, *, by: str, project_id: str) -> str:
    """Register `contract` (its ODCS text as stored) and return its version id."""
    from dataflywheel.flows.contracts.lifecycle import register_contract
    from dataflywheel.integrations.odcs import dump_odcs, parse_odcs

    text = dump_odcs(contract, status="active")
    return register_contract(ws, parse_odcs(text, source=contract.id), text, by=by,
                             project_id=project_id).id


_NOUNS = ["tank", "train", "ladder", "garden", "prism", "circuit", "magnet", "kettle", "bridge",
          "pendulum", "orchard", "lantern", "bicycle", "balloon", "compass", "river", "clock",
          "mirror", "rocket", "candle", "harbour", "glacier", "violin", "meadow"]


def questions(n: int = 20, *, seed: int = 24) -> list[dict[str, Any]]:
    """`n` evaluation records of the `k12-holdout` shape; no two share a word 8-gram."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        a, b, c = rng.sample(_NOUNS, 3)
        x, y = rng.randint(12, 97), rng.randint(3, 40)
        out.append({
            "id": f"eval-{i:03d}", "subject": rng.choice(_SUBJECTS), "grade": rng.randint(7, 12),
            "question": f"Question {i}: the {a} is {x} metres from the {b}, and the {c} moves "
                        f"{y} metres closer each minute; how long until the {c} reaches the {a}?",
            "reference_answer": f"Item {i}: {x} / {y} = {x / y:.2f} minutes for the {c}.",
        })
    return out


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def demo_step(ws: Workspace, console: Console, *, requirement: str,
              project_id: str = "P-K12") -> ContaminationDemo:
    """Freeze the held-out set, then show a training delivery that copies one of its questions
    failing on the contamination gate."""
    from dataflywheel.flows.data.delivery import deliver

    holdout = register(ws, holdout_contract(), by="lin.wei", project_id=project_id)
    gated = register(ws, gated_contract(), by="lin.wei", project_id=project_id)
    folder = ws.settings.workspace / "demo-deliveries" / "contamination"
    evaluation = questions()
    version = _freeze_holdout(ws, console, folder, evaluation, holdout, requirement, project_id)
    rows = _training_rows(evaluation[3]["question"])
    result = deliver(ws, [write_jsonl(folder / "brightlabel-leak.jsonl", rows)],
                     dataset="k12-clean-pool", contract_version_id=gated,
                     requirement_id=requirement, delivered_by="v-brightlabel", engine="single")
    _show(console, result)
    return ContaminationDemo(evaluation_version=version, batch=result.batch.id,
                             issue=result.issue.id if result.issue else None)


def _freeze_holdout(ws: Workspace, console: Console, folder: Path, rows: list[dict[str, Any]],
                    contract: str, requirement: str, project_id: str) -> str:
    from dataflywheel.flows.data import versions
    from dataflywheel.flows.data.delivery import deliver
    from dataflywheel.flows.data.version_release import freeze

    versions.create_dataset(ws, HOLDOUT, project_id=project_id, owner_id="lin.wei",
                            purpose="evaluation", sensitivity="internal")
    eb = deliver(ws, [write_jsonl(folder / "holdout-q4.jsonl", rows)], dataset=HOLDOUT,
                 contract_version_id=contract, requirement_id=requirement,
                 delivered_by="chen.jie", engine="single")
    candidate = versions.create_version(ws, HOLDOUT, by="chen.jie", batch_ids=[eb.batch.id])
    versions.set_datasheet(ws, candidate.id, _DATASHEET, by="chen.jie")
    versions.decide_compliance(ws, candidate.id, by="eva.novak", approve=True,
                               conclusion=_DATASHEET["compliance_conclusion"])
    frozen = freeze(ws, candidate.id, by="lin.wei")
    console.print(f"Evaluation set {HOLDOUT}@{frozen.number} ({frozen.id}) frozen: {len(rows)} "
                  f"questions, read for contamination at its own text fields question, "
                  f"reference_answer", highlight=False)
    return frozen.id


def _training_rows(leaked: str) -> list[dict[str, str]]:
    rng = random.Random(7)
    words = ["ratio", "angle", "prime", "speed", "area", "graph", "sum", "mean", "slope", "root"]
    rows = [{"id": f"leak-{i:03d}", "content": " ".join(rng.choice(words) for _ in range(16)),
             "source": "textbook", "clean_timestamp": "2026-11-20T09:30:00Z"} for i in range(30)]
    rows[17]["content"] = leaked  # an evaluation question, pasted in verbatim
    return rows


def _show(console: Console, result: Any) -> None:
    b = result.batch
    console.print(f"v-brightlabel delivered brightlabel-leak.jsonl under {GATED} → {b.id} "
                  f"[red]{b.state.value}[/] ({b.row_count} records)", highlight=False)
    console.print(f"  {b.failure_reason}", highlight=False)
    section = result.report.checks["contamination"].sections if result.report else {}
    for pair in section.get("pairs", [])[:1]:
        ref = pair["reference"]
        console.print(f"  line {pair['batch']['line']} (id {pair['batch']['record_id']}) = "
                      f"evaluation record {ref['record_id']} ({ref['file']}:{ref['line']}), "
                      f"overlap {pair['overlap']:.2f}", highlight=False)
    if result.issue:
        console.print(f"  filed {result.issue.severity.value} {result.issue.id}: contamination "
                      f"of a formal training set (Table 24-19)", highlight=False)
