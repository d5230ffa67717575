"""Parquet and CSV readers. Rows become dict records numbered like lines (row 1 = line 1 for
Parquet; the physical line where the row starts for CSV, the header being line 1).

Guarantees: a Parquet file whose columns or types differ from the plan's schema is refused as a
whole with the first difference named; CSV cells are typed by the plan's schema (an integer field
"5" becomes 5, an empty cell of a non-string field becomes null, an unparsable cell stays a
string so the structural check reports it).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from dataflywheel.checks.base import RecordBatch
from dataflywheel.checks.plan import CheckPlan, FieldType
from dataflywheel.checks.readers.builder import BATCH_RECORDS, BatchBuilder
from dataflywheel.checks.readers.source import Compression, iter_chunks, open_raw
from dataflywheel.errors import BadInput


def read_parquet(path: str, plan: CheckPlan, builder: BatchBuilder) -> Iterator[RecordBatch]:
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    with open_raw(path) as raw:
        try:
            pfile = pq.ParquetFile(raw)
        except (pa.ArrowInvalid, OSError) as exc:
            raise BadInput("not a readable Parquet file", path=path, got=str(exc)) from None
        _check_parquet_schema(path, plan, pfile.schema_arrow)
        row = 0
        for table in pfile.iter_batches(batch_size=BATCH_RECORDS):
            for value in table.to_pylist():
                row += 1
                builder.add(row, value, 0)
            yield builder.take()
    yield builder.take()


def _arrow_kind(dtype: Any) -> set[FieldType]:
    import pyarrow.types as t  # type: ignore[import-untyped]

    if t.is_string(dtype) or t.is_large_string(dtype):
        return {FieldType.STRING}
    if t.is_integer(dtype):
        return {FieldType.INTEGER, FieldType.NUMBER}
    if t.is_floating(dtype) or t.is_decimal(dtype):
        return {FieldType.NUMBER}
    if t.is_boolean(dtype):
        return {FieldType.BOOLEAN}
    if t.is_list(dtype) or t.is_large_list(dtype) or t.is_fixed_size_list(dtype):
        return {FieldType.ARRAY}
    if t.is_struct(dtype) or t.is_map(dtype):
        return {FieldType.OBJECT}
    if t.is_null(dtype):
        return set(FieldType)
    return set()


def _check_parquet_schema(path: str, plan: CheckPlan, schema: Any) -> None:
    columns = {f.name: f.type for f in schema}
    for spec in plan.schema_.fields:
        if spec.name not in columns:
            if spec.required:
                raise BadInput(
                    "Parquet schema differs from the plan: a required column is missing",
                    path=path,
                    field=spec.name,
                    expected=f"a column of type {spec.type}",
                    got="columns " + ", ".join(sorted(columns)),
                )
            continue
        kinds = _arrow_kind(columns[spec.name])
        if spec.type != FieldType.ANY and spec.type not in kinds:
            raise BadInput(
                "Parquet schema differs from the plan: a column has another type",
                path=path,
                field=spec.name,
                expected=str(spec.type),
                got=str(columns[spec.name]),
            )
    if plan.schema_.additional_fields == "reject":
        extra = sorted(set(columns) - {f.name for f in plan.schema_.fields})
        if extra:
            raise BadInput(
                "Parquet schema differs from the plan: columns the plan does not allow",
                path=path,
                expected="only the plan's fields (schema.additional_fields is 'reject')",
                got=", ".join(extra),
            )


class _ChunkStream(io.RawIOBase):
    """A readable stream over an iterator of byte chunks (for csv over decompressed data)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buf = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        while not self._buf:
            nxt = next(self._chunks, None)
            if nxt is None:
                return 0
            self._buf = nxt
        n = min(len(target), len(self._buf))
        target[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


def _cell(value: str | None, kind: FieldType | None) -> Any:
    if value is None or kind in (None, FieldType.STRING, FieldType.ANY):
        return value
    if value == "":
        return None
    try:
        if kind == FieldType.INTEGER:
            return int(value)
        if kind == FieldType.NUMBER:
            return float(value) if any(c in value for c in ".eE") else int(value)
        if kind == FieldType.BOOLEAN and value.lower() in ("true", "false"):
            return value.lower() == "true"
    except ValueError:
        pass
    return value


def read_csv(
    path: str, compression: Compression, plan: CheckPlan, builder: BatchBuilder
) -> Iterator[RecordBatch]:
    kinds = {f.name: f.type for f in plan.schema_.fields}
    stream = io.BufferedReader(_ChunkStream(iter_chunks(path, compression)), 1 << 20)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.DictReader(text, restkey="__extra__")
    start = 2
    try:
        for row in reader:
            record = {k: _cell(v, kinds.get(k)) for k, v in row.items()}
            builder.add(start, record, 0)
            start = reader.line_num + 1
            if builder.full:
                yield builder.take()
    except UnicodeDecodeError as exc:
        raise BadInput(
            f"CSV is not valid UTF-8 ({exc.reason})", path=path, line=reader.line_num + 1
        ) from None
    except csv.Error as exc:
        raise BadInput(f"malformed CSV: {exc}", path=path, line=reader.line_num) from None
    yield builder.take()
