"""The JSONL reader against an exact reference (stdlib json with a duplicate-key hook), on
random lines mixing clean records, nested objects, duplicate keys, key-like text, bad JSON."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from checkhelp import check, plan

from dataflywheel.checks.readers import plan_shards, read_shard
from dataflywheel.errors import BadInput


class _Dup(Exception):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise _Dup
    return dict(pairs)


def _reference(line: str) -> bool:
    try:
        json.loads(line, object_pairs_hook=_pairs)
        return True
    except (_Dup, ValueError):
        return False


def _random_line(rng: random.Random, i: int) -> str:
    kind = rng.random()
    text = rng.choice(["plain words", 'says "k": v', "colon : here", "x\\u00e9"])
    if kind < 0.6:
        return json.dumps({"id": str(i), "text": text})
    if kind < 0.7:
        return json.dumps({"id": str(i), "text": text, "meta": {"a": [1, {"b": 2}], "c": "d"}})
    if kind < 0.8:  # a duplicate key, its colon right after it or after whitespace
        colon = rng.choice([":", " :", "\t:", " \t :"])
        return f'{{"id": "{i}", "text": "t", "text"{colon} "again"}}'
    if kind < 0.85:
        return f'{{"id": "{i}", "text": "t", "m": {{"x": 1, "x" : 2}}}}'
    if kind < 0.9:
        return f'{{"id" : "{i}", "text" :"spaced"}}'
    if kind < 0.95:
        return f'{{"id": "{i}", "text": "cut'
    return f'{{"id": "{i}", "text": "t", "l": [{{"k": 1}}, {{"k": 2, "k": 3}}]}}'


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_records_and_rejects_match_the_exact_reference(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    lines = [_random_line(rng, i) for i in range(3000)]
    path = tmp_path / "mix.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    p = plan(checks={"exact_duplicates": False})
    accepted: list[int] = []
    rejected: list[int] = []
    for shard in plan_shards([str(path)], shard_bytes=30_000):
        for batch in read_shard(shard, p):
            accepted += batch.lines
            rejected += [r.line for r in batch.rejects]
    expected_ok = [i + 1 for i, line in enumerate(lines) if _reference(line)]
    assert accepted == expected_ok
    assert rejected == [i + 1 for i, line in enumerate(lines) if not _reference(line)]


def test_a_worker_error_in_the_local_engine_is_the_same_clear_error(tmp_path: Path) -> None:
    import gzip

    good = tmp_path / "a.jsonl"
    good.write_text(
        "".join(json.dumps({"id": str(i), "text": f"t{i}"}) + "\n" for i in range(5000))
    )
    bad = tmp_path / "b.jsonl.gz"
    bad.write_bytes(gzip.compress(good.read_bytes())[:3000])
    with pytest.raises(BadInput) as err:
        check([good, bad], engine="local", workers=2, shard_bytes=20_000)
    assert str(err.value).startswith(f"{bad}: gzip file is truncated or corrupt")


@pytest.mark.parametrize("seed", [4, 5])
def test_runs_decoded_in_one_call_keep_every_value_on_its_line(tmp_path: Path, seed: int) -> None:
    """Sparse oddities, so most runs of lines decode in one call: a whitespace-only line beside a
    line holding two JSON values must not shift any value onto another line."""
    rng = random.Random(seed)
    lines = [json.dumps({"id": str(i), "text": f"t{i}"}) for i in range(3000)]
    odd = {
        "blank": "",
        "spaces": " \t ",
        "cr": "\r",
        "two": '{"id": "a"} {"id": "b"}',
        "two_nl_like": '{"id": "c"}\t{"id": "d"}',
        "crlf": '{"id": "crlf", "text": "x"}\r',
        "bad": '{"id": ',
    }
    for _ in range(40):
        at = rng.randrange(len(lines))
        kind = rng.choice(sorted(odd))
        lines[at] = odd[kind]
        if kind in ("two", "two_nl_like"):  # its blank partner in the same run of lines
            lines[min(at + rng.randint(1, 20), len(lines) - 1)] = rng.choice(["", " ", "\r"])
    path = tmp_path / "sparse.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got: dict[int, Any] = {}
    rejected: list[int] = []
    for shard in plan_shards([str(path)], shard_bytes=40_000):
        for batch in read_shard(shard, plan(checks={"exact_duplicates": False})):
            got.update(zip(batch.lines, batch.values, strict=True))
            rejected += [r.line for r in batch.rejects]
    expected = {
        i + 1: json.loads(line) for i, line in enumerate(lines) if line.strip() and _reference(line)
    }
    assert got == expected
    assert rejected == [
        i + 1 for i, line in enumerate(lines) if line.strip() and not _reference(line)
    ]
