"""The JSONL reader: line by line, exact line numbers, bad JSON kept apart from bad schema.

Guarantees: every non-empty line becomes either one record or one reject whose reason starts
with what was wrong ("invalid JSON: …", "invalid UTF-8: …", "duplicate key …", "line longer than
…"); nothing is skipped silently (whitespace-only lines are counted). A file that is a JSON array
rather than JSON Lines is refused as a whole with a clear error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

import msgspec

from dataflywheel.checks.base import RecordBatch
from dataflywheel.checks.readers.builder import BatchBuilder
from dataflywheel.checks.readers.lines import Line, split_lines
from dataflywheel.errors import BadInput

BOM = b"\xef\xbb\xbf"
# A key's closing quote, optional whitespace, its colon: every written key yields one match
# (string contents can only add more), so fewer matches than keys is impossible and equal counts
# prove there is no duplicate key.
_KEY_COLON = re.compile(rb'"\s*:')
_LONE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_DECODER = msgspec.json.Decoder()
RUN_LINES = 64  # lines per `decode_lines` call: ~6% of runs hold one of 0.1% bad lines
_WS = b" \t\r"  # JSON whitespace besides the newline
_BLANK_INSIDE = re.compile(rb"\n[ \t\r]*\n")


class _Refused(Exception):
    """A line that decodes but is refused (duplicate keys, NaN) — carries the reason."""


def decode_line(line: bytes) -> tuple[Any, str | None]:
    """(value, None) for a good line, (None, reason) for a rejected one. Never raises."""
    try:
        value = _DECODER.decode(line)
    except msgspec.ValidationError as exc:
        return None, f"unsupported JSON value: {exc}"
    except msgspec.DecodeError as exc:
        if _LONE_ESCAPE.search(line):
            return _decode_stdlib(line)
        return None, f"invalid JSON: {exc}"
    except UnicodeDecodeError:
        return None, _utf8_reason(line)
    except RecursionError:
        return None, "invalid JSON: nested too deeply"
    if type(value) is dict and not _surely_unique_keys(line, value):
        return _decode_stdlib(line)
    return value, None


def _utf8_reason(line: bytes) -> str:
    """Where in the line the UTF-8 breaks (msgspec reports offsets inside the string)."""
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"invalid UTF-8: {exc.reason} at byte {exc.start + 1} of the line"
    return "invalid UTF-8"


def _surely_unique_keys(line: bytes, value: dict[str, Any]) -> bool:
    # Equal counts of `_KEY_COLON` matches and keys prove there is no duplicate key; otherwise
    # the exact path decides.
    keys = len(value)
    for inner in value.values():
        if type(inner) is dict or type(inner) is list:
            keys = _count_keys(value)
            break
    return len(_KEY_COLON.findall(line)) == keys


def _count_keys(value: Any) -> int:
    count, stack = 0, [value]
    while stack:
        item = stack.pop()
        if type(item) is dict:
            count += len(item)
            stack.extend(v for v in item.values() if type(v) is dict or type(v) is list)
        elif type(item) is list:
            stack.extend(v for v in item if type(v) is dict or type(v) is list)
    return count


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refused(f"duplicate key {key!r}")
        out[key] = value
    return out


def _constant(name: str) -> Any:
    raise _Refused(f"invalid JSON: {name} is not a JSON number")


def _decode_stdlib(line: bytes) -> tuple[Any, str | None]:
    """The exact (slower) path: duplicate keys, lone surrogate escapes, non-finite numbers."""
    try:
        text = line.decode("utf-8")
        return json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant), None
    except _Refused as exc:
        return None, str(exc)
    except UnicodeDecodeError:
        return None, _utf8_reason(line)
    except RecursionError:
        return None, "invalid JSON: nested too deeply"
    except ValueError as exc:  # JSONDecodeError, and ints over the digit limit
        return None, f"invalid JSON: {exc}"


def read_jsonl(
    chunks: Iterable[bytes],
    builder: BatchBuilder,
    *,
    first_line: int,
    at_file_start: bool,
    max_line_bytes: int,
) -> Iterator[RecordBatch]:
    """Decode the lines of `chunks` into batches; always yields at least one (maybe empty) batch."""
    lineno = first_line
    first = at_file_start
    for lines in split_lines(chunks, max_line_bytes):
        if first:
            first = _fix_first_line(lines, builder)
        _decode_lines(lines, lineno, builder, max_line_bytes)
        lineno += len(lines)
        if builder.full:
            yield builder.take()
    yield builder.take()


def _fix_first_line(lines: list[Line], builder: BatchBuilder) -> bool:
    """Strip a BOM from / refuse a JSON array at the first non-empty line; True while not found."""
    for i, line in enumerate(lines):
        if isinstance(line, int):
            return False
        if line.strip():
            lines[i] = _first_line(line, builder)
            return False
        if line.startswith(BOM):
            lines[i] = _first_line(line, builder)
    return True


def _decode_lines(
    lines: list[Line], start: int, builder: BatchBuilder, max_line_bytes: int
) -> None:
    """Decode one list of lines: records go to the builder in order, failures as rejects.

    Runs of RUN_LINES lines are decoded in one C call (`decode_lines`); a run that fails, or
    holds a whitespace-only line (which `decode_lines` would skip, so one line holding two JSON
    values could hide it), is decoded line by line: each value then belongs to exactly its line.
    """
    mark = builder.reject_count
    good: list[bytes] = []
    values: list[Any] = []
    numbers: list[int] = []
    for lo in range(0, len(lines), RUN_LINES):
        run = lines[lo : lo + RUN_LINES]
        got = _decode_run(run)
        if got is not None:
            good.extend(run)  # type: ignore[arg-type]  # _decode_run saw only bytes
            values.extend(got)
            numbers.extend(range(start + lo, start + lo + len(run)))
        else:
            _decode_one_by_one(run, start + lo, builder, max_line_bytes, good, values, numbers)
    if values:
        good, values, numbers = _recheck_keys(good, values, numbers, builder)
        builder.sort_rejects_from(mark)
    builder.add_many(numbers, values, sum(map(len, good)) + len(good))


def _decode_run(run: list[Line]) -> list[Any] | None:
    """One value per line of `run` in one call, or None (a bad or whitespace-only line, or an
    over-long one given as its length)."""
    if any(type(line) is int for line in run):
        return None
    lines: list[bytes] = run  # type: ignore[assignment]  # only bytes left
    if not lines[0].strip(_WS) or not lines[-1].strip(_WS):
        return None
    joined = b"\n".join(lines)
    if _BLANK_INSIDE.search(joined) is not None:
        return None
    try:
        got = _DECODER.decode_lines(joined)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        return None
    return got if len(got) == len(lines) else None


def _decode_one_by_one(
    lines: list[Line],
    start: int,
    builder: BatchBuilder,
    max_line_bytes: int,
    good: list[bytes],
    values: list[Any],
    numbers: list[int],
) -> None:
    decode = _DECODER.decode
    for i, line in enumerate(lines):
        if isinstance(line, int):
            builder.reject(
                start + i, f"line longer than {max_line_bytes} bytes ({line} bytes)", line
            )
            continue
        try:
            value = decode(line)
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
            if not line.strip():
                builder.count_empty(len(line) + 1)
                continue
            value, reason = decode_line(line)  # the exact path: a lone surrogate escape decodes
            if reason is not None:
                builder.reject(start + i, reason, len(line) + 1)
                continue
        good.append(line)
        values.append(value)
        numbers.append(start + i)


def _chunk_surely_unique(good: list[bytes], values: list[Any]) -> bool:
    # Summed over the lines, `_KEY_COLON` matches every top-level and nested key, plus string
    # contents. If that equals the top-level keys alone, there is no nested key, no duplicate key
    # and no such content.
    flat = sum(len(v) if type(v) is dict else 1 << 40 for v in values)
    return len(_KEY_COLON.findall(b"\n".join(good))) == flat


def _suspects(good: list[bytes], values: list[Any], lo: int, hi: int) -> list[int]:
    """Indexes in [lo, hi) the chunk test cannot clear, found by halving (few lines need the
    per-line test, so halving is cheaper than testing every line)."""
    if _chunk_surely_unique(good[lo:hi], values[lo:hi]):
        return []
    if hi - lo <= 16:
        return list(range(lo, hi))
    mid = (lo + hi) // 2
    return _suspects(good, values, lo, mid) + _suspects(good, values, mid, hi)


def _recheck_keys(
    good: list[bytes], values: list[Any], numbers: list[int], builder: BatchBuilder
) -> tuple[list[bytes], list[Any], list[int]]:
    """The per-line duplicate-key test on the lines the chunk test could not clear."""
    drop: set[int] = set()
    for i in _suspects(good, values, 0, len(good)):
        value, line = values[i], good[i]
        if type(value) is dict and not _surely_unique_keys(line, value):
            value, reason = _decode_stdlib(line)
            if reason is not None:
                builder.reject(numbers[i], reason, len(line) + 1)
                drop.add(i)
            else:
                values[i] = value
    if not drop:
        return good, values, numbers
    keep = [i for i in range(len(good)) if i not in drop]
    return [good[i] for i in keep], [values[i] for i in keep], [numbers[i] for i in keep]


def _first_line(line: bytes, builder: BatchBuilder) -> bytes:
    if line.startswith(BOM):
        builder.warn(f"{builder.file}: starts with a UTF-8 byte order mark; it was ignored")
        line = line[len(BOM) :]
    if line.lstrip().startswith(b"["):
        raise BadInput(
            "file is a JSON array, not JSON Lines",
            path=builder.file,
            line=1,
            expected="one JSON object per line",
            got="'[' at the start of the file",
            hint=f"convert it, e.g. jq -c '.[]' {builder.file} > fixed.jsonl",
        )
    if line.strip() == b"{":
        raise BadInput(
            "file is a pretty-printed JSON document, not JSON Lines",
            path=builder.file,
            expected="one JSON object per line",
            got="a line holding only '{'",
            hint=f"convert it, e.g. jq -c . {builder.file} > fixed.jsonl",
        )
    return line
