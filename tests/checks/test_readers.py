from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path

import pytest
import zstandard
from checkhelp import check, plan, write_jsonl

from dataflywheel.checks.readers import plan_shards, read_file, read_shard
from dataflywheel.checks.readers.lines import split_lines
from dataflywheel.errors import BadInput


def _records(n: int) -> list[dict[str, str]]:
    return [{"id": f"r{i}", "text": f"record number {i} " + "word " * (i % 17)} for i in range(n)]


def test_byte_range_shards_cover_every_line_once_with_exact_numbers(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "x.jsonl", _records(5000))
    p = plan()
    shards = plan_shards([str(path)], shard_bytes=20_000)
    assert len(shards) > 5
    assert shards[0].start == 0 and shards[-1].end == path.stat().st_size
    assert all(a.end == b.start for a, b in itertools.pairwise(shards))
    lines, ids = [], []
    for shard in shards:
        for batch in read_shard(shard, p):
            lines += batch.lines
            ids += batch.ids
    assert lines == list(range(1, 5001))
    assert ids == [f"r{i}" for i in range(5000)]


def test_a_shard_boundary_inside_a_long_line_snaps_to_the_next_line(tmp_path: Path) -> None:
    recs = [
        {"id": "a", "text": "x" * 50_000},
        {"id": "b", "text": "short"},
        {"id": "c", "text": "y" * 30_000},
    ]
    path = write_jsonl(tmp_path / "x.jsonl", recs)
    shards = plan_shards([str(path)], shard_bytes=10_000)
    got = [
        (line, rid)
        for s in shards
        for b in read_shard(s, plan())
        for line, rid in zip(b.lines, b.ids)
    ]
    assert got == [(1, "a"), (2, "b"), (3, "c")]


def test_split_lines_keeps_the_last_line_without_newline_and_marks_overlong() -> None:
    chunks = [b"ab\ncd", b"ef\n", b"x" * 10, b"y" * 10, b"\nlast"]
    out = [line for part in split_lines(chunks, 12) for line in part]
    assert out == [b"ab", b"cdef", 20, b"last"]


def test_gzip_and_zstd_read_like_plain(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "x.jsonl", _records(3000))
    data = path.read_bytes()
    (tmp_path / "x.jsonl.gz").write_bytes(gzip.compress(data))
    frames = zstandard.ZstdCompressor().compress(
        data[:40_000]
    ) + zstandard.ZstdCompressor().compress(data[40_000:])
    (tmp_path / "x.jsonl.zst").write_bytes(frames)  # two frames: both are read
    reports = [
        check(tmp_path / name).model_dump() for name in ("x.jsonl", "x.jsonl.gz", "x.jsonl.zst")
    ]
    metrics = [r["metrics"] for r in reports]
    assert metrics[0] == metrics[1] == metrics[2]
    assert metrics[0]["record_count"] == 3000


def test_parquet_rows_are_records_numbered_from_one(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "x.parquet"
    pq.write_table(pa.table({"id": ["a", "b", "c"], "text": ["same", "other", "SAME "]}), path)
    report = check(path)
    assert report.records == 3
    assert report.metrics["duplicate_count"] == 1
    assert report.checks["exact_duplicates"].examples["duplicate_rate"][0].line == 3


def test_csv_cells_are_typed_by_the_schema_and_lines_are_physical(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text('id,text,n\na,"two\nlines",5\nb,plain,\nc,bad,x\n', encoding="utf-8")
    p = plan(
        schema={
            "fields": [
                {"name": "id", "type": "string"},
                {"name": "text", "type": "string"},
                {"name": "n", "type": "integer", "nullable": True},
            ]
        }
    )
    batches = list(read_file(str(path), p))
    values = [v for b in batches for v in b.values]
    lines = [ln for b in batches for ln in b.lines]
    assert values == [
        {"id": "a", "text": "two\nlines", "n": 5},
        {"id": "b", "text": "plain", "n": None},
        {"id": "c", "text": "bad", "n": "x"},
    ]
    assert lines == [2, 4, 5]
    report = check(path, p)
    assert [(r.line, r.reason) for r in report.rejects] == [
        (5, "field 'n': expected integer, got string")
    ]


def test_fsspec_urls_are_read(tmp_path: Path) -> None:
    import fsspec

    fs = fsspec.filesystem("memory")
    with fs.open("/bucket/x.jsonl", "wb") as f:
        f.write(b"".join(json.dumps(r).encode() + b"\n" for r in _records(10)))
    report = check(["memory://bucket/x.jsonl"])  # type: ignore[arg-type]
    assert report.records == 10
    assert report.files[0].file == "memory://bucket/x.jsonl"


@pytest.mark.parametrize("name", ["x.jsonl.gz", "x.csv"])
def test_non_splittable_inputs_are_one_shard(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"0" * 100_000)
    assert len(plan_shards([str(path)], shard_bytes=10_000)) == 1


def _parquet(path: Path, n: int, per_group: int) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(_records(n)), path, row_group_size=per_group)
    return path


def test_parquet_shards_start_at_row_groups_with_exact_first_rows(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    path = _parquet(tmp_path / "x.parquet", 10_000, 1000)
    size = path.stat().st_size
    assert pq.ParquetFile(path).metadata.num_row_groups == 10
    shards = plan_shards([str(path)], shard_bytes=size // 4)
    assert 3 <= len(shards) <= 5
    assert shards[0].start == 0 and shards[-1].end == size
    assert all(a.end == b.start for a, b in itertools.pairwise(shards))
    p = plan()
    seen: list[int] = []
    nbytes = 0
    for shard in shards:
        batches = list(read_shard(shard, p))
        lines = [ln for b in batches for ln in b.lines]
        assert lines[0] == shard.first_line and shard.first_line % 1000 == 1
        assert [v["id"] for b in batches for v in b.values] == [f"r{n - 1}" for n in lines]
        seen.extend(lines)
        nbytes += sum(b.nbytes for b in batches)
    assert seen == list(range(1, 10_001))
    assert nbytes == size  # each row group's bytes, footer included, counted once
    assert len(plan_shards([str(path)], shard_bytes=size)) == 1


def test_a_parquet_file_with_no_rows_reads_as_no_records_and_is_refused(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "empty.parquet"
    pq.write_table(
        pa.table({"id": pa.array([], pa.string()), "text": pa.array([], pa.string())}), path
    )
    size = path.stat().st_size
    assert len(plan_shards([str(path)], shard_bytes=16)) == 1
    batches = list(read_file(str(path), plan()))
    assert sum(len(b) for b in batches) == 0 and sum(b.nbytes for b in batches) == size
    with pytest.raises(BadInput) as err:
        check(path)
    assert "input has no records" in str(err.value)


def test_reports_count_the_bytes_of_parquet_and_csv_files(tmp_path: Path) -> None:
    """`files[].bytes` is what was read: the stored bytes of a Parquet file, the decompressed
    bytes of a CSV file (the reader's batches share them out as they read)."""
    parquet = _parquet(tmp_path / "x.parquet", 9000, 500)
    text = "id,text\n" + "".join(f"r{i},record number {i}\n" for i in range(9000))
    plain = tmp_path / "x.csv"
    plain.write_text(text, encoding="utf-8")
    packed = tmp_path / "y.csv.gz"
    packed.write_bytes(gzip.compress(text.encode()))
    report = check([parquet, plain, packed], plan(checks={"exact_duplicates": False}))
    assert [(f.records, f.bytes) for f in report.files] == [
        (9000, parquet.stat().st_size),
        (9000, len(text)),
        (9000, len(text)),
    ]
