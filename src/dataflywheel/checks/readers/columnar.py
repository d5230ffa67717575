"""Parquet and CSV readers. Rows become dict records numbered like lines (row 1 = line 1 for
Parquet; the physical line where the row starts for CSV, the header being line 1).

Guarantees: a Parquet file whose columns or types differ from the plan's schema is refused as a
whole with the first difference named; CSV cells are typed by the plan's schema (an integer field
"5" becomes 5, an empty cell of a non-string field becomes null, an unparsable cell stays a
string so the structural check reports it).
"""

from __future__ import annotations

import bisect
import csv
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from dataflywheel.checks.base import RecordBatch
from dataflywheel.checks.plan import CheckPlan
from dataflywheel.checks.readers.builder import BATCH_RECORDS, BatchBuilder
from dataflywheel.checks.readers.source import Compression, iter_chunks, open_raw
from dataflywheel.errors import BadInput
from dataflywheel.fieldtypes import FieldType


def read_parquet(
    path: str,
    plan: CheckPlan,
    builder: BatchBuilder,
    *,
    size: int,
    start: int = 0,
    end: int | None = None,
) -> Iterator[RecordBatch]:
    """The rows of the row groups that start in bytes `start` .. `end - 1` (default: all) of a
    file of `size` bytes, numbered from the file's first row; each batch carries its share of
    those row groups' stored bytes."""
    with open_raw(path) as raw:
        pfile = _open_parquet(raw, path)
        _check_parquet_schema(path, plan, pfile.schema_arrow)
        layout = _layout(pfile.metadata, size)
        end = size if end is None else end
        chosen = [k for k in range(len(layout.rows)) if start <= layout.bounds[k] < end]
        share = _ByteShare(
            [layout.rows[k] for k in chosen],
            [layout.bounds[k + 1] - layout.bounds[k] for k in chosen],
        )
        row = sum(layout.rows[: chosen[0]]) if chosen else 0
        done = 0
        groups = [i for k in chosen for i in layout.groups[k]]
        for table in (
            pfile.iter_batches(batch_size=BATCH_RECORDS, row_groups=groups) if groups else ()
        ):
            values = table.to_pylist()
            builder.add_many(
                list(range(row + 1, row + len(values) + 1)), values, share.upto(done + len(values))
            )
            row += len(values)
            done += len(values)
            yield builder.take()
        builder.add_bytes(share.rest())  # a shard of empty row groups still read its bytes
    yield builder.take()


def row_group_ranges(path: str, size: int, shard_bytes: int) -> list[tuple[int, int, int]]:
    """Shards of a Parquet file at row-group starts: (start byte, end byte, first row), about
    `shard_bytes` each (a row group is never cut); one shard when the row groups are not stored
    in file order."""
    with open_raw(path) as raw:
        layout = _layout(_open_parquet(raw, path).metadata, size)
    out: list[tuple[int, int, int]] = []
    first, rows_before = 0, 0
    for k in range(len(layout.rows)):
        if k == len(layout.rows) - 1 or layout.bounds[k + 1] - layout.bounds[first] >= shard_bytes:
            out.append((layout.bounds[first], layout.bounds[k + 1], rows_before + 1))
            rows_before += sum(layout.rows[first : k + 1])
            first = k + 1
    return out


def _open_parquet(raw: Any, path: str) -> Any:
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    try:
        return pq.ParquetFile(raw)
    except (pa.ArrowInvalid, OSError) as exc:
        raise BadInput("not a readable Parquet file", path=path, got=str(exc)) from None


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where a Parquet file's row groups lie: group k spans bytes `bounds[k]` .. `bounds[k + 1]
    - 1` (the first from byte 0, the last to the end of the file, footer included), holds the
    row groups `groups[k]` and `rows[k]` rows."""

    bounds: list[int]
    groups: list[list[int]]
    rows: list[int]


def _layout(meta: Any, size: int) -> _Layout:
    """One group per row group, each starting at its first page; a single group of all of them
    when those starts are not in row-group order (then the file is never cut)."""
    count = meta.num_row_groups
    rows = [meta.row_group(i).num_rows for i in range(count)]
    bounds = [0, *(_first_page(meta.row_group(i)) for i in range(1, count)), size]
    if count and all(a < b for a, b in itertools.pairwise(bounds)):
        return _Layout(bounds, [[i] for i in range(count)], rows)
    return _Layout([0, size], [list(range(count))], [sum(rows)])


def _first_page(group: Any) -> int:
    starts = []
    for c in range(group.num_columns):
        column = group.column(c)
        starts.append(column.data_page_offset)
        if column.has_dictionary_page and column.dictionary_page_offset:
            starts.append(column.dictionary_page_offset)
    return min(starts) if starts else -1


class _ByteShare:
    """The stored bytes of a run of row groups, given out as rows are read: each group's bytes
    spread evenly over its rows (exact at group ends), so a file's batches add up to its size."""

    def __init__(self, rows: list[int], nbytes: list[int]) -> None:
        self.rows, self.nbytes = rows, nbytes
        self.row_at = list(itertools.accumulate(rows, initial=0))
        self.byte_at = list(itertools.accumulate(nbytes, initial=0))
        self.given = 0

    def upto(self, row: int) -> int:
        """The bytes of the first `row` rows not given out yet."""
        k = bisect.bisect_right(self.row_at, row) - 1
        if k >= len(self.rows):
            at = self.byte_at[-1]
        else:
            within = (row - self.row_at[k]) * self.nbytes[k] // self.rows[k] if self.rows[k] else 0
            at = self.byte_at[k] + within
        out, self.given = at - self.given, at
        return out

    def rest(self) -> int:
        """Whatever was not given out (all of it, when the row groups hold no row)."""
        out, self.given = self.byte_at[-1] - self.given, self.byte_at[-1]
        return out


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
        self.delivered = 0  # bytes handed to the reader so far
        self._counted = 0

    def uncounted(self) -> int:
        """Bytes delivered since the last call (a batch's share: the csv reader reads ahead, so
        batches get them unevenly, but a file's batches add up to its decompressed size)."""
        out, self._counted = self.delivered - self._counted, self.delivered
        return out

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
        self.delivered += n
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
    source = _ChunkStream(iter_chunks(path, compression))
    stream = io.BufferedReader(source, 1 << 20)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.DictReader(text, restkey="__extra__")
    start = 2
    try:
        for row in reader:
            record = {k: _cell(v, kinds.get(k)) for k, v in row.items()}
            builder.add(start, record, 0)
            start = reader.line_num + 1
            if builder.full:
                builder.add_bytes(source.uncounted())
                yield builder.take()
    except UnicodeDecodeError as exc:
        raise BadInput(
            f"CSV is not valid UTF-8 ({exc.reason})", path=path, line=reader.line_num + 1
        ) from None
    except csv.Error as exc:
        raise BadInput(f"malformed CSV: {exc}", path=path, line=reader.line_num) from None
    builder.add_bytes(source.uncounted())
    yield builder.take()
