"""A line just under the line cap, with a contract plan and every check on, stays within the cap +
256 MiB of memory (issue "Trust", item 13: a 16.5 MB line of CJK text peaked at 579-619 MB).

The memory is bounded by doing the per-text work in pieces; each piecewise path is checked here
against the whole-array result it replaces (pieces made tiny so that every boundary is crossed),
and the bound itself in a fresh interpreter.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from contract_fixtures import contract_path

from dataflywheel.checks import bytescan, textnorm
from dataflywheel.checks.similarity import minhash, shingles
from dataflywheel.checks.similarity.minhash import MinHasher

REPO = Path(__file__).resolve().parents[2]
ALPHABET = ["a", "B", "é", "中", "文", "ｆ", "ß", "\U0001f600", " ", " ", "  ", "\t", "\n", "\u3000"]


def _texts(seed: int, n: int = 40, longest: int = 400) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, longest))) for _ in range(n)]


def test_normalisation_scanned_in_tiny_pieces_is_the_reference(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from test_textnorm import _batch_matches

    monkeypatch.setattr(textnorm, "_SCAN_BYTES", 5)  # lead bytes and space pairs across pieces
    for seed in range(8):
        _batch_matches(_texts(seed))


def test_words_hashed_in_pieces_are_the_words_of_the_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import polars as pl

    texts = _texts(1, longest=3000) + ["", "one", "  two  words  "]
    normalised = pl.Series([textnorm.normalise(t) for t in texts], dtype=pl.String)
    whole_raw = shingles.word_hashes(texts, seed=7)
    whole_norm = shingles.normalised_word_hashes(normalised, seed=7)
    monkeypatch.setattr(shingles, "PIECE_BYTES", 64)  # long texts cut, short ones grouped
    for got, want in ((shingles.word_hashes(texts, seed=7), whole_raw),
                      (shingles.normalised_word_hashes(normalised, seed=7), whole_norm)):
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])


def test_windows_and_signatures_in_slices_are_those_of_the_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = _texts(2, n=60, longest=900) + ["x", "two words"]
    whole = shingles.shingle_hashes(texts, ngram=5, seed=3)
    signatures = MinHasher(64, seed=5).signatures(whole)
    monkeypatch.setattr(shingles, "_WINDOW_SLICE", 3)
    monkeypatch.setattr(minhash, "_SLICE", 7)
    sliced = shingles.shingle_hashes(texts, ngram=5, seed=3)
    assert np.array_equal(sliced.hashes, whole.hashes)
    assert np.array_equal(sliced.offsets, whole.offsets)
    assert np.array_equal(MinHasher(64, seed=5).signatures(sliced), signatures)


def test_bytes_counted_in_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _texts(3, longest=200)
    monkeypatch.setattr(bytescan, "_COUNT_PIECE", 6)
    counts = bytescan.TextBytes.of(texts).count_per_row(0x20)
    assert counts.tolist() == [t.encode("utf-8").count(b" ") for t in texts]


MEASURE = r"""
import resource, sys
from dataflywheel.checks.engines import run_checks
from dataflywheel.checks.builtin.contamination import ContaminationSpec
from dataflywheel.checks.builtin.spot_check import SpotCheckSpec
from pathlib import Path
from dataflywheel.flows.contracts.contract_plan import compile_plan
from dataflywheel.integrations.odcs import parse_odcs

plan = compile_plan(parse_odcs(Path(sys.argv[3]).read_text(encoding="utf-8"), source="t"),
                    contamination_reference=[sys.argv[2]])
checks = plan.checks.model_copy(update={"spot_check": SpotCheckSpec(sample_size=5)})
run_checks([sys.argv[1]], plan.model_copy(update={"checks": checks}), engine="single")
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def _peak_mib(batch: Path, reference: Path) -> int:
    env = {"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"}
    contract = contract_path("cleaned-raw-pool")
    out = subprocess.run([sys.executable, "-c", MEASURE, str(batch), str(reference), str(contract)],
                         env=env, check=True, capture_output=True, text=True, timeout=300)
    return int(out.stdout.split()[-1])


def _write(path: Path, long_line_bytes: int) -> None:
    rng = random.Random(13)
    vocab = ["".join(chr(0x4E00 + (i * 7 + j) % 20000) for j in range(3)) for i in range(5000)]
    rows = [{"id": f"r{i}", "content": " ".join(rng.choice(vocab) for _ in range(20)),
             "source": "web", "clean_timestamp": "2026-11-20T09:30:00Z"} for i in range(20)]
    if long_line_bytes:
        words = [rng.choice(vocab) for _ in range(long_line_bytes // 10)]  # 9 bytes + a space
        rows.insert(0, dict(rows[0], id="long", content=" ".join(words)))
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


@pytest.mark.slow
def test_a_line_under_the_cap_with_every_check_on_stays_within_cap_plus_256_mib(
    tmp_path: Path,
) -> None:
    reference = tmp_path / "eval.jsonl"
    reference.write_text(json.dumps({"id": "e", "content": "中文 " * 40}) + "\n", "utf-8")
    small, big = tmp_path / "small.jsonl", tmp_path / "big.jsonl"
    _write(small, 0)
    _write(big, 16_500_000)  # the default cap is 16 MiB (16,777,216 bytes)
    assert 16_000_000 < len(big.read_bytes().split(b"\n")[0]) < 16 * 1024 * 1024
    baseline, peak = _peak_mib(small, reference), _peak_mib(big, reference)
    # what the line adds (the interpreter and its libraries are the baseline): was 444 MiB
    assert peak - baseline <= 256, (baseline, peak)
