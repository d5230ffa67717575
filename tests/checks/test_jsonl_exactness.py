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
