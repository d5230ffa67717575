"""A gate on a metric the batch leaves undefined fails, says why, and never crashes the run."""

from __future__ import annotations

import json
from pathlib import Path

from dataflywheel.checks.engines import run_checks
from dataflywheel.checks.plan import parse_plan
from dataflywheel.reports.render import render

PLAN = """
name: iaa
id_field: id
schema: {fields: [{name: id, type: string}, {name: item_id, type: string},
                  {name: annotator_id, type: string}, {name: label, type: string}]}
checks: {exact_duplicates: false, blank: false, charset: false, length: false,
         agreement: {item_field: item_id, annotator_field: annotator_id, label_field: label}}
thresholds: [{metric: agreement_krippendorff_alpha, op: ">", value: 0.85}]
"""


def test_agreement_on_a_single_label_fails_its_gate_as_undefined(tmp_path: Path) -> None:
    batch = tmp_path / "labels.jsonl"
    rows = [{"id": f"r{i}", "item_id": f"i{i // 2}", "annotator_id": f"a{i % 2}", "label": "yes"}
            for i in range(8)]
    batch.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    report = run_checks([batch], parse_plan(PLAN), engine="single")
    gate = report.gates[0]
    assert (gate.metric, gate.observed, gate.passed, gate.shown) == (
        "agreement_krippendorff_alpha", None, False, "undefined")
    assert gate.note == "undefined for this batch (see the check's sections)"
    assert not report.passed and report.records == 8
    assert "| agreement_krippendorff_alpha | > 0.85 | undefined | **FAIL** |" in render(report, "markdown")
