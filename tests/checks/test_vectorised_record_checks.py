"""The vectorised per-record checks (blank, length, charset, PII, spot check) give exactly what a
plain per-record loop gives, on fuzzed records built to hit their edge cases."""

from __future__ import annotations

import random
import sys
from collections import Counter
from typing import Any

import pytest
from checkhelp import plan

from dataflywheel.checks.base import RecordBatch
from dataflywheel.checks.builtin import pii as pii_mod
from dataflywheel.checks.builtin.blanks import BlankCheck
from dataflywheel.checks.builtin.length import LengthCheck
from dataflywheel.checks.builtin.spot_check import SpotCheck
from dataflywheel.checks.bytescan import TextBytes, byte_hits
from dataflywheel.checks.readers.builder import BatchBuilder
from dataflywheel.checks.stats.sampling import BottomK, sample_key, sample_keys
from dataflywheel.checks.textnorm import normalise
from dataflywheel.checks.textpack import pack_utf8

SPACES = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
PIECES = ["a", "bc", "é", "’", "x y", "\ud800", "0", "@", ":", "\x00", "\x7f", *SPACES]


def _text(rng: random.Random, longest: int = 30) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, longest)))


def _batch(p: Any, values: list[Any]) -> RecordBatch:
    builder = BatchBuilder(p, file="f.jsonl", shard=0)
    builder.add_many(list(range(1, len(values) + 1)), values, 0)
    return builder.take()


def test_text_bytes_maps_hits_counts_and_edges_to_their_rows() -> None:
    """Packed bytes alone, and with some rows replaced (`fixes`, as the normalised rows are):
    every row's bytes are those of its text, lone surrogates as U+FFFD."""
    rng = random.Random(2)
    texts = [_text(rng, rng.choice([3, 12, 60])) for _ in range(3000)] + ["", "x" * 12, "y" * 13]
    fixes = {i: _text(rng, 20) for i in rng.sample(range(len(texts)), 300)}
    fixes[len(texts) - 1] = ""  # the last row, fixed to nothing
    lone = "\ud800".encode("utf-8", "surrogatepass")
    for scan, final in (
        (TextBytes.of(texts), texts),
        (TextBytes(pack_utf8(texts), fixes), [fixes.get(i, t) for i, t in enumerate(texts)]),
    ):
        utf8 = [t.encode("utf-8", "surrogatepass").replace(lone, "\ufffd".encode()) for t in final]
        assert scan.rows == len(final)
        assert sorted(set(scan.hit_rows(lambda d: byte_hits(d, 0x40)).tolist())) == [
            i for i, b in enumerate(utf8) if b"@" in b
        ]
        assert scan.count_per_row(0x20).tolist() == [b.count(b" ") for b in utf8]
        first, last = scan.edges()
        assert first.tolist() == [b[0] if b else -1 for b in utf8]
        assert last.tolist() == [b[-1] if b else -1 for b in utf8]


def test_text_bytes_of_nothing() -> None:
    scan = TextBytes.of([])
    assert scan.rows == 0 and scan.hit_rows(lambda d: byte_hits(d, 0x40)).tolist() == []
    assert scan.count_per_row(0x20).tolist() == [] and scan.edges()[0].tolist() == []


def test_normalised_bytes_are_the_bytes_of_the_normalised_column() -> None:
    rng = random.Random(3)
    texts = [_text(rng, 40) for _ in range(2000)]
    batch = RecordBatch("f", texts=texts)
    assert len(batch._normalised_batch().fixes) > 100  # rows that textnorm redoes one by one
    column = [t.encode() for t in batch.normalised_column().to_list()]
    assert batch.normalised_bytes().count_per_row(0x20).tolist() == [b.count(b" ") for b in column]
    first, last = batch.normalised_bytes().edges()
    assert first.tolist() == [b[0] if b else -1 for b in column]
    assert last.tolist() == [b[-1] if b else -1 for b in column]


def _blank_by_loop(check: BlankCheck, batch: RecordBatch) -> list[tuple[int, str]]:
    return [(i, why) for i, v in enumerate(batch.values) if (why := check._why(v)) is not None]


@pytest.mark.parametrize("fields", [["instruction", "output"], ["text"], ["m[].c", "title"]])
def test_blank_check_flags_exactly_what_the_field_loop_flags(fields: list[str]) -> None:
    rng = random.Random(len(fields[0]))

    def field() -> Any:
        return rng.choice([_text(rng), _text(rng), rng.choice(SPACES) * 2, "", 3, None])

    values: list[Any] = []
    for _ in range(4000):
        if fields == ["m[].c", "title"]:
            value = {"m": [{"c": field()} for _ in range(rng.randint(0, 3))], "title": field()}
        else:
            value = {f: field() for f in fields if rng.random() < 0.9}
        values.append(value if rng.random() < 0.98 else rng.choice([[], "s", 4]))
    p = plan(text_fields=fields, schema={"fields": []}, checks={"blank": True})
    check = BlankCheck(p)
    batch = _batch(p, values)
    part = check.partial(batch)
    expected = _blank_by_loop(check, batch)
    assert part.flagged.get("blank", 0) == len(expected) > 100
    assert [(ln - 1, why) for _, ln, _, why in part.examples["blank"]] == expected[:5]


def test_length_check_counts_like_the_text_loop() -> None:
    rng = random.Random(4)
    values = [{"text": _text(rng, 80)} for _ in range(3000)] + [{"other": 1}, {"text": "   "}]
    p = plan(checks={"length": True})
    batch = _batch(p, values)
    part = LengthCheck(p).partial(batch)
    assert part.chars == dict(Counter(len(t) for t in batch.texts))
    words = Counter(n.count(" ") + 1 if n else 0 for n in map(normalise, batch.texts))
    assert part.words == dict(words)
    empty = LengthCheck(p).partial(RecordBatch(file="f"))
    assert (empty.chars, empty.words) == ({}, {})


def test_spot_check_bottom_k_equals_adding_one_by_one() -> None:
    rng = random.Random(6)
    ids = [f"r{rng.randint(0, 400)}" for _ in range(3000)] + ["lone \ud800"]  # repeats: key ties
    strata = [rng.choice(["a", "b", "c", "(none)"]) for _ in ids]
    lines = list(range(1, len(ids) + 1))
    assert sample_keys(ids, 9) == [sample_key(r, 9) for r in ids]
    for k in (1, 3, 50, 5000):
        one = BottomK(k)
        for s, rid, line in zip(strata, ids, lines, strict=True):
            one.add(s, (sample_key(rid, 9), "f", line, rid))
        one.trim()
        many = BottomK(k).add_many(strata, sample_keys(ids, 9), "f", lines, ids)
        assert (many.counts, many.smallest) == (one.counts, one.smallest)


def test_spot_check_strata_are_read_like_the_path_walk() -> None:
    values: list[Any] = [
        {"v": "a"}, {"v": 3}, {"v": None}, {"v": [1]}, {"v": {"x": 1}}, {"v": 10**30}, {}, "s",
        {"v": True}, {"v": 1.5},
    ]  # fmt: skip
    p = plan(checks={"spot_check": {"stratify_by": "v"}})
    strata = SpotCheck(p)._strata(values)
    assert strata == [
        "a", "3", "(none)", "(none)", "(none)", "(integer of 100 bits)", "(none)", "(none)",
        "True", "1.5",
    ]  # fmt: skip


def test_fast_email_and_ipv6_scans_find_what_finditer_finds() -> None:
    rng = random.Random(8)
    pieces = [
        *"abcdefABCDEFxyz0123456789:.@-_+% \n\té", "::", "fe80::1", "a@b.io", "x.y@ex-ample.com",
        "2001:db8::8a2e:370:7334", "1:2:3:4:5:6:7:8", "@@", "a.@b.cd", ".a@b.cc", "%a@b.de",
    ]  # fmt: skip
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        for fast, pattern in (
            (pii_mod.ipv6_candidates, pii_mod._IPV6_CAND),
            (pii_mod.email_matches, pii_mod._EMAIL),
        ):
            assert [m.span() for m in fast(text)] == [m.span() for m in pattern.finditer(text)]
