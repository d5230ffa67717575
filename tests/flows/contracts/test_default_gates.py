"""Plans compiled from contracts gate unparseable and rejected lines by default (issue "Trust",
item 14): a batch of 67 % invalid JSON passed a compiled plan, because only the contract's own
thresholds were gates. `invalid_json_rate <= 0` and `reject_rate <= 0` now hold unless the
contract bounds the metric from above itself."""

from __future__ import annotations

import json
from pathlib import Path

from contract_helpers import example
from test_changes import edited

from dataflywheel.checks.engines import run_checks
from dataflywheel.flows.contracts.contract_plan import DEFAULT_GATES, compile_plan


def _gates(plan_thresholds: list) -> dict[str, tuple[str, float, str | None]]:  # type: ignore[type-arg]
    return {t.metric: (t.op, t.value, t.source) for t in plan_thresholds}


def test_every_compiled_plan_gates_invalid_json_and_rejects() -> None:
    gates = _gates(compile_plan(example("cleaned-raw-pool")).thresholds)
    assert DEFAULT_GATES == ("invalid_json_rate", "reject_rate")
    assert gates["invalid_json_rate"] == ("<=", 0.0, (
        "default of every contract plan (contract cleaned-raw-pool@1.0.0 sets no upper bound on "
        "invalid_json_rate)"))
    assert gates["reject_rate"][:2] == ("<=", 0.0)


def test_a_contract_loosens_a_default_only_explicitly() -> None:
    contract = edited(example("cleaned-raw-pool"), lambda d: d["operational"]["thresholds"].append(
        {"metric": "reject_rate", "op": "<", "value": 0.02}))
    thresholds = compile_plan(contract).thresholds
    assert [(t.op, t.value) for t in thresholds if t.metric == "reject_rate"] == [("<", 0.02)]
    assert [(t.op, t.value) for t in thresholds if t.metric == "invalid_json_rate"] == [("<=", 0.0)]


def test_a_batch_of_mostly_invalid_json_fails_the_compiled_plan(tmp_path: Path) -> None:
    good = {"id": "a-1", "content": "one clean document about fractions and ratios",
            "source": "web", "clean_timestamp": "2026-11-20T09:30:00Z"}
    batch = tmp_path / "batch.jsonl"
    batch.write_text(json.dumps(good) + '\n{"id": "a-2", "content": \nnot json at all\n',
                     encoding="utf-8")
    report = run_checks([batch], compile_plan(example("cleaned-raw-pool")), engine="single")
    failed = {g.metric: g.observed for g in report.failed_gates}
    assert not report.passed
    assert failed["invalid_json_rate"] == failed["reject_rate"] == 2 / 3
    assert [r.line for r in report.rejects] == [2, 3]  # kept and listed, with the reason
