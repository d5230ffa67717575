"""Blank records: a text field holds an empty or whitespace-only string, or the record has no
text at all under the plan's text fields. Metrics: `blank_count`, `blank_rate`.

Speed: the record's text (`RecordBatch.texts`) is its text fields' strings joined by "\n", so a
blank field shows in it: the text is empty, starts or ends with whitespace, or has "\n" followed
by whitespace. One vectorised pass over the UTF-8 bytes of the shared text column (`bytescan`)
picks the records whose text looks like that (whitespace as `str.isspace` defines it, by the
first byte of its encoding; a last byte that ends any non-ASCII character); only those are
examined field by field. Most records have none, and the result is the same as examining all.
"""

from __future__ import annotations

from typing import Any

from dataflywheel.checks.base import Check, CheckResult, Partial, RecordBatch
from dataflywheel.checks.metrics import gated_rate
from dataflywheel.checks.bytescan import TextBytes, byte_hits, byte_table, followed_by
from dataflywheel.checks.fields import extract
from dataflywheel.checks.plan import CheckPlan
from dataflywheel.checks.results import FlagPartial

_KEYS = {"blank_rate": "blank"}
# First bytes of the UTF-8 of every character `str.isspace` accepts: \t \n \v \f \r,
# U+001C-U+001F, space, U+0085 and U+00A0 (C2), U+1680 (E1), U+2000-U+205F (E2), U+3000 (E3).
_SPACE_FIRST = byte_table((0x09, 0x0D), (0x1C, 0x20), (0xC2, 0xC2), (0xE1, 0xE3))
# Last bytes: the ASCII ones, or any continuation byte (the end of a multi-byte character).
_SPACE_LAST = byte_table((0x09, 0x0D), (0x1C, 0x20), (0x80, 0xBF))


def _after_newline(data: Any) -> Any:
    return followed_by(data, byte_hits(data, 0x0A), 1, _SPACE_FIRST)


def candidates(scan: TextBytes) -> list[int]:
    """Rows whose text may come from a blank field or from no field at all (see the module
    docstring), in order. `scan`: the texts' bytes (`RecordBatch.text_bytes`)."""
    import numpy as np

    first, last = scan.edges()
    edge = (first < 0) | _SPACE_FIRST[first & 0xFF] | _SPACE_LAST[last & 0xFF]
    picked = np.union1d(np.flatnonzero(edge), scan.hit_rows(_after_newline, span=2))
    return [int(i) for i in picked]


class BlankCheck(Check):
    """Flags records with a blank text field or no text."""

    name = "blank"
    on_by_default = True
    described = (gated_rate("blank_rate"),)
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
        if not len(batch):
            return part
        file = batch.file
        for i in candidates(batch.text_bytes()):
            why = self._why(batch.values[i])
            if why is not None:
                part.flag("blank", (file, batch.lines[i], batch.ids[i], why), batch.groups[i])
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
