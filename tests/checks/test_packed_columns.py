"""The packed per-record columns of the exact-duplicate index: lookups, merges, None entries."""

from __future__ import annotations

import random

import numpy as np

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


def test_packed_strings_hold_each_entry_s_own_utf8_bytes() -> None:
    """One join and encode for the whole list must give exactly the bytes and lengths of
    encoding entry by entry: ASCII only, every UTF-8 width, lone surrogates, NUL, None."""
    rng = random.Random(7)
    alphabets = ["az", "aé", "a€𝄞", "\ud800a\udfff", "\x00é€𝄞\ud83d"]
    for _ in range(500):
        alphabet = rng.choice(alphabets)
        values = [
            None
            if rng.random() < 0.2
            else "".join(rng.choice(alphabet) for _ in range(rng.randrange(4)))
            for _ in range(rng.randrange(8))
        ]
        encoded = [b"" if v is None else v.encode("utf-8", "surrogatepass") for v in values]
        packed = PackedStrings.of(values)
        assert packed.blobs == [b"".join(encoded)]
        sizes = [0xFFFFFFFF if v is None else len(e) for v, e in zip(values, encoded)]
        assert packed.lengths[0].dtype == np.uint32
        assert packed.lengths[0].tolist() == sizes
        packed.seal()
        assert [packed.get(i) for i in range(len(values))] == values


def test_label_codes_number_labels_by_first_appearance() -> None:
    codes = LabelCodes.of(["x", None, "y", "x", None, "z", "y"])
    assert codes.labels == ["x", "y", "z"]
    assert codes.codes[0].dtype == np.uint32
    assert codes.codes[0].tolist() == [0, 0xFFFFFFFF, 1, 0, 0xFFFFFFFF, 2, 1]
    assert LabelCodes.of([None, None]).labels == []


def test_get_many_looks_up_any_positions_in_the_order_asked() -> None:
    """Across blobs, in any order, repeated, whether a blob is decoded whole (many entries of
    an ASCII blob asked) or entry by entry (few entries, or non-ASCII text)."""
    rng = random.Random(3)
    blobs = [
        [f"id-{i}" for i in range(300)],
        ["é\ud800", None, "", "x𝄞"],
        [],
        [None if i % 5 == 0 else f"r{i}" for i in range(200)],
    ]
    packed = PackedStrings.of(blobs[0])
    for values in blobs[1:]:
        packed = packed + PackedStrings.of(values)
    packed.seal()
    flat = [v for values in blobs for v in values]
    for size in (0, 1, 3, 40, 600):
        positions = np.array([rng.randrange(len(flat)) for _ in range(size)], dtype=np.int64)
        assert packed.get_many(positions) == [flat[p] for p in positions.tolist()]
    assert [packed.get(p) for p in range(len(flat))] == flat
    labels = LabelCodes.of(["a", None, "b"]) + LabelCodes.of(["b", "c", None])
    labels.seal()
    assert labels.get_many(np.array([5, 0, 4, 1, 3, 0])) == [None, "a", "c", None, "b", "a"]


def test_spilled_entries_read_back_from_their_files_and_pickle_small() -> None:
    import pickle

    values = [f"rec-{i}" if i % 7 else None for i in range(5000)] + ["é\ud800", "", "z"]
    packed = PackedStrings.of(values[:2500]).spilled() + PackedStrings.of(values[2500:]).spilled()
    assert all(isinstance(b, str) for b in packed.blobs)
    assert len(pickle.dumps(packed)) < 4 * len(values) + 2000  # the lengths, not the ids
    copy = pickle.loads(pickle.dumps(packed))
    copy.seal()
    picks = np.array([0, 1, 7, 2499, 2500, 4999, 5000, 5001, 5002], dtype=np.int64)
    assert copy.get_many(picks) == [values[i] for i in picks]
