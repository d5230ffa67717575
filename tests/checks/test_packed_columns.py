"""The packed per-record columns of the exact-duplicate index: lookups, merges, None entries."""

from __future__ import annotations

from dataflywheel.checks.results import LabelCodes, PackedStrings


def test_packed_strings_look_up_across_blobs_empty_ones_included() -> None:
    packed = (
        PackedStrings.of(["a", None, "ccc"])
        + PackedStrings.of([])
        + PackedStrings.of(["", "é\ud800", None])
        + PackedStrings.of(["z"])
    )
    packed.seal()
    assert [packed.get(i) for i in range(7)] == ["a", None, "ccc", "", "é\ud800", None, "z"]


def test_label_codes_merge_by_label_and_keep_none() -> None:
    left = LabelCodes.of(["b", None, "a"])
    right = LabelCodes.of(["a", "c", None, "b"])
    grouped = (left + LabelCodes.of([])) + (right + LabelCodes.of(["c"]))
    grouped.seal()
    assert [grouped.get(i) for i in range(8)] == ["b", None, "a", "a", "c", None, "b", "c"]
    assert grouped.labels == ["b", "a", "c"]
