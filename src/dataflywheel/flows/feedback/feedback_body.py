"""Feedback events from one JSON document (the HTTP body): a list of events, or one event.

Guarantees: each element of the list is decoded alone by the decoder `flywheel check` and
`feedback ingest` use for a JSONL line (`flows.feedback.parse_item`), so an element nested
thousands deep, a number of thousands of digits or an object with a duplicate key becomes a
stored rejection with its exact bytes while the good elements are stored — never a 500. A body
that is not JSON at all is a `BadInput` naming where it breaks, and stores nothing.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

import msgspec

from dataflywheel.errors import BadInput
from dataflywheel.flows.feedback.ingest import IngestReport, ingest_items, parse_item
from dataflywheel.flows.workspace import Workspace

_RAW_LIST = msgspec.json.Decoder(list[msgspec.Raw])
_RAW = msgspec.json.Decoder(msgspec.Raw)
# Strings (escapes included) and the bytes that open, close or separate values.
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{},]', re.S)
EXPECTED = "one event object or a JSON list of events"


def ingest_body(ws: Workspace, body: bytes, *, origin: str,
                now: datetime | None = None) -> IngestReport:
    """Ingest every element of `body`; see the module guarantees."""
    items = (parse_item(raw, number) for number, raw in enumerate(split_body(body), start=1))
    return ingest_items(ws, items, origin=origin, now=now)


def split_body(body: bytes) -> list[bytes]:
    """The exact bytes of each element of a JSON list, or the whole body when it is no list."""
    is_list = body.lstrip().startswith(b"[")
    try:
        if is_list:
            return [bytes(raw) for raw in _RAW_LIST.decode(body)]
        _RAW.decode(body)
        return [body]
    except RecursionError:  # valid or not, too deep for a recursive decoder: split by hand
        return _split_deep(body) if is_list else [body]
    except (msgspec.DecodeError, UnicodeDecodeError):
        raise not_json(body) from None


def _split_deep(body: bytes) -> list[bytes]:
    """Split a top-level list without recursion; `BadInput` when its brackets do not close."""
    start = body.index(b"[") + 1
    depth, begin = 0, start
    parts: list[bytes] = []
    for token in _TOKEN.finditer(body, start):
        byte = token.group()
        if byte in (b"[", b"{"):
            depth += 1
        elif byte in (b"]", b"}"):
            if depth == 0:
                tail = body[token.end():].strip()
                if byte != b"]" or tail:
                    break
                last = body[begin:token.start()].strip()
                return [*parts, last] if last or parts else parts
            depth -= 1
        elif byte == b"," and depth == 0:
            parts.append(body[begin:token.start()].strip())
            begin = token.end()
    raise not_json(body)


def not_json(body: bytes) -> BadInput:
    """The 400 for a body that is not JSON, with the line and column where it breaks if known."""
    where = ""
    try:
        json.loads(body)
    except json.JSONDecodeError as exc:
        where = f" at line {exc.lineno} column {exc.colno}"
    except (RecursionError, ValueError):  # too deep, or not UTF-8: no position to give
        pass
    return BadInput(f"request body is not JSON{where}", expected=EXPECTED)
