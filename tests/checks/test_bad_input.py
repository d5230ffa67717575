"""Every kind of bad input named in issue 3: a clear error or a per-record rejection, never a
traceback, and nothing lost (every line is a record, a reject or a counted empty line)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import zstandard
from checkhelp import check, plan, reasons, write_jsonl

from dataflywheel.errors import BadInput, NotFound

GOOD = {"id": "a", "text": "hello"}


def _lines(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return path


def _accounted(report, lines: int) -> None:  # type: ignore[no-untyped-def]
    f = report.files[0]
    assert f.records + f.undecodable + f.empty_lines == lines


def test_invalid_utf8_is_a_rejection_naming_the_line(tmp_path: Path) -> None:
    good = json.dumps(GOOD).encode()
    path = _lines(tmp_path / "x.jsonl", [good, b'{"id": "b", "text": "caf\xe9"}', good])
    report = check(path)
    assert reasons(report) == [
        (2, "invalid UTF-8: invalid continuation byte at byte 25 of the line")
    ]
    assert report.records == 2
    _accounted(report, 3)


def test_a_bom_is_ignored_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(GOOD).encode() + b"\n")
    report = check(path)
    assert report.records == 1 and report.rejected == 0
    assert report.warnings == [f"{path}: starts with a UTF-8 byte order mark; it was ignored"]


def test_nul_bytes_raw_are_invalid_json_and_escaped_are_control_chars(tmp_path: Path) -> None:
    path = _lines(
        tmp_path / "nul.jsonl",
        [b'{"id": "a", "text": "x\x00y"}', b'{"id": "b", "text": "x\\u0000y"}'],
    )
    report = check(path)
    assert reasons(report) == [(1, "invalid JSON: JSON is malformed: invalid character (byte 22)")]
    assert report.metrics["control_char_rate"] == 1.0  # of the one decoded record
    assert report.checks["charset"].examples["control_char_rate"][0].line == 2


@pytest.mark.slow
def test_a_100_mb_line_is_rejected_without_holding_it(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    with path.open("wb") as out:
        out.write(json.dumps(GOOD).encode() + b"\n")
        out.write(b'{"id": "big", "text": "')
        block = b"x" * (1 << 20)
        for _ in range(100):
            out.write(block)
        out.write(b'"}\n')
        out.write(json.dumps({"id": "c", "text": "after"}).encode() + b"\n")
    report = check(path, plan(max_line_bytes=8 * 1024 * 1024))
    assert reasons(report) == [
        (2, f"line longer than 8388608 bytes ({100 * (1 << 20) + 25} bytes)")
    ]
    assert report.records == 2
    _accounted(report, 3)


def test_truncated_gzip_is_an_error_and_nothing_is_half_checked(tmp_path: Path) -> None:
    data = b"".join(
        json.dumps({"id": str(i), "text": f"t {i}"}).encode() + b"\n" for i in range(20000)
    )
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(gzip.compress(data)[:20000])
    with pytest.raises(BadInput) as err:
        check(path)
    assert str(err.value) == (
        f"{path}: gzip file is truncated or corrupt (Compressed file ended before the end-of-stream "
        "marker was reached); expected a complete gzip stream. Kept: nothing from this file was "
        "checked; the report is not written. Next: re-deliver the complete file"
    )


def test_truncated_zstd_is_an_error(tmp_path: Path) -> None:
    data = b"".join(
        json.dumps({"id": str(i), "text": f"t {i}"}).encode() + b"\n" for i in range(20000)
    )
    path = tmp_path / "cut.jsonl.zst"
    path.write_bytes(zstandard.ZstdCompressor().compress(data)[:5000])
    with pytest.raises(BadInput) as err:
        check(path)
    assert "zstd file is truncated or corrupt (the stream ended inside a frame)" in str(err.value)


def test_a_json_array_is_refused_as_a_whole(tmp_path: Path) -> None:
    path = tmp_path / "array.json"
    path.write_text(json.dumps([GOOD, GOOD], indent=2), encoding="utf-8")
    with pytest.raises(BadInput) as err:
        check(path)
    assert str(err.value) == (
        f"{path}:1: file is a JSON array, not JSON Lines; expected one JSON object per line; "
        f"got \"'[' at the start of the file\". Next: convert it, e.g. jq -c '.[]' {path} > fixed.jsonl"
    )


def test_a_pretty_printed_json_document_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pretty.json"
    path.write_text(json.dumps(GOOD, indent=2), encoding="utf-8")
    with pytest.raises(BadInput) as err:
        check(path)
    assert str(err.value) == (
        f"{path}: file is a pretty-printed JSON document, not JSON Lines; expected one JSON object "
        f"per line; got \"a line holding only '{{'\". Next: convert it, e.g. jq -c . {path} > fixed.jsonl"
    )


def test_json_nested_100000_deep_is_rejected(tmp_path: Path) -> None:
    deep = b'{"id": "d", "text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    path = _lines(tmp_path / "deep.jsonl", [deep, json.dumps(GOOD).encode()])
    report = check(path)
    assert reasons(report) == [(1, "invalid JSON: nested too deeply")]
    assert report.records == 1


def test_a_5000_digit_integer_is_rejected(tmp_path: Path) -> None:
    path = _lines(tmp_path / "big.jsonl", [b'{"id": "n", "text": "t", "n": ' + b"7" * 5000 + b"}"])
    report = check(path)
    assert reasons(report) == [
        (1, "unsupported JSON value: Integer value out of range - at `$[...]`")
    ]


def test_nan_is_invalid_json(tmp_path: Path) -> None:
    path = _lines(tmp_path / "nan.jsonl", [b'{"id": "n", "text": "t", "score": NaN}'])
    report = check(path)
    assert reasons(report) == [(1, "invalid JSON: JSON is malformed: invalid character (byte 34)")]


def test_duplicate_keys_are_rejected_naming_the_key(tmp_path: Path) -> None:
    path = _lines(
        tmp_path / "dup.jsonl",
        [
            b'{"id": "a", "text": "one", "text": "two"}',
            b'{"id": "b", "m": {"k": 1, "k" : 2}, "text": "x"}',
            b'{"id": "c", "text": "says \\"k\\": fine"}',
        ],
    )
    report = check(path)
    assert reasons(report) == [(1, "duplicate key 'text'"), (2, "duplicate key 'k'")]
    assert report.records == 1


def test_duplicate_keys_inside_a_run_of_good_lines_are_rejected_and_neighbours_kept(
    tmp_path: Path,
) -> None:
    # lines 2..200 are decoded in runs, whose key count comes from one scan of the chunk; a
    # colon after whitespace makes that scan defer to the per-run pattern
    good = [json.dumps({"id": f"g{i}", "text": "fine: yes"}).encode() for i in range(200)]
    good[50] = b'{"id": "w", "text" : "one", "text": "two"}'
    good[120] = b'{"id": "q", "text": "one", "text":"two"}'
    good[121] = b'{"id": "s", "text"\t: "a \\": b"}'  # whitespace, a quote-colon, no duplicate
    path = _lines(tmp_path / "dups.jsonl", good)
    report = check(path)
    assert reasons(report) == [(51, "duplicate key 'text'"), (121, "duplicate key 'text'")]
    assert report.records == 198
    _accounted(report, 200)


def test_lone_surrogate_escape_is_kept_and_flagged(tmp_path: Path) -> None:
    path = _lines(tmp_path / "sur.jsonl", [b'{"id": "s", "text": "a\\ud800b"}'])
    report = check(path)
    assert report.rejected == 0
    assert report.metrics["lone_surrogate_rate"] == 1.0


def test_an_empty_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    with pytest.raises(BadInput) as err:
        check(path)
    assert str(err.value) == f"{path}: input file is empty; expected at least one record"


def test_a_file_of_blank_lines_has_no_records(tmp_path: Path) -> None:
    path = tmp_path / "blank.jsonl"
    path.write_bytes(b"\n  \n\n")
    with pytest.raises(BadInput) as err:
        check(path)
    assert (
        str(err.value)
        == f"{path}: input has no records; expected at least one JSON record; got 'no lines'"
    )


def test_a_missing_file_is_not_found(tmp_path: Path) -> None:
    path = tmp_path / "nope.jsonl"
    with pytest.raises(NotFound) as err:
        check(path)
    assert str(err.value) == f"{path}: input file not found"


def test_an_unknown_extension_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    path.write_text("x")
    with pytest.raises(BadInput) as err:
        check(path)
    assert "unknown input format" in str(err.value)


def test_a_parquet_file_cut_into_shards_with_another_schema_is_refused_as_a_whole(
    tmp_path: Path,
) -> None:
    """Each row-group shard checks the schema: the local engine raises the message a single
    process gives, and writes no rejects file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from dataflywheel.checks.readers import plan_shards

    path = tmp_path / "other.parquet"
    rows = [{"id": i, "text": f"row {i} " * 20} for i in range(3000)]
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=300)
    assert len(plan_shards([str(path)], shard_bytes=5_000)) > 3
    rejects = tmp_path / "rejects.jsonl"
    errors = []
    for engine in ("single", "local"):
        with pytest.raises(BadInput) as err:
            check(path, engine=engine, workers=2, shard_bytes=5_000, rejects=rejects)
        errors.append(str(err.value))
    assert (
        errors[0]
        == errors[1]
        == (
            f"{path}: Parquet schema differs from the plan: a column has another type; field 'id'; "
            "expected string; got 'int64'"
        )
    )
    assert not rejects.exists()
    assert pq.read_table(path).num_rows == 3000


def test_a_file_named_parquet_that_is_not_is_refused_before_any_shard_is_read(
    tmp_path: Path,
) -> None:
    """Cutting a Parquet file into row-group shards reads its footer first: a file that is not
    Parquet is refused there, with the same message as when it is read whole."""
    from dataflywheel.checks.readers import plan_shards

    path = tmp_path / "x.parquet"
    path.write_bytes(b"0" * 100_000)
    with pytest.raises(BadInput) as planned:
        plan_shards([str(path)], shard_bytes=10_000)
    with pytest.raises(BadInput) as whole:
        check(path)
    for err in (planned, whole):
        assert str(err.value).startswith(f"{path}: not a readable Parquet file; got ")
    assert path.read_bytes() == b"0" * 100_000


def test_parquet_with_another_schema_is_refused(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "other.parquet"
    pq.write_table(pa.table({"id": [1, 2], "text": ["a", "b"]}), path)
    with pytest.raises(BadInput) as err:
        check(path)
    assert str(err.value) == (
        f"{path}: Parquet schema differs from the plan: a column has another type; field 'id'; "
        "expected string; got 'int64'"
    )
    missing = tmp_path / "missing.parquet"
    pq.write_table(pa.table({"id": ["1"], "body": ["a"]}), missing)
    with pytest.raises(BadInput) as err:
        check(missing)
    assert (
        "a required column is missing; field 'text'; expected a column of type string; got 'columns body, id'"
        in str(err.value)
    )


def test_records_that_are_not_objects_are_schema_rejects(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "x.jsonl", [GOOD, "just a string", 5])
    report = check(path)
    assert reasons(report) == [
        (2, "record is a JSON string, expected an object"),
        (3, "record is a JSON integer, expected an object"),
    ]
