"""Exact duplicates hash the normalised column with polars: equal normalised texts (and only
those) group together, lone surrogates included, records with no text left out, and the
engines agree."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
from checkhelp import check, plan

from dataflywheel.checks.base import RecordBatch
from dataflywheel.checks.builtin.duplicates import HASH_SEED, ExactDuplicateCheck, text_hashes
from dataflywheel.checks.textnorm import normalise


def _write(path: Path, texts: list[str]) -> Path:
    # json.dumps escapes lone surrogates as \udXXX, which the reader turns back into them
    path.write_text(
        "".join(json.dumps({"id": f"r{i}", "text": t}) + "\n" for i, t in enumerate(texts)),
        encoding="ascii",
    )
    return path


def _groups(path: Path, **kwargs: object) -> list[list[int]]:
    report = check(path, plan(checks={"exact_duplicates": True}), **kwargs)
    sections = report.checks["exact_duplicates"].sections
    return [[r["line"] for r in g["records"]] for g in sections["groups"]]


def test_string_and_binary_hashes_agree_on_the_same_bytes() -> None:
    # the docstring's claim: a lone-surrogate row, hashed as Binary from its exact bytes, is
    # hashed by the same function as the String rows
    texts = ["", "a", "hello world", "é’“”", "x" * 1000]
    as_str = pl.Series(texts, dtype=pl.String).hash(seed=HASH_SEED).to_list()
    as_bin = pl.Series([t.encode() for t in texts], dtype=pl.Binary).hash(seed=HASH_SEED)
    assert as_str == as_bin.to_list()


def test_hashes_leave_out_empty_texts_and_follow_the_normalised_text() -> None:
    texts = ["Hello  World", "", "   ", "hello world", "HELLO\tworld\n", "other", "ﬁne", "fine"]
    keep, hashes = text_hashes(RecordBatch(file="f", texts=texts))
    assert keep.tolist() == [0, 3, 4, 5, 6, 7]
    assert hashes.dtype == np.uint64 and len(hashes) == 6
    assert len({int(h) for h in hashes[:3]}) == 1  # the three "hello world"
    assert hashes[0] != hashes[3] and hashes[4] == hashes[5]  # "fine" twice, "other" apart


def test_lone_surrogates_are_equal_only_to_themselves(tmp_path: Path) -> None:
    texts = [
        "lone \ud800 surrogate",  # 1
        "lone \ufffd surrogate",  # 2: what the column shows for line 1, yet a different text
        "LONE  \ud800 Surrogate",  # 3: duplicate of 1
        "lone \ufffd SURROGATE ",  # 4: duplicate of 2
        "lone \udc00 surrogate",  # 5: another surrogate, unique
        "",  # 6: no text, never a duplicate
        "",  # 7
    ]
    path = _write(tmp_path / "s.jsonl", texts)
    assert _groups(path) == [[1, 3], [2, 4]]
    batch = RecordBatch(file="f", texts=texts)
    keep, hashes = text_hashes(batch)
    assert keep.tolist() == [0, 1, 2, 3, 4]
    norm = [normalise(t) for t in texts[:5]]
    for i in range(5):
        for j in range(5):
            assert (hashes[i] == hashes[j]) == (norm[i] == norm[j]), (i, j)


def test_engines_agree_on_groups_across_shards(tmp_path: Path) -> None:
    texts = [f"record number {i} with some words" for i in range(2000)]
    texts[1500] = "  RECORD number 3 with some words "
    texts[1999] = "record\u3000number 3 with\tsome words"
    texts[700] = "é \ud800 x"
    texts[1200] = "É  \ud800 X"
    texts[50] = ""
    texts[51] = ""
    path = _write(tmp_path / "d.jsonl", texts)
    single = check(path, plan(checks={"exact_duplicates": True}), shard_bytes=20_000)
    local = check(
        path, plan(checks={"exact_duplicates": True}), shard_bytes=20_000, engine="local", workers=2
    )
    assert _groups(path, shard_bytes=20_000) == [[4, 1501, 2000], [701, 1201]]
    assert single.checks["exact_duplicates"] == local.checks["exact_duplicates"]
    assert single.metrics["duplicate_count"] == 3.0


def test_an_empty_batch_is_the_identity() -> None:
    ch = ExactDuplicateCheck(plan(checks={"exact_duplicates": True}))
    empty = ch.partial(RecordBatch(file="f"))
    full = ch.partial(RecordBatch(file="f", ids=["a", "b"], lines=[1, 2], texts=["x", "X"]))
    assert ch.finish(empty + full) == ch.finish(full)
    assert ch.finish(full).metrics["duplicate_count"] == 1.0


def test_groups_examples_and_breakdown_match_a_brute_force_oracle(tmp_path: Path) -> None:
    # many groups of random sizes, interleaved, with labels: compare with a dict-based oracle
    import random

    rng = random.Random(5)
    bases = [f"Base text {i}" for i in range(60)]
    recs = []
    for i in range(3000):
        text = rng.choice(bases) if rng.random() < 0.3 else f"unique {i}"
        text = text.upper() if rng.random() < 0.5 else f"  {text} "
        recs.append({"id": f"r{i}", "text": text, "source": rng.choice(["a", "b", None])})
    path = tmp_path / "g.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="ascii")
    p = plan(checks={"exact_duplicates": True}, breakdown_by="source", max_examples=7)
    result = check(path, p, shard_bytes=15_000).checks["exact_duplicates"]

    seen: dict[str, list[int]] = {}
    for line, r in enumerate(recs, start=1):
        seen.setdefault(normalise(r["text"]), []).append(line)
    want = [g for g in seen.values() if len(g) > 1]  # dicts keep first-seen order
    got = [[m["line"] for m in g["records"]] for g in result.sections["groups"]]
    assert got == [g[:50] for g in want]
    assert result.sections["group_count"] == len(want)
    later = sorted(line for g in want for line in g[1:])
    assert result.metrics["duplicate_count"] == len(later)
    assert [e.line for e in result.examples["duplicate_rate"]] == later[:7]
    first_of = {line: g[0] for g in want for line in g[1:]}
    assert [e.detail for e in result.examples["duplicate_rate"]] == [
        f"duplicate of {path}:{first_of[line]} (id r{first_of[line] - 1})" for line in later[:7]
    ]
    for label in ("a", "b"):
        rows = [i + 1 for i, r in enumerate(recs) if r["source"] == label]
        dups = sum(1 for line in rows if line in first_of)
        assert result.breakdown[label] == {"duplicate_rate": dups / len(rows)}


def test_a_group_larger_than_the_listing_keeps_its_whole_size(tmp_path: Path) -> None:
    from dataflywheel.checks.builtin.duplicates import MAX_MEMBERS_LISTED

    copies = MAX_MEMBERS_LISTED + 17
    path = _write(tmp_path / "many.jsonl", ["same text"] * copies + ["other"] * 3 + ["lone"])
    report = check(path, plan(checks={"exact_duplicates": True}))
    sections = report.checks["exact_duplicates"].sections
    assert [g["size"] for g in sections["groups"]] == [copies, 3]
    assert [len(g["records"]) for g in sections["groups"]] == [MAX_MEMBERS_LISTED, 3]
    assert report.metrics["duplicate_count"] == copies - 1 + 2


def test_repeated_hashes_are_found_bucket_by_bucket_as_by_one_sort() -> None:
    from dataflywheel.checks.builtin.duplicates import _repeated

    rng = np.random.default_rng(5)
    for n in (0, 1, 2, 5, 1000, 50_000):
        pool = rng.integers(0, 2**64 - 1, size=max(n // 3, 1), dtype=np.uint64, endpoint=True)
        h = pool[rng.integers(0, len(pool), size=n)] if n else np.zeros(0, np.uint64)
        values, counts = np.unique(h, return_counts=True)
        expected = np.flatnonzero(np.isin(h, values[counts > 1]))
        assert np.array_equal(_repeated(h), expected), n
