"""Label Studio JSON exports -> per-annotator label records for the agreement check.

A Label Studio export is a JSON array of tasks; each task has `annotations`, each annotation a
`completed_by` (a user id, or a user object with `email`/`id`) and a `result` list whose entries
carry the label in `value.choices` (classification), `value.rating` or `value.number`.

Guarantees:
- every annotation becomes exactly one `LabelRecord` or one `Skipped` entry with its reason
  (cancelled, no classification result, several controls and none chosen): nothing is dropped
  silently;
- several choices in one answer become one label, the choices sorted and joined by "|";
- a malformed export raises `BadInput` naming the file, the task (by position and id) and the
  field that is wrong.

`task_labels` is registered as the `labelstudio` annotation format (`register_annotation_formats`):
the agreement check, given `source_format: labelstudio`, is handed it through that hook and
never imports this module (the checks layer sits below integrations).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from dataflywheel.atomicfile import atomic_text
from dataflywheel.errors import BadInput, NotFound
from dataflywheel.hookspecs import hookimpl

LABEL_KEYS = ("choices", "rating", "number")
Label = str | int | float


@dataclass(frozen=True, slots=True)
class LabelRecord:
    """One annotator's label for one task."""

    item_id: str
    annotator_id: str
    label: Label
    annotation_id: str | None = None


@dataclass(frozen=True, slots=True)
class Skipped:
    """An annotation that gave no label, and why."""

    item_id: str
    annotation_id: str | None
    reason: str


def task_labels(
    task: Any, *, control: str | None = None, where: str = "task"
) -> tuple[list[LabelRecord], list[Skipped]]:
    """The labels of one task. `control` picks the `from_name` to read when a task has several."""
    if type(task) is not dict:
        raise BadInput("Label Studio task is not an object", path=where, got=type(task).__name__)
    if "id" not in task or type(task["id"]) not in (int, str):
        raise BadInput(
            "Label Studio task has no id",
            path=where,
            field="id",
            expected="an integer or string id",
        )
    item = str(task["id"])
    annotations = task.get("annotations", [])
    if type(annotations) is not list:
        raise BadInput(
            "Label Studio task annotations are not a list",
            path=where,
            field="annotations",
            got=annotations,
        )
    labels: list[LabelRecord] = []
    skipped: list[Skipped] = []
    for n, ann in enumerate(annotations):
        got = _annotation(ann, item, control=control, where=f"{where}.annotations[{n}]")
        (labels if isinstance(got, LabelRecord) else skipped).append(got)  # type: ignore[arg-type]
    return labels, skipped


def _annotation(ann: Any, item: str, *, control: str | None, where: str) -> LabelRecord | Skipped:
    if type(ann) is not dict:
        raise BadInput(
            "Label Studio annotation is not an object", path=where, got=type(ann).__name__
        )
    ann_id = None if ann.get("id") is None else str(ann["id"])
    if ann.get("was_cancelled") is True:
        return Skipped(item, ann_id, "annotation was cancelled")
    annotator = _annotator(ann.get("completed_by"), where)
    results = ann.get("result", [])
    if type(results) is not list:
        raise BadInput(
            "Label Studio annotation result is not a list", path=where, field="result", got=results
        )
    found: dict[str, dict[str, Any]] = {}
    for r in results:
        value = r.get("value") if type(r) is dict else None
        if type(value) is dict and any(k in value for k in LABEL_KEYS):
            found.setdefault(str(r.get("from_name", "")), value)
    if control is not None:
        found = {k: v for k, v in found.items() if k == control}
    if not found:
        wanted = f"from_name {control!r}" if control else "a choices, rating or number result"
        return Skipped(item, ann_id, f"no {wanted} in the annotation")
    if len(found) > 1:
        raise BadInput(
            "Label Studio annotation has several labelling controls",
            path=where,
            field="result[].from_name",
            expected="one control, or the agreement plan's label_field naming one",
            got=", ".join(sorted(found)),
        )
    return LabelRecord(item, annotator, _label(next(iter(found.values())), where), ann_id)


def _annotator(who: Any, where: str) -> str:
    if type(who) is dict:
        who = who.get("email") or who.get("id")
    if type(who) in (int, str) and str(who):
        return str(who)
    raise BadInput(
        "Label Studio annotation has no annotator",
        path=where,
        field="completed_by",
        expected="a user id or a user object with email or id",
        got=who,
    )


def _label(value: dict[str, Any], where: str) -> Label:
    if "choices" in value:
        choices = value["choices"]
        if type(choices) is not list or not choices or not all(type(c) is str for c in choices):
            raise BadInput(
                "Label Studio choices are not a list of strings",
                path=where,
                field="value.choices",
                got=choices,
            )
        return "|".join(sorted(choices))
    key = "rating" if "rating" in value else "number"
    got = value[key]
    if type(got) not in (int, float):
        raise BadInput(
            f"Label Studio {key} is not a number", path=where, field=f"value.{key}", got=got
        )
    return got  # type: ignore[no-any-return]


def read_export(path: str | Path) -> list[Any]:
    """The tasks of an export file: a JSON array (Label Studio's JSON export) or JSONL (one task a line)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise NotFound("Label Studio export not found", path=str(path)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(
            "Label Studio export is not UTF-8",
            path=str(path),
            expected="UTF-8 JSON",
            got=f"byte {exc.start}",
        ) from None
    tasks = (
        _json_array(text, str(path))
        if text.lstrip().startswith("[")
        else _json_lines(text, str(path))
    )
    if not tasks:
        raise BadInput(
            "Label Studio export has no tasks", path=str(path), expected="a JSON array of tasks"
        )
    return tasks


def _json_array(text: str, where: str) -> list[Any]:
    try:
        return list(json.loads(text))
    except json.JSONDecodeError as exc:
        raise BadInput(
            "Label Studio export is not valid JSON", path=where, line=exc.lineno, got=exc.msg
        ) from None
    except RecursionError:
        raise BadInput(
            "Label Studio export is nested too deeply",
            path=where,
            expected="tasks as in a Label Studio export",
        ) from None


def _json_lines(text: str, where: str) -> list[Any]:
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise BadInput(
                    "Label Studio export line is not valid JSON", path=where, line=n, got=exc.msg
                ) from None
            except RecursionError:
                raise BadInput(
                    "Label Studio export line is nested too deeply", path=where, line=n
                ) from None
    return out


def export_to_records(
    source: str | Path, target: str | Path, *, control: str | None = None
) -> tuple[int, list[Skipped]]:
    """Write one JSONL label record per annotation (`item_id`, `annotator_id`, `label`,
    `annotation_id`) atomically to `target`; returns how many were written and what was skipped."""
    tasks = read_export(source)
    records: list[LabelRecord] = []
    skipped: list[Skipped] = []
    for n, task in enumerate(tasks):
        got, skip = task_labels(task, control=control, where=f"{source}: task {n}")
        records.extend(got)
        skipped.extend(skip)
    with atomic_text(target) as out:
        for rec in records:
            out.write(json.dumps(asdict(rec), ensure_ascii=False) + "\n")
    return len(records), skipped


@hookimpl
def register_annotation_formats() -> dict[str, Any]:
    return {"labelstudio": task_labels}
