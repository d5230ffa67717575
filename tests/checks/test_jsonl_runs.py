"""The JSONL reader's run path (runs of lines decoded as one slice of the chunk buffer) against a
per-line reference, for every way the input can be cut into chunks: runs cut at a chunk
boundary, over-long lines inside a run, whitespace-only lines at every place in a run, and the
lines that must leave the run path (duplicate keys, nested objects, bad JSON, NaN, lone
surrogates, invalid UTF-8, CRLF, a last line without newline)."""

from __future__ import annotations

import json
import random
import re
from typing import Any

import pytest
from checkhelp import plan

from dataflywheel.checks.readers.builder import BatchBuilder
from dataflywheel.checks.readers.jsonl import RUN_LINES, decode_line, read_jsonl
from dataflywheel.checks.readers.lines import Block, split_blocks, split_lines

MAX = 1024


def _reference(data: bytes, max_line_bytes: int) -> tuple[list[tuple[int, Any]], list[int], int]:
    """(line, value) of every record, the rejected line numbers, and the count of blank lines,
    each line decoded alone."""
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    records, rejects, empty = [], [], 0
    for n, line in enumerate(lines, 1):
        if len(line) > max_line_bytes:
            rejects.append(n)
        elif not line.strip():
            empty += 1
        else:
            value, reason = decode_line(line)
            if reason is None:
                records.append((n, value))
            else:
                rejects.append(n)
    return records, rejects, empty


def _read(chunks: list[bytes], max_line_bytes: int) -> tuple[list[tuple[int, Any]], list[int], int]:
    builder = BatchBuilder(plan(), file="x.jsonl", shard=0)
    records, rejects, empty = [], [], 0
    for batch in read_jsonl(
        chunks, builder, first_line=1, at_file_start=True, max_line_bytes=max_line_bytes
    ):
        records += list(zip(batch.lines, batch.values, strict=True))
        rejects += [r.line for r in batch.rejects]
        assert [r.line for r in batch.rejects] == sorted(r.line for r in batch.rejects)
        empty += batch.empty_lines
    return records, rejects, empty


def _cut(data: bytes, sizes: list[int]) -> list[bytes]:
    out, at, i = [], 0, 0
    while at < len(data):
        size = sizes[i % len(sizes)]
        out.append(data[at : at + size])
        at, i = at + size, i + 1
    return out


def _line(rng: random.Random, i: int) -> bytes:
    kind = rng.random()
    rec = {"id": f"r{i}", "text": "w" * rng.randrange(0, 40)}
    if kind < 0.985:  # most runs are clean: the run path is taken
        return json.dumps(rec).encode()
    odd = [
        b"",
        b"   ",
        b"\r",
        b" \t ",
        b' {"id": "lead", "text": "space before"}',
        b'{"id": "d", "text": "a", "text": "b"}',
        b'{"id": "n", "meta": {"k": 1, "j": [1, {"x": 2}]}}',
        b'{"id": "nd", "meta": {"k": 1, "k": 2}}',
        b'{"id": "sd", "text" : "a", "text": "b"}',  # whitespace before a colon
        b'{"id": "sk", "text"\t:"a", "n": "x\\":"}',  # the same, no duplicate
        b'{"id": "s", "text": "says \\"k\\": v"}',
        b'{"id": "bad", "text": ',
        b'{"id": "nan", "x": NaN}',
        b'{"id": "sur", "text": "\\ud800"}',
        b'{"id": "utf", "text": "\xff\xfe"}',
        b'{"id": "crlf", "text": "x"}\r',
        b'{"a": 1} {"b": 2}',
        b"[1, 2]",
        b"7",
        b'"just a string"',
        json.dumps({"id": "long", "text": "L" * (MAX + 50)}).encode(),
    ]
    return rng.choice(odd)


def _data(seed: int, n: int, *, last_newline: bool) -> bytes:
    rng = random.Random(seed)
    body = b"\n".join(_line(rng, i) for i in range(n))
    return b'{"id": "first"}\n' + body + (b"\n" if last_newline else b"")


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("sizes", [[1 << 20], [4096], [997, 61], [1, 2, 3, 500], [MAX + 7]])
def test_every_chunking_reads_like_the_line_by_line_reference(seed: int, sizes: list[int]) -> None:
    data = _data(seed, 3000, last_newline=seed % 2 == 0)
    want = _reference(data, MAX)
    assert want[1] and want[2]  # the input does hold rejects and blank lines
    assert _read(_cut(data, sizes), MAX) == want


def test_a_run_cut_at_a_chunk_boundary_keeps_its_line_numbers() -> None:
    lines = [json.dumps({"id": f"r{i}", "text": "t" * (i % 7)}).encode() for i in range(300)]
    data = b"\n".join(lines) + b"\n"
    for cut in range(1, len(data), 97):  # every kind of boundary: inside a line, at its newline
        records, rejects, empty = _read([data[:cut], data[cut:]], MAX)
        assert [n for n, _ in records] == list(range(1, 301))
        assert [v["id"] for _, v in records] == [f"r{i}" for i in range(300)]
        assert rejects == [] and empty == 0


@pytest.mark.parametrize("at", [0, 1, RUN_LINES // 2, RUN_LINES - 1, RUN_LINES, RUN_LINES + 1])
@pytest.mark.parametrize("odd", [b"", b"  ", b"\r", b"x" * (MAX + 1)])
def test_a_blank_or_overlong_line_anywhere_in_a_run_is_counted_by_number(
    at: int, odd: bytes
) -> None:
    lines = [json.dumps({"id": f"r{i}"}).encode() for i in range(3 * RUN_LINES)]
    lines.insert(at + 1, odd)  # after the first line (the file start has its own path)
    data = b"\n".join(lines) + b"\n"
    records, rejects, empty = _read([data], MAX)
    assert len(records) == 3 * RUN_LINES
    assert (rejects, empty) == (([at + 2], 0) if len(odd) > MAX else ([], 1))
    assert at + 2 not in [n for n, _ in records]


def test_two_values_on_one_line_beside_a_blank_line_are_not_shifted() -> None:
    # decode_lines would skip the blank line and split the double line: same count, wrong lines.
    data = b'{"id": "a"}\n{"id": "b"} {"id": "c"}\n\n{"id": "d"}\n'
    records, rejects, empty = _read([data], MAX)
    assert records == [(1, {"id": "a"}), (4, {"id": "d"})]
    assert (rejects, empty) == ([2], 1)


def test_blocks_hold_the_lines_that_start_and_end_in_a_chunk() -> None:
    parts = list(split_blocks([b"ab\ncd\nef", b"gh\nij\n", b"kl"], 100))
    assert isinstance(parts[0][0], Block) and parts[0][0].lines(100) == [b"ab", b"cd"]
    assert parts[1][0] == b"efgh"
    assert isinstance(parts[1][1], Block) and parts[1][1].lines(100) == [b"ij"]
    assert parts[2] == [b"kl"]
    # split_lines is the same lines, flat; an over-long line inside a chunk is its length
    assert [x for p in split_lines([b"ab\n" + b"z" * 20 + b"\ncd\n"], 12) for x in p] == [
        b"ab",
        20,
        b"cd",
    ]


@pytest.mark.parametrize(
    "bad",
    [
        b'{"id": "x", "v": NaN}',  # msgspec names the byte it stopped at
        b'{"id": "x", "v": ',  # it does not (the run reads as truncated)
        b'{"id": "x"} {"id": "y"}',  # it decodes, one value too many
        b'{"id": "x", "id": "y"}',  # it decodes, the key count fails
        b'{"id": "x", "id" : "y"}',  # the same, with a colon after whitespace
        b'{"id": "x", "v": "a\\": "}',  # a record: a quote and colon inside a string
        b'{"id": "x", "v": "\\udc00"}',  # a record, through the exact path
    ],
)
@pytest.mark.parametrize("at", [0, 1, 7, RUN_LINES // 2, RUN_LINES - 2, RUN_LINES - 1])
def test_a_bad_line_anywhere_in_a_run_leaves_its_neighbours_as_records(at: int, bad: bytes) -> None:
    lines = [json.dumps({"id": f"r{i}", "n": {"k": i}}).encode() for i in range(2 * RUN_LINES)]
    lines[RUN_LINES + at] = bad
    lines[RUN_LINES + (at + 5) % RUN_LINES] = bad  # two in the same run
    data = b"\n".join(lines) + b"\n"
    want = _reference(data, MAX)
    assert _read([data], MAX) == want
    assert len(want[0]) + len(want[1]) == 2 * RUN_LINES


@pytest.mark.parametrize("size", [1, 2, 3, 5, 1 << 20])
def test_the_file_start_is_found_however_the_chunks_fall(size: int) -> None:
    from dataflywheel.errors import BadInput

    data = b"\n \n\xef\xbb\xbf" + b'{"id": "a"}\n{"id": "b"}\n'
    builder = BatchBuilder(plan(), file="x.jsonl", shard=0)
    batches = list(
        read_jsonl(
            _cut(data, [size]), builder, first_line=1, at_file_start=True, max_line_bytes=MAX
        )
    )
    assert [n for b in batches for n in b.lines] == [3, 4]
    assert sum(b.empty_lines for b in batches) == 2
    assert any("byte order mark" in w for b in batches for w in b.warnings)
    with pytest.raises(BadInput, match="JSON array"):
        list(
            read_jsonl(
                _cut(b"\n\n  [\n" + b'{"id": "a"}\n' * 100, [size]),
                BatchBuilder(plan(), file="y.jsonl", shard=0),
                first_line=1,
                at_file_start=True,
                max_line_bytes=MAX,
            )
        )


def test_key_colon_bounds_agree_with_the_pattern_or_say_they_cannot_tell() -> None:
    from dataflywheel.checks.readers.jsonl import _KEY_COLON, _KeyColons

    rng = random.Random(7)
    alphabet = [b'"', b":", b" ", b"\t", b"\n", b"\r", b"a", b"\\", b"\xc3\xa9", b"{"]
    told = 0
    for _ in range(300):
        buf = b"".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 60)))
        colons = _KeyColons(buf)
        for _ in range(5):
            start = rng.randrange(0, len(buf) + 1)
            end = rng.randrange(start, len(buf) + 1)
            bound = colons.bound(start, end)
            piece = buf[start:end]
            if bound is None:  # only where a colon follows whitespace
                assert re.search(rb"[ \t\n\r]:", buf[max(start - 1, 0) : end])
            else:
                told += 1
                # a colon at the range's first byte follows a byte outside the range
                assert bound == len(_KEY_COLON.findall(piece)) + (
                    start > 0 and piece[:1] == b":" and buf[start - 1 : start] == b'"'
                )
    assert told > 500
