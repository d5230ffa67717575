"""Building `RecordBatch`es: the one place where record id, text and breakdown group are derived.

Texts are not extracted here: each batch gets the plan's `TextExtractor` and extracts them from
its values on first use (`RecordBatch.texts`).
"""

from __future__ import annotations

from itertools import repeat
from typing import Any

import msgspec

from dataflywheel.checks.base import RecordBatch, Reject
from dataflywheel.checks.fields import TextExtractor, compile_path, get_scalar
from dataflywheel.checks.plan import CheckPlan

BATCH_RECORDS = 4096


def _label(value: Any) -> str | None:
    if value is None:
        return None
    if type(value) is str:
        return value
    if type(value) in (int, float, bool):
        return str(value).lower() if type(value) is bool else str(value)
    return msgspec.json.encode(value).decode()


_STR = {str}
_STR_OR_NONE = {str, type(None)}


def _top_level(values: list[Any], key: str) -> list[Any]:
    """`value.get(key)` of each value, None for a value that is not an object: one C loop when
    every value is an object (the common case), else a comprehension."""
    try:
        return list(map(dict.get, values, repeat(key)))
    except TypeError:  # a value that is not an object (dict.get refuses it)
        return [v.get(key) if type(v) is dict else None for v in values]


class BatchBuilder:
    """Accumulates decoded records of one shard and cuts them into batches of BATCH_RECORDS."""

    def __init__(self, plan: CheckPlan, *, file: str, shard: int) -> None:
        self.file = file
        self.shard = shard
        self.text_of = TextExtractor(plan.text_fields)
        self._id_path = compile_path(plan.id_field) if plan.id_field else None
        self._group_path = compile_path(plan.breakdown_by) if plan.breakdown_by else None
        self._batch = self._new()

    def add(self, line: int, value: Any, nbytes: int) -> None:
        self.add_many([line], [value], nbytes)

    def add_many(self, lines: list[int], values: list[Any], nbytes: int) -> None:
        """Append decoded records (in file order) with their ids and groups (texts come later)."""
        batch = self._batch
        batch.lines.extend(lines)
        batch.values.extend(values)
        batch.ids.extend(self._ids(lines, values))
        gp = self._group_path
        if gp is None:
            batch.groups.extend([None] * len(values))
        elif len(gp) == 1 and gp[0] is not None:  # one key: no walk per record
            found = _top_level(values, gp[0])
            if not set(map(type, found)) <= _STR_OR_NONE:
                found = [g if g is None or type(g) is str else _label(g) for g in found]
            batch.groups.extend(found)
        else:
            batch.groups.extend(_label(get_scalar(v, gp)) for v in values)
        batch.nbytes += nbytes

    def _ids(self, lines: list[int], values: list[Any]) -> list[str]:
        path = self._id_path
        if path is None:
            return [str(n) for n in lines]
        if len(path) == 1 and path[0] is not None:  # one key: no walk per record
            raws = _top_level(values, path[0])
            if set(map(type, raws)) == _STR:  # every id a string (the common case)
                return raws
            return [
                raw if type(raw) is str else str(raw) if type(raw) is int else str(n)
                for n, raw in zip(lines, raws)
            ]
        out = []
        for n, v in zip(lines, values):
            raw = get_scalar(v, path)
            out.append(str(raw) if type(raw) in (str, int) else str(n))
        return out

    def reject(self, line: int, reason: str, nbytes: int) -> None:
        self._batch.rejects.append(Reject(self.file, line, reason, None, "read"))
        self._batch.nbytes += nbytes

    def add_bytes(self, nbytes: int) -> None:
        """Bytes read that hold no record (e.g. a Parquet file's footer when it has no rows)."""
        self._batch.nbytes += nbytes

    def warn(self, message: str) -> None:
        self._batch.warnings.append(message)

    def count_empty(self, nbytes: int) -> None:
        self._batch.empty_lines += 1
        self._batch.nbytes += nbytes

    @property
    def full(self) -> bool:
        return len(self._batch.ids) + len(self._batch.rejects) >= BATCH_RECORDS

    def take(self) -> RecordBatch:
        batch, self._batch = self._batch, self._new()
        return batch

    def _new(self) -> RecordBatch:
        # texts are extracted from the values when a check first reads them (never, for a plan
        # whose checks read no text)
        return RecordBatch(file=self.file, shard=self.shard, text_of=self.text_of.many)
