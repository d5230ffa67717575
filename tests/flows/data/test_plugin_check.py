"""A check from a plugin is a check like the built-ins (issue 16, item 2): declared in one module
(this one: its name, settings model and metric), registered once through pluggy's
`register_checks`, it is switched on by a plan, gated by a contract, and decides a delivery."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import pytest
from datapool_helpers import CONTRACT, records, setup_pool, write_jsonl

from dataflywheel.checks.base import Check, CheckResult, Partial, RecordBatch
from dataflywheel.checks.metrics import gated_rate
from dataflywheel.checks.plan import CheckPlan, Settings, parse_plan
from dataflywheel.checks.results import rate
from dataflywheel.domain.states import BatchState
from dataflywheel.errors import BadInput
from dataflywheel.flows.workspace import Workspace
from dataflywheel.hookspecs import hookimpl
from dataflywheel.plugins import get_plugin_manager

# ---------------------------------------------------------------- the check, declared once


class ShoutingSpec(Settings):
    min_letters: int = 3


@dataclass
class ShoutingPartial(Partial):
    records: int = 0
    shouting: int = 0

    def __add__(self, other: Self) -> Self:
        self.records += other.records
        self.shouting += other.shouting
        return self


class ShoutingCheck(Check):
    """Records whose text is all capitals (at least `min_letters` letters): shouting."""

    name = "shouting"
    settings = ShoutingSpec
    needs_text_fields = True
    metrics = ("shouting_count", "shouting_rate")
    described = (gated_rate("shouting_rate"),)

    def partial(self, batch: RecordBatch) -> ShoutingPartial:
        spec: ShoutingSpec = self.settings_in(self.plan)
        loud = sum(1 for text in batch.texts
                   if sum(c.isalpha() for c in text) >= spec.min_letters and text.isupper())
        return ShoutingPartial(len(batch), loud)

    def finish(self, partial: Partial) -> CheckResult:
        assert isinstance(partial, ShoutingPartial)
        return CheckResult(check=self.name, metrics={
            "shouting_count": float(partial.shouting),
            "shouting_rate": rate(partial.shouting, partial.records)})


class ShoutingPlugin:
    @hookimpl
    def register_checks(self) -> list[type[Check]]:
        return [ShoutingCheck]


# ---------------------------------------------------------------- the registration


@pytest.fixture
def shouting() -> Iterator[None]:
    pm = get_plugin_manager()
    plugin = ShoutingPlugin()
    pm.register(plugin, name="test-shouting")
    try:
        yield
    finally:
        pm.unregister(plugin)


RULE = """\
  quality:
  - name: shouting_rate
    description: shouting_rate < 10 %
    type: custom
    engine: dataflywheel
    implementation:
      metric: shouting_rate
      mustBeLessThan: 10
    unit: percent
"""


def _contract_text() -> str:
    from contract_fixtures import contract_text

    text = contract_text("cleaned-raw-pool")
    assert text.count("\n  quality:\n") == 1
    return text.replace("\n  quality:\n", "\n" + RULE, 1)


def _rows(prefix: str, *, loud_every: int) -> list[dict[str, object]]:
    rows = records(prefix, 20, seed=7)
    for i, row in enumerate(rows):
        if i % loud_every == loud_every - 1:
            row["content"] = str(row["content"]).upper()
    return rows


PLAN = """\
text_fields: [content]
checks: {shouting: {min_letters: 5}, exact_duplicates: false}
thresholds: [{metric: shouting_rate, op: "<", value: 0.1}]
"""


def test_a_plan_switches_the_plugin_on_and_gates_its_metric(shouting: None,
                                                             tmp_path: Path) -> None:
    from dataflywheel.checks.engines import run_checks

    plan = parse_plan(PLAN)
    assert isinstance(plan.checks.get("shouting"), ShoutingSpec)
    assert parse_plan(plan.to_yaml()) == plan
    calm = run_checks([write_jsonl(tmp_path / "calm.jsonl", _rows("c", loud_every=20))], plan,
                      engine="single")
    loud = run_checks([write_jsonl(tmp_path / "loud.jsonl", _rows("l", loud_every=2))], plan,
                      engine="single")
    assert calm.metrics["shouting_rate"] == 0.05 and calm.passed
    assert loud.metrics["shouting_rate"] == 0.5 and not loud.passed
    assert [g.metric for g in loud.failed_gates] == ["shouting_rate"]


def test_without_the_plugin_its_key_and_its_metric_are_refused(tmp_path: Path) -> None:
    from dataflywheel.integrations.odcs import parse_odcs

    with pytest.raises(BadInput) as plan_error:
        parse_plan(PLAN)
    assert plan_error.value.field == "checks.shouting"
    with pytest.raises(BadInput) as contract_error:
        parse_odcs(_contract_text(), source="shouting.odcs.yaml")
    assert contract_error.value.what == "unknown dataflywheel metric"
    with pytest.raises(ValueError):
        CheckPlan.model_validate({"checks": {"shouting": {}}, "text_fields": ["content"]})


def test_a_contract_gating_its_metric_turns_it_on_and_decides_the_delivery(
    shouting: None, team: Workspace, tmp_path: Path,
) -> None:
    from dataflywheel.flows.contracts.contract_plan import compile_plan
    from dataflywheel.flows.data.delivery import deliver
    from dataflywheel.integrations.odcs import parse_odcs

    text = _contract_text()
    plan = compile_plan(parse_odcs(text, source="shouting.odcs.yaml"))
    assert plan.checks.get("shouting") == ShoutingSpec()
    pool = setup_pool(team, contract_text=text)

    def delivered(name: str, loud_every: int):  # type: ignore[no-untyped-def]
        path = write_jsonl(tmp_path / name, _rows(name[0], loud_every=loud_every))
        return deliver(team, [path], dataset=pool.dataset, contract_version_id=CONTRACT,
                       requirement_id=pool.requirement, delivered_by="data-engineer",
                       engine="single").batch

    calm = delivered("calm.jsonl", loud_every=20)
    assert calm.state is BatchState.PASSED
    assert calm.quality_summary["metrics"]["shouting_rate"] == 0.05
    loud = delivered("loud.jsonl", loud_every=2)
    assert loud.state is BatchState.FAILED and "shouting_rate" in (loud.failure_reason or "")
