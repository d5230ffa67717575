"""Label Studio exports -> label records: every annotation becomes a label or a reasoned skip;
malformed exports are clear errors naming the file, task and field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dataflywheel.errors import BadInput, NotFound
from dataflywheel.integrations.labelstudio import (
    LabelRecord,
    Skipped,
    export_to_records,
    read_export,
    task_labels,
)


def ann(aid: int, who: Any, *results: dict[str, Any], cancelled: bool = False) -> dict[str, Any]:
    return {
        "id": aid,
        "completed_by": who,
        "result": list(results),
        "was_cancelled": cancelled,
        "lead_time": 3.2,
        "created_at": "2026-11-20T10:00:00Z",
    }


def choice(name: str, *labels: str) -> dict[str, Any]:
    return {
        "from_name": name,
        "to_name": "text",
        "type": "choices",
        "value": {"choices": list(labels)},
    }


def rating(name: str, value: Any) -> dict[str, Any]:
    return {"from_name": name, "to_name": "text", "type": "rating", "value": {"rating": value}}


EXPORT = [
    {
        "id": 11,
        "data": {"text": "great"},
        "annotations": [
            ann(1, 7, choice("sentiment", "Positive")),
            ann(2, {"id": 8, "email": "bo@example.org"}, choice("sentiment", "Positive")),
            ann(3, 9, choice("sentiment", "Negative")),
        ],
    },
    {
        "id": 12,
        "data": {"text": "meh"},
        "annotations": [
            ann(4, 7, choice("sentiment", "Neutral", "Negative")),
            ann(5, 9, cancelled=True),
            ann(
                6,
                {"id": 8},
                {"from_name": "comment", "type": "textarea", "value": {"text": ["hm"]}},
            ),
        ],
    },
]


def test_tasks_become_label_records_and_reasoned_skips() -> None:
    labels, skipped = task_labels(EXPORT[0])
    assert labels == [
        LabelRecord("11", "7", "Positive", "1"),
        LabelRecord("11", "bo@example.org", "Positive", "2"),
        LabelRecord("11", "9", "Negative", "3"),
    ]
    assert skipped == []
    labels, skipped = task_labels(EXPORT[1])
    assert labels == [LabelRecord("12", "7", "Negative|Neutral", "4")]
    assert skipped == [
        Skipped("12", "5", "annotation was cancelled"),
        Skipped("12", "6", "no a choices, rating or number result in the annotation"),
    ]


def test_ratings_and_a_chosen_control() -> None:
    task = {"id": "t1", "annotations": [ann(1, 3, choice("topic", "math"), rating("quality", 4))]}
    with pytest.raises(BadInput) as err:
        task_labels(task, where="export.json: task 0")
    assert str(err.value) == (
        "export.json: task 0.annotations[0]: Label Studio annotation has several labelling controls; "
        "field 'result[].from_name'; expected one control, or the agreement plan's label_field "
        "naming one; got 'quality, topic'"
    )
    assert task_labels(task, control="quality")[0] == [LabelRecord("t1", "3", 4, "1")]
    assert task_labels(task, control="topic")[0] == [LabelRecord("t1", "3", "math", "1")]
    assert task_labels(task, control="nope")[1] == [
        Skipped("t1", "1", "no from_name 'nope' in the annotation")
    ]


@pytest.mark.parametrize(
    ("task", "message"),
    [
        ([], "t: Label Studio task is not an object; got 'list'"),
        (
            {"annotations": []},
            "t: Label Studio task has no id; field 'id'; expected an integer or string id",
        ),
        (
            {"id": 1, "annotations": {}},
            "t: Label Studio task annotations are not a list; field 'annotations'; got {}",
        ),
        (
            {"id": 1, "annotations": [ann(1, None, choice("s", "x"))]},
            "t.annotations[0]: Label Studio annotation has no annotator; field 'completed_by'; "
            "expected a user id or a user object with email or id",
        ),
        (
            {"id": 1, "annotations": [ann(1, 2, {"from_name": "s", "value": {"choices": []}})]},
            "t.annotations[0]: Label Studio choices are not a list of strings; field 'value.choices'; got []",
        ),
        (
            {"id": 1, "annotations": [ann(1, 2, rating("q", "five"))]},
            "t.annotations[0]: Label Studio rating is not a number; field 'value.rating'; got 'five'",
        ),
    ],
)
def test_malformed_tasks_are_refused_with_where_and_what(task: Any, message: str) -> None:
    with pytest.raises(BadInput) as err:
        task_labels(task, where="t")
    assert str(err.value) == message


def test_export_to_records_writes_jsonl_atomically(tmp_path: Path) -> None:
    src = tmp_path / "export.json"
    src.write_text(json.dumps(EXPORT), encoding="utf-8")
    out = tmp_path / "labels.jsonl"
    written, skipped = export_to_records(src, out)
    assert written == 4 and len(skipped) == 2
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows[0] == {
        "item_id": "11",
        "annotator_id": "7",
        "label": "Positive",
        "annotation_id": "1",
    }
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".labels")]


def test_a_failed_conversion_leaves_no_file(tmp_path: Path) -> None:
    src = tmp_path / "export.json"
    src.write_text(json.dumps([EXPORT[0], {"annotations": []}]), encoding="utf-8")
    out = tmp_path / "labels.jsonl"
    with pytest.raises(BadInput) as err:
        export_to_records(src, out)
    assert f"{src}: task 1: Label Studio task has no id" in str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.json"]


def test_jsonl_exports_are_read_too(tmp_path: Path) -> None:
    src = tmp_path / "export.jsonl"
    src.write_text("\n".join(json.dumps(t) for t in EXPORT) + "\n", encoding="utf-8")
    assert read_export(src) == EXPORT


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'[{"id": 1,', "Label Studio export is not valid JSON"),
        (b"\xff\xfe[]", "Label Studio export is not UTF-8; expected UTF-8 JSON; got 'byte 0'"),
        (b"", "Label Studio export has no tasks; expected a JSON array of tasks"),
        (b'{"id": 1}\n{oops\n', "Label Studio export line is not valid JSON"),
    ],
)
def test_bad_export_files_are_clear_errors(tmp_path: Path, content: bytes, message: str) -> None:
    src = tmp_path / "bad.json"
    src.write_bytes(content)
    with pytest.raises(BadInput) as err:
        read_export(src)
    assert message in str(err.value) and str(src) in str(err.value)


def test_a_missing_export_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound) as err:
        read_export(tmp_path / "nope.json")
    assert str(err.value) == f"{tmp_path / 'nope.json'}: Label Studio export not found"


def test_an_export_nested_too_deeply_is_a_clear_error(tmp_path: Path) -> None:
    src = tmp_path / "deep.json"
    src.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(BadInput) as err:
        read_export(src)
    assert str(err.value) == (
        f"{src}: Label Studio export is nested too deeply; expected tasks as in a Label Studio export"
    )
