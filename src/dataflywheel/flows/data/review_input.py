"""Reading a reviews file (CSV with a header, or JSONL): one row per verdict.

Each row names `record_id`, `reviewer` (a person id), `verdict` (`pass` or `fail`), and
optionally `label` (for agreement between reviewers), `note` and `guide_version` (the
annotation-guide version the reviewer followed; default: the batch's); the review sheet's own columns
(`file`, `line`, `stratum`) may stay in it. A row whose verdict is empty is a sheet line not yet
reviewed: it is counted, not taken. A malformed row is rejected with its line and reason; the
rows around it are still read. The flow (`flows/data/reviews.py`) checks what needs the workspace.

A file sent by a known person (`sender`: the team server passes the token's person) holds that
person's verdicts only: an empty reviewer is the sender, a row naming anyone else is rejected by
line — nobody files verdicts in another's name over HTTP.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dataflywheel.errors import BadInput, NotFound

FIELDS = frozenset({"record_id", "reviewer", "verdict", "label", "note", "guide_version", "file",
                    "line", "stratum"})
VERDICTS = ("pass", "fail")


@dataclass(frozen=True)
class ReviewRow:
    line: int
    record_id: str
    reviewer: str
    verdict: str
    label: str | None
    note: str
    guide_version: str | None = None


@dataclass(frozen=True)
class RejectedRow:
    line: int
    reason: str


@dataclass
class ReviewFile:
    rows: list[ReviewRow]
    rejected: list[RejectedRow]
    unreviewed: list[int]


def read_reviews(path: Path, *, sender: str | None = None,
                 who: str = "reviewer") -> ReviewFile:
    """Every row of the file, each either taken, rejected (with its reason) or not yet reviewed.

    `sender`: the one person these verdicts may be from (None: any person the row names);
    `who` names the role in the rejection ("each reviewer sends their own")."""
    raw = reviews_bytes(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput("reviews file is not UTF-8", path=str(path), got=str(exc),
                       kept="nothing was recorded") from None
    rows = _csv_rows(text) if path.suffix.lower() == ".csv" else _jsonl_rows(text)
    out = ReviewFile([], [], [])
    for line, data in rows:
        if isinstance(data, str):
            out.rejected.append(RejectedRow(line, data))
            continue
        if sender is not None and not str(data.get("reviewer") or "").strip():
            data = data | {"reviewer": sender}  # an empty reviewer: the person sending the file
        _classify(line, data, out, refuse=_not_sent_by(sender, who))
    return out


def _not_sent_by(sender: str | None, who: str) -> Callable[[str], str | None]:
    """Why a row naming a reviewer is refused for not being `sender`'s own (None: it is)."""
    def refusal(named: str) -> str | None:
        if sender is None or named == sender:
            return None
        return (f"{named} is not the person sending these verdicts ({sender}): each {who} "
                "sends their own")
    return refusal


def reviews_bytes(path: Path) -> bytes:
    """The reviews file's bytes, or `NotFound` saying how to get a sheet."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise NotFound("reviews file not found", path=str(path), kept="nothing was recorded",
                       hint="flywheel batches review-sheet ID --out SHEET.jsonl") from None


def _jsonl_rows(text: str) -> list[tuple[int, dict[str, Any] | str]]:
    out: list[tuple[int, dict[str, Any] | str]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            out.append((n, f"not valid JSON ({exc.msg})"))
            continue
        out.append((n, data if isinstance(data, dict) else "expected a JSON object"))
    return out


def _csv_rows(text: str) -> list[tuple[int, dict[str, Any] | str]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    out: list[tuple[int, dict[str, Any] | str]] = []
    for row in reader:
        line = reader.line_num
        if None in row:
            out.append((line, "more values than header columns"))
            continue
        out.append((line, {k: v for k, v in row.items() if v not in (None, "")}))
    return out


def _classify(line: int, data: dict[str, Any], out: ReviewFile, *,
              refuse: Callable[[str], str | None]) -> None:
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        out.rejected.append(RejectedRow(line, f"unknown column(s) {', '.join(unknown)}; expected "
                                              "record_id, reviewer, verdict, label, note, guide_version"))
        return
    verdict = data.get("verdict")
    if verdict is None:
        out.unreviewed.append(line)
        return
    for name in ("record_id", "reviewer"):
        if not isinstance(data.get(name), str | int) or not str(data[name]).strip():
            out.rejected.append(RejectedRow(line, f"{name} is missing"))
            return
    if verdict not in VERDICTS:
        out.rejected.append(RejectedRow(line, f"verdict {verdict!r} is not pass or fail"))
        return
    reason = refuse(str(data["reviewer"]).strip())
    if reason is not None:
        out.rejected.append(RejectedRow(line, reason))
        return
    label, guide = data.get("label"), data.get("guide_version")
    out.rows.append(ReviewRow(line=line, record_id=str(data["record_id"]),
                              reviewer=str(data["reviewer"]).strip(), verdict=verdict,
                              label=None if label in (None, "") else str(label),
                              note=str(data.get("note") or ""),
                              guide_version=None if guide in (None, "") else str(guide).strip()))
