"""Demo step: the quality engine on a generated SFT batch with planted defects."""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from dataflywheel.checks.plan import parse_plan

PLAN = """
name: k12-sft-demo
id_field: id
text_fields: [instruction, output]
breakdown_by: source
schema:
  fields:
    - {name: id, type: string}
    - {name: instruction, type: string}
    - {name: output, type: string}
    - {name: source, type: string, enum: [v-brightlabel, v-tagwise]}
checks:
  pii: {}
  near_duplicates: {threshold: 0.7}
thresholds:
  - {metric: duplicate_rate, op: "<", value: 0.01, source: "contract k12-sft"}
  - {metric: blank_rate, op: "<", value: 0.005, source: "contract k12-sft"}
  - {metric: charset_anomaly_rate, op: "<", value: 0.001, source: "contract k12-sft"}
  - {metric: schema_violation_rate, op: "==", value: 0}
"""

TOPICS = ["fractions", "triangles", "percent", "speed", "area", "ratios", "primes", "angles"]


def generate_batch(path: Path, *, records: int = 400, seed: int = 7) -> None:
    """Write an SFT batch with planted defects: exact and near duplicates, a blank, a control
    character, mojibake, an e-mail address, a wrong type and a malformed line."""
    rng = random.Random(seed)
    lines: list[dict[str, object]] = []
    for n in range(records):
        topic, a, b = rng.choice(TOPICS), rng.randint(2, 99), rng.randint(2, 99)
        lines.append({"id": f"k12-{n:04d}", "source": rng.choice(["v-brightlabel", "v-tagwise"]),
                      "instruction": f"Item {n}: a {topic} problem with {a} and {b}. Explain each step.",
                      "output": f"Step 1: write down {a} and {b}. Step 2: apply the {topic} rule. "
                                f"Answer: {a * b % 97}."})
    for i in range(6):
        lines.append(dict(lines[i], id=f"k12-dup-{i}"))
    lines.append(dict(lines[10], id="k12-near", output=f"{lines[10]['output']} Check it again."))
    lines.append(dict(lines[11], id="k12-blank", output="   "))
    lines.append(dict(lines[12], id="k12-ctrl", output="Answer:\x07 42"))
    lines.append(dict(lines[13], id="k12-moji", output="The cafÃ© sells 3 pies."))
    lines.append(dict(lines[14], id="k12-pii", output="Mail the answer to kid@example.com"))
    lines.append(dict(lines[15], id="k12-type", output=42))
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in lines)
    path.write_text(text + '\n{"id": "k12-broken", "instruction": \n', encoding="utf-8")


def demo_step(_ws: object, console: Console) -> None:
    from dataflywheel.checks.engines import run_checks

    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "k12-sft-batch.jsonl"
        generate_batch(batch)
        report = run_checks([batch], parse_plan(PLAN, source="demo plan"), engine="local")
    table = Table(title=f"flywheel check: {report.records} records, {report.rejected} rejected")
    for column in ("gate", "observed", "threshold", "result"):
        table.add_column(column)
    for gate in report.gates:
        table.add_row(gate.metric, gate.shown, f"{gate.op} {gate.value}",
                      "[green]pass[/]" if gate.passed else "[red]FAIL[/]")
    console.print(table)
    shown = ["near_duplicate_rate", "pii_rate", "invalid_json_rate"]
    console.print("  " + "; ".join(f"{m} {report.metrics[m]:.4f}" for m in shown if m in report.metrics))
    for reject in report.rejects[:3]:
        console.print(f"  rejected line {reject.line}: {reject.reason}", highlight=False)
