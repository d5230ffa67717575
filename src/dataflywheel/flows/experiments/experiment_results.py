"""Per-item evaluation results (JSONL) → accuracy metrics and error samples by question type.

The shape is GSM8K's example model solutions: one JSON object per line with the `question`, the
`ground_truth` and, per model, `{"is_correct": bool, "solution": str}` under the model's key.

Guarantees:
- every line is counted: a line that is not a JSON object, lacks the model key, or whose
  `is_correct` is not a boolean is refused with the file, the line and the field — nothing is
  skipped silently;
- the record id is the line's `id_field` value when given (it must then be present and unique),
  else `line-N` (1-based line number in the file);
- the category is the line's `category_field` value when given, else the question type derived
  from the text (`question_type`);
- metrics: `accuracy` over all lines and `accuracy.<category>` per category.

The question types, step counts and accuracy maths are pure and live in
`domain/policies/item_accuracy.py`; this module reads, validates and tallies.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dataflywheel.domain.policies.item_accuracy import (
    accuracy_metrics,
    question_type,
    reasoning_steps,
)
from dataflywheel.errors import BadInput, NotFound
from dataflywheel.flows.experiments.runs import ErrorSampleCreate


@dataclass
class ItemResults:
    """One model's results over one file: totals, per-category totals, and the wrong items."""

    model_key: str
    total: int = 0
    correct: int = 0
    totals: dict[str, int] = field(default_factory=dict)
    right: dict[str, int] = field(default_factory=dict)
    errors: list[ErrorSampleCreate] = field(default_factory=list)

    def metrics(self) -> dict[str, float]:
        """`accuracy` and `accuracy.<category>`, rounded to 6 places."""
        return accuracy_metrics(self.correct, self.total, self.right, self.totals)

    def add(self, record_id: str, category: str, correct: bool, detail: dict[str, Any]) -> None:
        self.total += 1
        self.totals[category] = self.totals.get(category, 0) + 1
        if correct:
            self.correct += 1
            self.right[category] = self.right.get(category, 0) + 1
        else:
            self.errors.append(ErrorSampleCreate(record_id=record_id, category=category,
                                             detail=detail))


def read_item_results(path: Path, *, model_key: str, id_field: str | None = None,
                      category_field: str | None = None) -> ItemResults:
    """Read a per-item results file for `model_key` (see the module guarantees)."""
    try:
        handle = path.open(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound("results file not found", path=str(path)) from None
    with handle:
        rows = ((n, _row(path, n, line)) for n, line in enumerate(handle, start=1)
                if line.strip())
        return collect_item_results(rows, source=path, model_key=model_key, id_field=id_field,
                                    category_field=category_field)


def collect_item_results(rows: Iterable[tuple[int, dict[str, Any]]], *, source: Path,
                         model_key: str, id_field: str | None = None,
                         category_field: str | None = None) -> ItemResults:
    """Results from (line number, row) pairs already read; `source` names them in errors."""
    results = ItemResults(model_key)
    seen: set[str] = set()
    for number, row in rows:
        record_id = _record_id(source, number, row, id_field, seen)
        category = _category(source, number, row, category_field)
        correct = _is_correct(source, number, row, model_key)
        detail = {"line": number, "steps": reasoning_steps(str(row.get("ground_truth", "")))}
        results.add(record_id, category, correct, detail)
    if results.total == 0:
        raise BadInput("results file has no items", path=str(source),
                       expected="one JSON object per line")
    return results


def _row(path: Path, number: int, line: str) -> dict[str, Any]:
    try:
        row = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(f"not JSON ({exc.msg if hasattr(exc, 'msg') else exc})", path=str(path),
                       line=number, expected="one JSON object per line") from None
    if not isinstance(row, dict):
        raise BadInput("not a JSON object", path=str(path), line=number,
                       expected="one JSON object per line", got=type(row).__name__)
    return row


def _record_id(path: Path, number: int, row: dict[str, Any], id_field: str | None,
               seen: set[str]) -> str:
    if id_field is None:
        return f"line-{number}"
    value = row.get(id_field)
    if value is None or not str(value).strip():
        raise BadInput("item has no id", path=str(path), line=number, field=id_field)
    record_id = str(value)
    if record_id in seen:
        raise BadInput(f"item id {record_id!r} appears twice", path=str(path), line=number,
                       field=id_field, expected="unique ids")
    seen.add(record_id)
    return record_id


def _category(path: Path, number: int, row: dict[str, Any], category_field: str | None) -> str:
    if category_field is not None:
        value = row.get(category_field)
        if value is None or not str(value).strip():
            raise BadInput("item has no category", path=str(path), line=number,
                           field=category_field)
        return str(value)
    question = row.get("question")
    if not isinstance(question, str):
        raise BadInput("item has no question text to derive its type from", path=str(path),
                       line=number, field="question", expected="a string (or --category-field)")
    return question_type(question)


def _is_correct(path: Path, number: int, row: dict[str, Any], model_key: str) -> bool:
    entry = row.get(model_key)
    if not isinstance(entry, dict):
        models = sorted(k for k, v in row.items() if isinstance(v, dict) and "is_correct" in v)
        raise BadInput(f"item has no results for model {model_key!r}", path=str(path),
                       line=number, field=model_key,
                       expected="one of " + (", ".join(models) or "(no model keys on this line)"))
    correct = entry.get("is_correct")
    if not isinstance(correct, bool):
        raise BadInput("is_correct is not a boolean", path=str(path), line=number,
                       field=f"{model_key}.is_correct", expected="true or false", got=correct)
    return correct


def read_error_samples(path: Path) -> list[ErrorSampleCreate]:
    """A JSONL file of error samples (`record_id`, `category`, optional `version_id`, `detail`);
    a bad line is refused with its number and field."""
    from pydantic import ValidationError

    from dataflywheel.errors import from_validation

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound("error samples file not found", path=str(path)) from None
    except UnicodeDecodeError:
        raise BadInput("error samples file is not UTF-8", path=str(path)) from None
    samples = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        row = _row(path, number, line)
        try:
            samples.append(ErrorSampleCreate.model_validate(row))
        except ValidationError as exc:
            bad = from_validation(exc, source=str(path), what="invalid error sample")
            raise BadInput(bad.what, path=str(path), line=number, field=bad.field,
                           expected=bad.expected, got=bad.got) from None
    return samples
