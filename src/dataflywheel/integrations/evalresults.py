"""Feedback events from two real result shapes: per-item correct/incorrect evaluation results
(the GSM8K model-solutions file) and model predictions with (or without) ratings (self-instruct).

Both readers stream the file line by line and yield one `Converted` per line: the event dicts the
line produced, or the reason it could not be read (the caller keeps it as a rejection). Nothing
here touches the store. Dict-as-string fields are parsed with `ast.literal_eval` (never `eval`).

GSM8K (`question`, `ground_truth`, and per model a dict or dict-as-string `{is_correct, solution}`):
one `model_gap` event per model that answered wrongly; `question_type` is a keyword heuristic
(percentage, fraction, rate, money, arithmetic) so themes can group by it. Fields that are neither
a dict nor a dict-as-string (an item id) are kept in every event's attributes.

Self-instruct predictions (`instruction`, `input`, `response`, `target`, optional `rating` A–D or
1–4): a given rating is kept as a human review; without one a rating is *derived* from the token F1
of `response` against `target` (≥0.5 A, ≥0.3 B, ≥0.1 C, else D; an empty response is D) and marked
`rating_source: derived:token-f1`. Ratings worse than `flag_below` (default B) become events.
"""

from __future__ import annotations

import ast
import hashlib
import re
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from dataflywheel.checks.readers.jsonl import decode_line
from dataflywheel.domain.records.feedback import MAX_PAYLOAD_BYTES

MAX_LINE = MAX_PAYLOAD_BYTES + 65_536
RATINGS = ("A", "B", "C", "D")
_NUMERIC_RATING = {"1": "D", "2": "C", "3": "B", "4": "A"}
_TOKEN = re.compile(r"\w+")


@dataclass
class Converted:
    """One input line: the events it produced, or why it could not be read (with its bytes)."""

    line: int
    raw: bytes
    events: list[dict[str, Any]] = field(default_factory=list)
    problem: str | None = None
    field: str | None = None
    spooled: IO[bytes] | None = None


@dataclass
class ImportStats:
    lines: int = 0
    items_checked: int = 0
    flagged: int = 0
    by_label: Counter[str] = field(default_factory=Counter)


def file_time(path: Path) -> datetime:
    """The file's modification time: the default event time, stable across re-imports."""
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def _lines(fileobj: IO[bytes]) -> Iterator[tuple[int, bytes, Any, str | None, IO[bytes] | None]]:
    """(line number, bytes, parsed object, problem, spooled bytes of an over-long line)."""
    number = 0
    while chunk := fileobj.readline(MAX_LINE + 1):
        number += 1
        if len(chunk) > MAX_LINE and not chunk.endswith(b"\n"):
            spool = tempfile.SpooledTemporaryFile(max_size=MAX_LINE)  # noqa: SIM115 - caller closes
            spool.write(chunk)
            size = len(chunk)
            while not chunk.endswith(b"\n") and (chunk := fileobj.readline(1 << 20)):
                spool.write(chunk)
                size += len(chunk)
            spool.seek(0)
            yield number, b"", None, f"line is {size} bytes; the limit is {MAX_LINE}", spool
            continue
        if not chunk.strip():
            continue
        value, problem = decode_line(chunk)  # check's decoder: deep, huge, duplicate keys → reject
        yield number, chunk, value, problem, None


def _event_id(stem: str, *parts: object) -> str:
    digest = hashlib.sha256(stem.encode()).hexdigest()[:8]
    tail = "-".join(re.sub(r"[^A-Za-z0-9_.]", "_", str(p)) for p in parts)
    return f"FB-{digest}-{tail}"[:64]


def question_type(question: str) -> str:
    """A keyword heuristic for math word problems (documented in docs/feedback.md)."""
    text = question.lower()
    if "%" in text or "percent" in text:
        return "percentage"
    if re.search(r"\b(half|third|quarter|fifth|fraction)\b|\d+/\d+", text):
        return "fraction"
    if re.search(r"\bper (hour|minute|day|week|mile)|\bmph\b|\bspeed\b|\bkm/h\b", text):
        return "rate"
    if "$" in text or "dollar" in text or "cents" in text:
        return "money"
    return "arithmetic"


def _looks_like_result(value: Any) -> bool:
    """A model's result is a dict or a dict-as-string; other fields (ids, metadata) are not."""
    return isinstance(value, dict) or (isinstance(value, str) and value.lstrip().startswith("{"))


def _model_result(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        value = ast.literal_eval(value)  # a literal only: never eval
    if not isinstance(value, dict):
        raise TypeError(f"expected a dict with is_correct and solution, got {type(value).__name__}")
    if "is_correct" not in value:
        raise ValueError("expected a dict with is_correct and solution")
    if not isinstance(value["is_correct"], bool):
        raise TypeError(f"is_correct is {value['is_correct']!r}, expected true or false")
    return value


def read_gsm8k(fileobj: IO[bytes], *, stem: str, project_id: str | None, occurred_at: datetime,
               experiment_id: str | None = None, stats: ImportStats | None = None
               ) -> Iterator[Converted]:
    """One `Converted` per line; an event for each model whose answer `is_correct` is false."""
    stats = stats if stats is not None else ImportStats()
    for number, raw, obj, problem, spooled in _lines(fileobj):
        stats.lines += 1
        if problem is not None:
            yield Converted(number, raw, problem=problem, spooled=spooled)
            continue
        missing = [k for k in ("question", "ground_truth") if not isinstance(obj, dict)
                   or not isinstance(obj.get(k), str) or not obj.get(k)]
        if missing:
            yield Converted(number, raw, problem="missing required field(s): " + ", ".join(missing),
                            field=missing[0])
            continue
        yield _gsm8k_line(obj, number, raw, stem=stem, project_id=project_id,
                          occurred_at=occurred_at, experiment_id=experiment_id, stats=stats)


def _gsm8k_line(obj: dict[str, Any], number: int, raw: bytes, *, stem: str,
                project_id: str | None, occurred_at: datetime, experiment_id: str | None,
                stats: ImportStats) -> Converted:
    results: dict[str, dict[str, Any]] = {}
    extra: dict[str, Any] = {}
    for key, value in obj.items():
        if key in ("question", "ground_truth"):
            continue
        if not _looks_like_result(value):
            extra[key] = value  # e.g. an item id: kept on every event of the line
            continue
        try:
            results[key] = _model_result(value)
        except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError) as exc:
            return Converted(number, raw, problem=f"model result {key!r} is not readable: {exc}",
                             field=key)
    if not results:
        return Converted(number, raw, problem="no model results (fields with is_correct)")
    out = Converted(number, raw)
    kind = question_type(obj["question"])
    for model, result in sorted(results.items()):
        stats.items_checked += 1
        stats.by_label["correct" if result["is_correct"] else "incorrect"] += 1
        if result["is_correct"]:
            continue
        stats.flagged += 1
        out.events.append({
            "id": _event_id(stem, number, model), "occurred_at": occurred_at.isoformat(),
            "source": "evaluation", "failure_type": "model_gap", "impact_scope": "sample",
            "project_id": project_id, "model_version": model, "experiment_id": experiment_id,
            "payload": {"sample": obj["question"], "model_output": str(result.get("solution", "")),
                        "expected_behaviour": obj["ground_truth"],
                        "attributes": {**extra, "model": model, "is_correct": False,
                                       "question_type": kind, "item": number}},
            "recommended_action": f"add {kind} word problems with worked solutions to the SFT data",
        })
    return out


def token_f1(response: str, target: str) -> float:
    """Bag-of-tokens F1 of `response` against `target` (lower-cased word tokens)."""
    got = Counter(_TOKEN.findall(response.lower()))
    want = Counter(_TOKEN.findall(target.lower()))
    common = sum((got & want).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def rating_of(obj: dict[str, Any]) -> tuple[str, str, float | None]:
    """(rating A–D, where it came from, derived score or None)."""
    given = obj.get("rating")
    if given not in (None, ""):
        text = str(given).strip().upper()
        text = _NUMERIC_RATING.get(text, text)
        if text not in RATINGS:
            raise ValueError(f"rating {given!r} is not one of A, B, C, D or 1–4")
        return text, "given", None
    response = str(obj.get("response") or "").strip()
    if not response:
        return "D", "derived:empty-response", 0.0
    f1 = round(token_f1(response, str(obj.get("target") or "")), 4)
    rating = "A" if f1 >= 0.5 else "B" if f1 >= 0.3 else "C" if f1 >= 0.1 else "D"
    return rating, "derived:token-f1", f1


def read_predictions(fileobj: IO[bytes], *, stem: str, model: str, project_id: str | None,
                     occurred_at: datetime, flag_below: str = "B",
                     stats: ImportStats | None = None) -> Iterator[Converted]:
    """One `Converted` per line; an event for each prediction rated worse than `flag_below`."""
    if flag_below not in RATINGS:
        raise ValueError(f"flag_below must be one of {', '.join(RATINGS)}")
    stats = stats if stats is not None else ImportStats()
    for number, raw, obj, problem, spooled in _lines(fileobj):
        stats.lines += 1
        if problem is None and (not isinstance(obj, dict) or not obj.get("instruction")):
            problem = "missing required field(s): instruction"
        if problem is not None:
            yield Converted(number, raw, problem=problem, spooled=spooled,
                            field="instruction" if problem.startswith("missing") else None)
            continue
        try:
            rating, origin, derived = rating_of(obj)
        except ValueError as exc:
            yield Converted(number, raw, problem=str(exc), field="rating")
            continue
        stats.items_checked += 1
        stats.by_label[rating] += 1
        out = Converted(number, raw)
        if RATINGS.index(rating) > RATINGS.index(flag_below):
            stats.flagged += 1
            out.events.append(_prediction_event(obj, number, stem, model, project_id, occurred_at,
                                                rating, origin, derived))
        yield out


def _prediction_event(obj: dict[str, Any], number: int, stem: str, model: str,
                      project_id: str | None, occurred_at: datetime, rating: str, origin: str,
                      derived: float | None) -> dict[str, Any]:
    attributes: dict[str, Any] = {"model": model, "rating": rating, "rating_source": origin,
                                  "item": number}
    if derived is not None:
        attributes["derived_score"] = derived
    if obj.get("motivation_app"):
        attributes["category"] = obj["motivation_app"]
    return {
        "id": _event_id(stem, number), "occurred_at": occurred_at.isoformat(),
        "source": "human_review" if origin == "given" else "evaluation",
        "failure_type": "model_gap", "impact_scope": "sample", "project_id": project_id,
        "model_version": model,
        "payload": {"sample": {"instruction": obj.get("instruction"), "input": obj.get("input")},
                    "model_output": obj.get("response"), "expected_behaviour": obj.get("target"),
                    "attributes": attributes},
    }


def model_of_predictions(path: Path) -> str:
    """`self_instruct_predictions_davinci.jsonl` → `davinci` (else the file stem)."""
    stem = path.stem
    return stem.split("predictions_", 1)[1] if "predictions_" in stem else stem
