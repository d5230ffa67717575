"""Blank records: a text field holds an empty or whitespace-only string, or the record has no
text at all under the plan's text fields. Metrics: `blank_count`, `blank_rate`."""

from __future__ import annotations

from typing import Any

from dataflywheel.checks.base import Check, CheckResult, Partial, RecordBatch
from dataflywheel.checks.fields import extract
from dataflywheel.checks.plan import CheckPlan
from dataflywheel.checks.results import FlagPartial

_KEYS = {"blank_rate": "blank"}


class BlankCheck(Check):
    """Flags records with a blank text field or no text."""

    name = "blank"
    metrics = ("blank_count", "blank_rate")

    def __init__(self, plan: CheckPlan) -> None:
        super().__init__(plan)
        from dataflywheel.checks.fields import compile_path

        self.paths = [compile_path(f) for f in plan.text_fields]
        self.keys = [p[0] for p in self.paths] if all(len(p) == 1 for p in self.paths) else None

    def _why(self, value: Any) -> str | None:
        if self.keys is not None:  # plain top-level fields: no path walking
            if type(value) is not dict:
                return "no text under the plan's text fields"
            found = 0
            for key in self.keys:
                text = value.get(key)
                if type(text) is str:
                    found += 1
                    if not text or text.isspace():
                        return f"{key} is blank"
            return None if found else "no text under the plan's text fields"
        found = 0
        for path in self.paths:
            for text in extract(value, path):
                found += 1
                if not text.strip():
                    return f"{'.'.join(s or '[]' for s in path)} is blank"
        return None if found else "no text under the plan's text fields"

    def partial(self, batch: RecordBatch) -> FlagPartial:
        part = FlagPartial(limit=self.plan.max_examples)
        part.count_groups(batch.groups)
        file = batch.file
        why_of = self._why
        for rid, line, value, group in zip(batch.ids, batch.lines, batch.values, batch.groups):
            why = why_of(value)
            if why is not None:
                part.flag("blank", (file, line, rid, why), group)
        return part

    def finish(self, partial: Partial) -> CheckResult:
        assert isinstance(partial, FlagPartial)
        return CheckResult(
            check=self.name,
            metrics={"blank_count": float(partial.flagged.get("blank", 0)), **partial.rates(_KEYS)},
            examples=partial.examples_for(_KEYS),
            breakdown=partial.group_rates(_KEYS),
        )


CHECKS: list[type[Check]] = [BlankCheck]
