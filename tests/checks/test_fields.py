from __future__ import annotations

from typing import Any

import pytest

from dataflywheel.checks.fields import TextExtractor, compile_path, extract, get_scalar
from dataflywheel.errors import BadInput


def test_paths_compile_to_steps() -> None:
    assert compile_path("a") == ("a",)
    assert compile_path("a.b") == ("a", "b")
    assert compile_path("messages[].content") == ("messages", None, "content")


@pytest.mark.parametrize("bad", ["", "a..b", "a[", "[]", "a.[]"])
def test_bad_paths_are_refused_with_the_expected_form(bad: str) -> None:
    with pytest.raises(BadInput) as err:
        compile_path(bad)
    assert str(err.value) == (
        f"invalid field path; field {bad!r}; expected names joined by '.', each optionally followed "
        "by '[]', e.g. messages[].content"
    )


def test_extract_walks_lists_and_skips_non_strings() -> None:
    record = {
        "messages": [{"content": "hi"}, {"content": 3}, {"role": "x"}, {"content": "yo"}],
        "m": {"t": "x"},
    }
    assert extract(record, compile_path("messages[].content")) == ["hi", "yo"]
    assert extract(record, compile_path("m.t")) == ["x"]
    assert extract(record, compile_path("missing.t")) == []
    assert get_scalar(record, compile_path("messages[].content")) == "hi"


def test_text_extractor_joins_fields_in_plan_order() -> None:
    text_of = TextExtractor(["instruction", "output"])
    assert text_of({"output": "b", "instruction": "a"}) == "a\nb"
    assert text_of({"output": None, "instruction": "a"}) == "a"
    assert text_of(["not", "a", "dict"]) == ""
    nested = TextExtractor(["chosen", "messages[].content"])
    assert (
        nested({"chosen": "c", "messages": [{"content": "m1"}, {"content": "m2"}]}) == "c\nm1\nm2"
    )


def test_many_is_the_per_record_extraction_for_every_shape() -> None:
    import random

    rng = random.Random(3)
    pool: list[Any] = [None, 1, "a", "", "x y", ["l"], {"k": "v"}, {"c": "deep"}]
    values: list[Any] = [
        {k: rng.choice(pool) for k in rng.sample(["a", "b", "c", "m"], rng.randint(0, 4))}
        for _ in range(3000)
    ] + [None, 3, "s", [], {}]
    for fields in (["a"], ["a", "b"], ["a", "b", "c"], ["a", "m.c"], ["m[].c", "a"]):
        extract_text = TextExtractor(fields)
        assert extract_text.many(values) == [extract_text(v) for v in values], fields


def test_a_batch_extracts_its_texts_on_first_use_only() -> None:
    from checkhelp import plan

    from dataflywheel.checks.base import RecordBatch
    from dataflywheel.checks.readers.builder import BatchBuilder

    calls: list[int] = []
    builder = BatchBuilder(plan(), file="f", shard=0)
    extract = builder.text_of.many

    def counting(values: list[Any]) -> list[str]:
        calls.append(len(values))
        return extract(values)

    builder.text_of.many = counting  # type: ignore[method-assign]
    builder.take()  # the next batch gets the counting extractor
    values = [{"id": "a", "text": "one"}, {"id": "b"}, {"text": ["x"]}, "s"]
    builder.add_many([1, 2], values[:2], 10)
    builder.add_many([5, 6], values[2:], 10)
    batch = builder.take()
    assert calls == [] and batch.ids == ["a", "b", "5", "6"]
    assert batch.texts == ["one", "", "", ""] and calls == [4]
    assert batch.texts is batch.texts and calls == [4]  # computed once
    assert batch == RecordBatch(
        "f", 0, batch.ids, batch.lines, values, ["one", "", "", ""], batch.groups, nbytes=20
    )
    assert batch != RecordBatch(
        "f", 0, batch.ids, batch.lines, values, ["one", "", "", "x"], batch.groups, nbytes=20
    )
    assert RecordBatch("f").texts == [] and RecordBatch("f", texts=["t"]).texts == ["t"]
