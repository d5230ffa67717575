from __future__ import annotations

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
