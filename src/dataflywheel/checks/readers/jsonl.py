"""The JSONL reader: line by line, exact line numbers, bad JSON kept apart from bad schema.

Guarantees: every non-empty line becomes either one record or one reject whose reason starts
with what was wrong ("invalid JSON: …", "invalid UTF-8: …", "duplicate key …", "line longer than
…"); nothing is skipped silently (whitespace-only lines are counted). A file that is a JSON array
rather than JSON Lines is refused as a whole with a clear error.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

import msgspec
import numpy as np

from dataflywheel.checks.base import RecordBatch
from dataflywheel.checks.readers.builder import BatchBuilder
from dataflywheel.checks.readers.lines import Block, Line, split_blocks
from dataflywheel.errors import BadInput

BOM = b"\xef\xbb\xbf"
# A key's closing quote, optional whitespace, its colon: every written key yields one match
# (string contents can only add more), so fewer matches than keys is impossible and equal counts
# prove there is no duplicate key.
_KEY_COLON = re.compile(rb'"\s*:')
_LONE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_DECODER = msgspec.json.Decoder()
RUN_LINES = 64  # lines per `decode_lines` call: ~6% of runs hold one of 0.1% bad lines


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
        if "UTF-8" in str(exc):  # msgspec 0.23 and later: "Invalid UTF-8 encoded string"
            return None, _utf8_reason(line)
        return None, f"invalid JSON: {exc}"
    except UnicodeDecodeError:  # msgspec before 0.23
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
    for part in split_blocks(chunks, max_line_bytes):
        out = _Decoded()
        for item in part:
            if isinstance(item, Block):
                if first:
                    lines, item, first = _first_lines(item, builder, max_line_bytes)
                    _decode_lines(lines, lineno, builder, max_line_bytes, out)
                    lineno += len(lines)
                _decode_block(item, lineno, builder, max_line_bytes, out)
                lineno += len(item)
            else:
                lines = [item]
                if first:
                    first = _fix_first_line(lines, builder)
                _decode_lines(lines, lineno, builder, max_line_bytes, out)
                lineno += 1
        builder.add_many(out.numbers, out.values, out.nbytes)
        if builder.full:
            yield builder.take()
    yield builder.take()


class _Decoded:
    """The records of one chunk, in line order, with the bytes of their lines."""

    __slots__ = ("nbytes", "numbers", "values")

    def __init__(self) -> None:
        self.numbers: list[int] = []
        self.values: list[Any] = []
        self.nbytes = 0


def _first_lines(
    block: Block, builder: BatchBuilder, max_line_bytes: int
) -> tuple[list[Line], Block, bool]:
    """At the file start: the block's lines up to the first non-blank one as a list (BOM
    stripped, JSON array refused), the rest of the block, and whether still not found."""
    for i in range(len(block)):
        lines = block.lines(max_line_bytes, 0, i + 1)
        last = lines[-1]
        if isinstance(last, int) or last.strip():
            _fix_first_line(lines, builder)
            return lines, block.tail(i + 1), False
    lines = block.lines(max_line_bytes)
    return lines, block.tail(len(block)), _fix_first_line(lines, builder)


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


def _decode_block(
    block: Block, start: int, builder: BatchBuilder, max_line_bytes: int, out: _Decoded
) -> None:
    """Decode the lines of a block: records to `out` in order, failures as rejects in order.

    Runs of up to RUN_LINES lines are decoded as ONE slice of the buffer in one C call
    (`decode_lines`), and the duplicate-key test counts key colons on that same slice (from
    one scan of the block, `_KeyColons`, or else `_KEY_COLON` matches): the count is at least
    the keys written in each line, so if it equals the keys decoded (top-level ones, or else all
    nested ones too) no line repeats a key; otherwise each line is tested.
    A line that is empty, starts with whitespace (a whitespace-only line would be skipped by
    `decode_lines`, so one line holding two JSON values could hide it) or is over the limit never
    enters a run: it is decoded alone, and runs stop before it.
    """
    n = len(block)
    if not n:
        return
    buf, starts, ends = block.buf, block.starts, block.ends
    # the byte that opens each line (its own b"\n" when the line is empty)
    opener = np.frombuffer(buf, dtype=np.uint8)[starts]
    odd = (opener == 10) | (opener == 32) | (opener == 9) | (opener == 13)
    if len(buf) > max_line_bytes:
        odd |= (ends - starts) > max_line_bytes
    runs = _Runs(block, start, builder, max_line_bytes, out)
    lo = 0
    for k in [*np.flatnonzero(odd).tolist(), n]:
        for at in range(lo, k, RUN_LINES):
            runs.decode(at, min(at + RUN_LINES, k))
        if k < n:
            runs.one_by_one(k, k + 1)
        lo = k + 1


_DICTS = {dict}
_AT_BYTE = re.compile(r"\(byte (\d+)\)")


class _KeyColons:
    """Bounds on the keys written in byte ranges of one buffer, from one vectorised scan.

    A key's colon follows its closing quote, maybe after whitespace. In a range where no colon
    follows whitespace, the colons right after a quote are at least the keys written (string
    contents can only add more), which is what the duplicate-key test needs; a range where a
    colon follows whitespace gets None, and the caller counts `_KEY_COLON` matches instead.
    A colon byte is never part of a multi-byte UTF-8 character, so bytes are enough.
    """

    def __init__(self, buf: bytes) -> None:
        data = np.frombuffer(buf, dtype=np.uint8)
        self.at = np.flatnonzero(data[1:] == 58) + 1  # every ':' but one at byte 0 (no key's)
        before = data[self.at - 1]
        spaced = (before == 32) | (before == 9) | (before == 10) | (before == 13)
        self.quoted = np.concatenate(([0], np.cumsum(before == 34)))
        self.spaced = np.concatenate(([0], np.cumsum(spaced)))

    def bound(self, start: int, end: int) -> int | None:
        """At least the keys written in `buf[start:end]`, or None when that cannot be told."""
        i, j = np.searchsorted(self.at, (start, end)).tolist()
        if self.spaced[j] != self.spaced[i]:
            return None
        return int(self.quoted[j] - self.quoted[i])


class _Runs:
    """Decoding runs of one block's lines, each as one slice of its buffer."""

    def __init__(
        self, block: Block, start: int, builder: BatchBuilder, max_line_bytes: int, out: _Decoded
    ) -> None:
        self.block, self.start, self.builder, self.max, self.out = (
            block,
            start,
            builder,
            max_line_bytes,
            out,
        )
        self.starts, self.ends = block.starts.tolist(), block.ends.tolist()
        self.view = memoryview(block.buf)
        self.key_colons = _KeyColons(block.buf)

    def decode(self, lo: int, hi: int) -> None:
        """Lines [lo, hi) (none empty, whitespace-led or over-long), in line order.

        A run that does not decode is narrowed, not given up: when msgspec names the byte it
        stopped at, the runs before and after that byte's line are tried again and only that
        line is decoded alone; otherwise the run is halved, down to 8 lines decoded one by one.
        """
        piece = self.view[self.starts[lo] : self.ends[hi - 1]]
        at = -1
        try:
            got = _DECODER.decode_lines(piece)
        except msgspec.DecodeError as exc:
            found = _AT_BYTE.search(str(exc))
            if found is not None:
                at = bisect.bisect_left(self.ends, self.starts[lo] + int(found.group(1)), lo, hi)
            got = None
        except (UnicodeDecodeError, RecursionError):
            got = None
        if got is not None and len(got) == hi - lo:
            # the top-level keys when every value is an object (the common case), else never equal
            flat = sum(map(len, got)) if set(map(type, got)) == _DICTS else -1
            keys = self.key_colons.bound(self.starts[lo], self.ends[hi - 1])
            if keys is None:
                keys = len(_KEY_COLON.findall(piece))
            if keys == flat or keys == sum(map(_count_keys, got)):
                out = self.out
                out.numbers.extend(range(self.start + lo, self.start + hi))
                out.values.extend(got)
                out.nbytes += self.ends[hi - 1] + 1 - self.starts[lo]
            else:
                self._recheck_keys(lo, got)
        elif lo <= at < hi:
            if lo < at:
                self.decode(lo, at)
            self.one_by_one(at, at + 1)
            if at + 1 < hi:
                self.decode(at + 1, hi)
        elif hi - lo > 8:
            mid = (lo + hi) // 2
            self.decode(lo, mid)
            self.decode(mid, hi)
        else:
            self.one_by_one(lo, hi)

    def one_by_one(self, lo: int, hi: int) -> None:
        lines = self.block.lines(self.max, lo, hi)
        _decode_lines(lines, self.start + lo, self.builder, self.max, self.out)

    def _recheck_keys(self, lo: int, got: list[Any]) -> None:
        """The per-line duplicate-key test on a decoded run the slice test could not clear."""
        buf, out, builder = self.block.buf, self.out, self.builder
        for i, value in enumerate(got, lo):
            line = buf[self.starts[i] : self.ends[i]]
            if type(value) is dict and not _surely_unique_keys(line, value):
                value, reason = _decode_stdlib(line)
                if reason is not None:
                    builder.reject(self.start + i, reason, len(line) + 1)
                    continue
            out.numbers.append(self.start + i)
            out.values.append(value)
            out.nbytes += len(line) + 1


def _decode_lines(
    lines: list[Line], start: int, builder: BatchBuilder, max_line_bytes: int, out: _Decoded
) -> None:
    """The exact per-line path: each line decoded alone, in order (records to `out`, failures
    as rejects, whitespace-only lines counted)."""
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
        else:
            reason = None
            if type(value) is dict and not _surely_unique_keys(line, value):
                value, reason = _decode_stdlib(line)
        if reason is not None:
            builder.reject(start + i, reason, len(line) + 1)
            continue
        out.numbers.append(start + i)
        out.values.append(value)
        out.nbytes += len(line) + 1


def bom_warning(file: str) -> str:
    """The one warning for a leading byte order mark (check and feedback ingest say the same)."""
    return f"{file}: starts with a UTF-8 byte order mark; it was ignored"


def _first_line(line: bytes, builder: BatchBuilder) -> bytes:
    if line.startswith(BOM):
        builder.warn(bom_warning(builder.file))
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
