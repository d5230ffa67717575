"""Demo step: a formal evaluation on a new data version regresses and opens an issue.

The data is generated here, shaped like GSM8K's example model solutions (one line per question,
per model `{"is_correct": bool}`): the model trained on the baseline version solves most items;
the one trained on the candidate version loses ground on percentage questions. Both runs are
logged as formal experiments with a captured environment; the second names the first as its
baseline, so the regression opens an issue linked to both versions and the new failures.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from dataflywheel.envcapture import capture_env
from dataflywheel.flows.experiments.experiment_results import ItemResults, collect_item_results
from dataflywheel.flows.experiments.runs import LoggedExperiment, log_experiment, parse_create
from dataflywheel.flows.workspace import Workspace

BASELINE_MODEL, CANDIDATE_MODEL = "k12-math-7b@v1", "k12-math-7b@v2"
TEMPLATES = {
    "percentage": "A shop gives {a}% off a ${b} coat. What is the sale price?",
    "fraction_ratio": "Tom ate half of {b} cookies and Ann ate a third of the rest. How many are left?",
    "rate_time": "A train travels {a} miles per hour for {c} hours. How far does it go?",
    "money": "Pens cost ${a} each. How much do {c} pens cost?",
    "arithmetic": "What is {a} plus {b} minus {c}?",
}
# chance each model solves an item of this type: the candidate slips on percentages
SKILL = {BASELINE_MODEL: {"percentage": 0.82, "fraction_ratio": 0.74, "rate_time": 0.8,
                          "money": 0.86, "arithmetic": 0.93},
         CANDIDATE_MODEL: {"percentage": 0.52, "fraction_ratio": 0.76, "rate_time": 0.81,
                           "money": 0.87, "arithmetic": 0.93}}


def generate_solutions(*, items: int = 250, seed: int = 1125) -> list[dict[str, Any]]:
    """GSM8K-shaped rows with per-model `is_correct`, reproducible from `seed`."""
    rng = random.Random(seed)
    rows = []
    for n in range(items):
        kind = list(TEMPLATES)[n % len(TEMPLATES)]
        a, b, c = rng.randint(2, 60), rng.randint(10, 200), rng.randint(2, 9)
        row: dict[str, Any] = {"id": f"k12-math-{n:04d}", "question": TEMPLATES[kind].format(
            a=a, b=b, c=c), "ground_truth": f"{a} + {b} = <<{a}+{b}={a + b}>>{a + b}\nA: {a + b}"}
        luck = rng.random()  # one draw per item: a harder item is harder for both models
        for model, skill in SKILL.items():
            row[model] = {"is_correct": luck < skill[kind], "solution": "…"}
        rows.append(row)
    return rows


def reproducibility_context() -> dict[str, Any]:
    env = capture_env()
    fields = env.fields()
    fields.setdefault("cuda_driver", "not detected (nvidia-smi failed)")
    return {**fields, "container_image": "registry.flywheel.example/k12-eval:2026.11",
            "random_seed": 1125, "determinism_flags": {"temperature": 0, "greedy": True}}


def _log(ws: Workspace, results: ItemResults, *, title: str, version: str, owner: str,
         baseline: str | None) -> LoggedExperiment:
    spec = parse_create({
        "title": title, "kind": "formal", "model_version": results.model_key,
        "versions": [{"version_id": version, "role": "train"}], "project_id": "P-K12",
        "owner_id": owner, "baseline_experiment_id": baseline,
        "params": {"eval_set": "k12-math-250", "shots": 8}, "metrics": results.metrics(),
        "error_samples": [e.model_dump() for e in results.errors], **reproducibility_context()})
    return log_experiment(ws, spec)


def demo_step(ws: Workspace, console: Console, *, baseline_version_id: str,
              candidate_version_id: str) -> LoggedExperiment:
    """Log the baseline and the candidate evaluation; print the comparison and the issue."""
    rows = list(enumerate(generate_solutions(), start=1))
    source = Path("generated/k12-math-solutions.jsonl")
    base_results, cand_results = (
        collect_item_results(rows, source=source, model_key=m, id_field="id")
        for m in (BASELINE_MODEL, CANDIDATE_MODEL))
    base = _log(ws, base_results, title="K-12 math eval, model trained on the baseline version",
                version=baseline_version_id, owner="li.na", baseline=None)
    cand = _log(ws, cand_results, title="K-12 math eval, model trained on the new version",
                version=candidate_version_id, owner="tom.berg", baseline=base.experiment.id)
    console.print(f"{base.experiment.id}: {BASELINE_MODEL} on {baseline_version_id} — accuracy "
                  f"{base_results.metrics()['accuracy']:.3f}, {base.error_sample_count} error samples")
    table = Table(title=f"{cand.experiment.id} ({candidate_version_id}) vs baseline "
                        f"{base.experiment.id} ({baseline_version_id})")
    for column in ("metric", "baseline", "candidate", "delta", ""):
        table.add_column(column)
    for d in cand.deltas:
        table.add_row(d.name, f"{d.baseline:.3f}", f"{d.value:.3f}", f"{d.delta:+.3f}",
                      "[red]regressed[/]" if d.regressed else "")
    console.print(table)
    if cand.issue is not None:
        console.print(f"[red]{cand.issue.id}[/] opened ({cand.issue.severity.value}, owner "
                      f"{cand.issue.owner_id}): {cand.issue.title}", highlight=False)
        console.print(cand.issue.description.splitlines()[-1], highlight=False)
    return cand
