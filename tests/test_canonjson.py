"""`dataflywheel.canonjson`: the canonical bytes are pinned (stored hashes depend on them)."""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime
from enum import StrEnum

import pytest

from dataflywheel.canonjson import canonical_json, sorted_json


class Colour(StrEnum):
    RED = "red"


def test_canonical_bytes_are_sorted_compact_utf8() -> None:
    value = {"b": [1, 2.5, None, True], "a": {"é": "ü"}, "c": datetime(2026, 1, 2, tzinfo=UTC),
             "d": Colour.RED, "e": {3, 1}}
    assert canonical_json(value) == (
        '{"a":{"é":"ü"},"b":[1,2.5,null,true],"c":"2026-01-02T00:00:00+00:00","d":"red","e":[1,3]}'
    ).encode()


def test_a_manifest_hashes_as_before() -> None:
    # The form frozen manifests were hashed over (json.dumps with sort_keys, compact, UTF-8).
    manifest = {"kind": "dataflywheel.dataset-version-manifest", "schema_version": 1,
                "batches": [{"files": [{"name": "ä.jsonl", "size_bytes": 3}]}], "row_count": 3}
    old = ('{"batches":[{"files":[{"name":"ä.jsonl","size_bytes":3}]}],'
           '"kind":"dataflywheel.dataset-version-manifest","row_count":3,"schema_version":1}')
    assert hashlib.sha256(canonical_json(manifest)).hexdigest() == \
        hashlib.sha256(old.encode()).hexdigest()


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_have_no_canonical_form(bad: float) -> None:
    with pytest.raises(ValueError):
        canonical_json({"x": bad})


def test_unknown_types_have_no_canonical_form() -> None:
    with pytest.raises(TypeError, match="a value of type object"):
        canonical_json({"x": object()})


def test_sorted_json_is_the_default_layout_with_sorted_keys() -> None:
    assert sorted_json({"b": 1, "a": "é"}) == '{"a": "\\u00e9", "b": 1}'
    assert sorted_json({"b": 1, "a": "é"}, ascii=False) == '{"a": "é", "b": 1}'
    assert sorted_json({"b": [1]}, indent=2) == '{\n  "b": [\n    1\n  ]\n}'
