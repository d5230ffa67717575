"""The agreement check over annotation batches: records or Label Studio tasks, rejects with reasons,
undefined statistics named, per-annotator table, the same report however the batch is sharded."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from checkhelp import check, write_jsonl

from dataflywheel.checks.plan import CheckPlan
from dataflywheel.errors import BadInput

ONLY = {
    "structural": False,
    "exact_duplicates": False,
    "blank": False,
    "charset": False,
    "length": False,
}

# Krippendorff (2011) reliability data (see tests/checks/stats): alpha nominal 0.743, ordinal
# 0.815, interval 0.849, ratio 0.797
K2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def ag_plan(**agreement: Any) -> CheckPlan:
    return CheckPlan.model_validate({"checks": {**ONLY, "agreement": agreement}})


def k2011_records() -> list[dict[str, Any]]:
    return [
        {"item_id": f"unit{u + 1}", "annotator_id": "ABCD"[o], "label": v}
        for o, row in enumerate(K2011)
        for u, v in enumerate(row)
        if v is not None
    ]


def test_published_example_through_the_engine(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "ratings.jsonl", k2011_records())
    nominal = check(path, ag_plan()).checks["agreement"]
    assert round(nominal.metrics["agreement_krippendorff_alpha"], 3) == 0.743
    assert (
        nominal.metrics["agreement_items"] == 12.0
        and nominal.metrics["agreement_annotators"] == 4.0
    )
    assert "agreement_cohen_kappa" not in nominal.metrics  # four annotators
    interval = check(path, ag_plan(level="interval")).checks["agreement"]
    assert round(interval.metrics["agreement_krippendorff_alpha"], 3) == 0.849
    ordinal = check(path, ag_plan(level="ordinal")).checks["agreement"]
    assert round(ordinal.metrics["agreement_krippendorff_alpha"], 3) == 0.815
    ratio = check(path, ag_plan(level="ratio")).checks["agreement"]
    assert round(ratio.metrics["agreement_krippendorff_alpha"], 3) == 0.797
    table = {row["annotator"]: row for row in nominal.sections["annotators"]}
    assert set(table) == {"A", "B", "C", "D"} and table["B"]["ratings"] == 11
    assert (
        table["C"]["krippendorff_alpha_without"] > nominal.metrics["agreement_krippendorff_alpha"]
    )
    ex = nominal.examples["agreement_krippendorff_alpha"][0]
    assert ex.record_id == "2" and ex.detail == "item unit2: A=2, B=2, C=3, D=2"


def test_cohen_kappa_with_exactly_two_annotators(tmp_path: Path) -> None:
    # Wikipedia's Cohen example: yes/yes 20, yes/no 5, no/yes 10, no/no 15 -> kappa 0.4
    pairs = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15
    records = [
        {"item_id": f"p{i}", "annotator_id": who, "label": lab}
        for i, pair in enumerate(pairs)
        for who, lab in zip(("A", "B"), pair, strict=True)
    ]
    result = check(write_jsonl(tmp_path / "r.jsonl", records), ag_plan()).checks["agreement"]
    assert result.metrics["agreement_cohen_kappa"] == pytest.approx(0.4)
    assert result.metrics["agreement_percent"] == pytest.approx(0.7)


def test_bad_rating_records_are_rejected_with_reasons(tmp_path: Path) -> None:
    records: list[Any] = [
        {"item_id": "i1", "annotator_id": "a", "label": 1},
        {"item_id": "i1", "annotator_id": "b", "label": 2},
        {"item_id": "i1", "annotator_id": "a", "label": 3},
        {"item_id": "i2", "label": 1},
        {"item_id": "i2", "annotator_id": "a", "label": None},
        {"item_id": "i2", "annotator_id": "b", "label": "high"},
        {"item_id": "i2", "annotator_id": " ", "label": 2},
        {"item_id": "i2", "annotator_id": "c", "label": [1]},
        {"item_id": "i3", "annotator_id": "a", "label": 2.0},
        {"item_id": "i3", "annotator_id": "b", "label": 2},
    ]
    path = write_jsonl(tmp_path / "r.jsonl", records)
    report = check(path, ag_plan(level="interval"))
    got = [(r.line, r.record_id, r.reason) for r in report.rejects if r.check == "agreement"]
    assert got == [
        (3, "3", f"annotator 'a' already rated item 'i1' at {path}:1"),
        (4, "4", "no annotator_id (a non-empty scalar) for agreement"),
        (5, "5", "no label (a non-empty scalar) for agreement"),
        (6, "6", "label 'high' is not a finite number (agreement level interval)"),
        (7, "7", "no annotator_id (a non-empty scalar) for agreement"),
        (8, "8", "no label (a non-empty scalar) for agreement"),
    ]
    # the kept ratings are i1 (a=1, b=2) and i3 (a=2, b=2)
    assert report.checks["agreement"].sections["ratings"] == 4
    assert report.checks["agreement"].metrics["agreement_percent"] == 0.5


def test_undefined_statistics_are_left_out_and_named(tmp_path: Path) -> None:
    records = [
        {"item_id": "i1", "annotator_id": "a", "label": "x"},
        {"item_id": "i1", "annotator_id": "b", "label": "x"},
    ]
    result = check(write_jsonl(tmp_path / "r.jsonl", records), ag_plan()).checks["agreement"]
    assert result.sections["undefined"] == [
        "agreement_cohen_kappa",
        "agreement_fleiss_kappa",
        "agreement_krippendorff_alpha",
    ]
    assert result.metrics == {
        "agreement_percent": 1.0,
        "agreement_items": 1.0,
        "agreement_annotators": 2.0,
    }


def test_custom_field_paths(tmp_path: Path) -> None:
    records = [
        {"task": {"id": i}, "who": w, "answer": {"value": lab}}
        for i, (w, lab) in enumerate([("a", "x"), ("b", "x"), ("a", "y"), ("b", "x")])
    ]
    for r in records:
        r["task"]["id"] //= 2
    p = ag_plan(item_field="task.id", annotator_field="who", label_field="answer.value")
    result = check(write_jsonl(tmp_path / "r.jsonl", records), p).checks["agreement"]
    assert result.metrics["agreement_items"] == 2.0 and result.metrics["agreement_percent"] == 0.5


def test_sharding_does_not_change_the_result(tmp_path: Path) -> None:
    rng = random.Random(2)
    records = []
    for item in range(800):
        truth = rng.randrange(4)
        for who in rng.sample("abcdef", rng.randint(2, 5)):
            records.append(
                {
                    "item_id": f"i{item}",
                    "annotator_id": who,
                    "label": truth if rng.random() < 0.8 else rng.randrange(4),
                }
            )
    path = write_jsonl(tmp_path / "r.jsonl", records)
    p = ag_plan(level="ordinal")
    single = check(path, p, engine="single")
    local = check(path, p, engine="local", workers=2, shard_bytes=10_000)
    assert local.to_json() == single.to_json()
    assert 0.6 < single.checks["agreement"].metrics["agreement_krippendorff_alpha"] < 0.9


@pytest.fixture
def labelstudio_registered() -> Iterator[None]:
    """Make sure the Label Studio integration is registered (it is a built-in plugin)."""
    import dataflywheel.integrations.labelstudio as module
    from dataflywheel.plugins import get_plugin_manager

    pm = get_plugin_manager()
    added = not pm.is_registered(module)
    if added:
        pm.register(module, name=module.__name__)
    yield
    if added:
        pm.unregister(module)


def test_label_studio_tasks_as_input(tmp_path: Path, labelstudio_registered: None) -> None:
    def ann(aid: int, who: int, label: str | None, cancelled: bool = False) -> dict[str, Any]:
        result = [] if label is None else [{"from_name": "s", "value": {"choices": [label]}}]
        return {"id": aid, "completed_by": who, "result": result, "was_cancelled": cancelled}

    tasks = [
        {"id": 1, "annotations": [ann(1, 10, "pos"), ann(2, 11, "pos")]},
        {
            "id": 2,
            "annotations": [ann(3, 10, "neg"), ann(4, 11, "pos"), ann(5, 12, None, cancelled=True)],
        },
        {"id": 3, "annotations": [ann(6, 10, "neg"), ann(7, 11, "neg")]},
        {"annotations": []},
    ]
    path = write_jsonl(tmp_path / "tasks.jsonl", tasks)
    report = check(path, ag_plan(source_format="labelstudio"))
    result = report.checks["agreement"]
    assert (
        result.metrics["agreement_annotators"] == 2.0 and result.metrics["agreement_items"] == 3.0
    )
    assert result.metrics["agreement_percent"] == pytest.approx(2 / 3)
    assert "agreement_cohen_kappa" in result.metrics
    assert result.sections["skipped_annotations"] == [
        {"file": str(path), "line": 2, "reason": "annotation 5: annotation was cancelled"}
    ]
    assert [(r.line, r.reason) for r in report.rejects if r.check == "agreement"] == [
        (4, f"{path}:4: Label Studio task has no id; field 'id'; expected an integer or string id")
    ]


def test_label_studio_without_the_integration_is_a_clear_error(tmp_path: Path) -> None:
    import dataflywheel.integrations.labelstudio as module
    from dataflywheel.plugins import get_plugin_manager

    pm = get_plugin_manager()
    was = pm.is_registered(module)
    if was:
        pm.unregister(module)
    try:
        path = write_jsonl(tmp_path / "tasks.jsonl", [{"id": 1, "annotations": []}])
        with pytest.raises(BadInput) as err:
            p = ag_plan(source_format="labelstudio").model_copy(update={"name": "no-integration"})
            check(path, p)  # a plan no earlier test ran: the engine builds its checks anew
    finally:
        if was:
            pm.register(module, name=module.__name__)
    assert str(err.value) == (
        "the plan reads Label Studio tasks but the Label Studio integration is not installed; "
        "field 'checks.agreement.source_format'; expected an installed integration named 'labelstudio'. "
        "Next: use source_format: records, or install dataflywheel with its integrations"
    )


def test_label_studio_rating_control_chosen_by_label_field(
    tmp_path: Path, labelstudio_registered: None
) -> None:
    def ann(aid: int, who: str, stars: int) -> dict[str, Any]:
        return {
            "id": aid,
            "completed_by": {"email": who},
            "result": [
                {"from_name": "quality", "type": "rating", "value": {"rating": stars}},
                {"from_name": "topic", "type": "choices", "value": {"choices": ["math"]}},
            ],
        }

    tasks = [
        {"id": i, "annotations": [ann(2 * i, "a@x", s), ann(2 * i + 1, "b@x", t)]}
        for i, (s, t) in enumerate([(5, 5), (4, 3), (1, 1), (2, 2), (3, 4)])
    ]
    path = write_jsonl(tmp_path / "tasks.jsonl", tasks)
    p = ag_plan(source_format="labelstudio", label_field="quality", level="interval")
    result = check(path, p).checks["agreement"]
    assert result.metrics["agreement_krippendorff_alpha"] > 0.8
    assert [r["annotator"] for r in result.sections["annotators"]] == ["a@x", "b@x"]
    assert json.dumps(result.sections)  # plain JSON


def test_labels_that_are_not_usable_numbers_or_keys_are_rejected() -> None:
    from dataflywheel.checks.base import RecordBatch
    from dataflywheel.checks.builtin.agreement import AgreementCheck

    values: list[Any] = [
        {"item_id": "i1", "annotator_id": "a", "label": float("nan")},
        {"item_id": "i1", "annotator_id": "b", "label": 10**40},
        {"item_id": 10**30, "annotator_id": "c", "label": 1},
        {"item_id": "i1", "annotator_id": "d", "label": True},
        {"item_id": "i1", "annotator_id": "e", "label": "true"},
    ]
    batch = RecordBatch(
        file="f.jsonl",
        ids=[str(n) for n in range(1, 6)],
        lines=list(range(1, 6)),
        values=values,
        texts=[""] * 5,
        groups=[None] * 5,
    )
    check_ = AgreementCheck(ag_plan())
    result = check_.finish(check_.partial(batch))
    assert [(r.line, r.reason) for r in result.rejects] == [
        (1, "label nan is not a finite number"),
        (2, "label is an integer beyond 2**53 (agreement level nominal)"),
        (3, "item_id is an integer too large to be a key (more than 18 digits)"),
    ]
    # a boolean label is the category "true" at the nominal level: d and e agree
    assert result.metrics["agreement_percent"] == 1.0
    interval = AgreementCheck(ag_plan(level="interval"))
    reasons = [r.reason for r in interval.finish(interval.partial(batch)).rejects]
    assert "label True is not a finite number (agreement level interval)" in reasons
    assert "label 'true' is not a finite number (agreement level interval)" in reasons


def test_the_check_reads_tasks_with_the_reader_it_is_given() -> None:
    """No annotation tool is built in: a task reader passed in (as the registered one is) turns
    each record into ratings, skips and rejects, and the statistics follow."""
    from dataclasses import dataclass

    from dataflywheel.checks.base import RecordBatch
    from dataflywheel.checks.builtin.agreement import AgreementCheck

    @dataclass
    class Vote:
        item_id: str
        annotator_id: str
        label: str
        annotation_id: str | None = None
        reason: str = "abstained"

    seen: list[tuple[str | None, str]] = []

    def votes(task: Any, *, control: str | None, where: str) -> tuple[list[Vote], list[Vote]]:
        seen.append((control, where))
        if "votes" not in task:
            raise BadInput("no votes", path=where)
        cast = [Vote(task["q"], who, v) for who, v in task["votes"].items() if v]
        return cast, [Vote(task["q"], who, "", who) for who, v in task["votes"].items() if not v]

    values: list[Any] = [
        {"q": "q1", "votes": {"ann": "yes", "bob": "yes"}},
        {"q": "q2", "votes": {"ann": "no", "bob": "yes", "cy": ""}},
        {"q": "q3"},
    ]
    batch = RecordBatch(file="votes.jsonl", ids=["1", "2", "3"], lines=[1, 2, 3], values=values,
                        texts=[""] * 3, groups=[None] * 3)
    check_ = AgreementCheck(ag_plan(label_field="vote"), read_task=votes)
    result = check_.finish(check_.partial(batch))
    assert seen == [("vote", "votes.jsonl:1"), ("vote", "votes.jsonl:2"), ("vote", "votes.jsonl:3")]
    assert result.metrics["agreement_percent"] == 0.5
    assert result.metrics["agreement_items"] == 2.0
    assert result.sections["skipped_annotations"] == [
        {"file": "votes.jsonl", "line": 2, "reason": "annotation cy: abstained"}]
    assert [(r.line, r.reason) for r in result.rejects] == [(3, "votes.jsonl:3: no votes")]


def test_a_plugin_supplies_a_task_reader_through_the_hook(labelstudio_registered: None) -> None:
    from dataflywheel.checks.builtin.agreement import task_reader
    from dataflywheel.hookspecs import hookimpl
    from dataflywheel.integrations.labelstudio import task_labels
    from dataflywheel.plugins import get_plugin_manager

    def theirs(task: Any, *, control: str | None, where: str) -> tuple[list[Any], list[Any]]:
        return [], []

    class Plugin:
        @hookimpl
        def register_annotation_formats(self) -> dict[str, Any]:
            return {"labelstudio": theirs}

    assert task_reader("labelstudio") is task_labels
    pm, plugin = get_plugin_manager(), Plugin()
    pm.register(plugin, name="their-labelstudio")
    try:
        assert task_reader("labelstudio") is theirs  # the plugin registered last is asked first
    finally:
        pm.unregister(plugin)
    assert task_reader("labelstudio") is task_labels


def test_a_negative_label_is_refused_at_the_ratio_level_and_kept_out(tmp_path: Path) -> None:
    records = [*k2011_records(), {"item_id": "unit13", "annotator_id": "A", "label": -2}]
    path = write_jsonl(tmp_path / "ratings.jsonl", records)
    ratio = check(path, ag_plan(level="ratio"))
    assert [(r.line, r.reason) for r in ratio.rejects] == [
        (len(records), "label -2 is negative: a ratio scale starts at zero")]
    alpha = ratio.checks["agreement"].metrics["agreement_krippendorff_alpha"]
    assert round(alpha, 3) == 0.797  # the other ratings as before
    assert check(path, ag_plan(level="interval")).rejects == []  # no zero on an interval scale
