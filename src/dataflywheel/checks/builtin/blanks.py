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

    def _why(self, value: Any) -> str | None:
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
        for rid, line, value, text, group in zip(batch.ids, batch.lines, batch.values, batch.texts, batch.groups):
            # A non-blank joined text with no blank part is the common case: one cheap test.
            if text and not text.isspace() and "\n" not in text and len(self.paths) == 1:
                continue
            why = self._why(value)
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
