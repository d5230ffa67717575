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
from dataflywheel.checks.readers.lines import split_lines
from dataflywheel.errors import BadInput

BOM = b"\xef\xbb\xbf"
_WS_COLON = re.compile(rb'"\s+:')
_LONE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_DECODER = msgspec.json.Decoder()


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
    # Each key written `"k":` adds one b'":'; string contents can only add more. So equal counts
    # and no `"k" :` spelling prove there is no duplicate key; otherwise the exact path decides.
    keys = len(value)
    for inner in value.values():
        if type(inner) is dict or type(inner) is list:
            keys = _count_keys(value)
            break
    return line.count(b'":') == keys and _WS_COLON.search(line) is None


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
        for line in lines:
            if isinstance(line, int):
                builder.reject(lineno, f"line longer than {max_line_bytes} bytes ({line} bytes)", line)
            else:
                if first:
                    line = _first_line(line, builder)
                    first = not line.strip()
                _one(line, lineno, builder)
            lineno += 1
            if builder.full:
                yield builder.take()
    yield builder.take()


def _one(line: bytes, lineno: int, builder: BatchBuilder) -> None:
    size = len(line) + 1
    if not line.strip():
        builder.count_empty(size)
        return
    value, reason = decode_line(line)
    if reason is None:
        builder.add(lineno, value, size)
    else:
        builder.reject(lineno, reason, size)


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
    return line
