"""Near duplicates: planted clusters found with ids and lines, sharding-independent reports,
breakdowns, bad plans, and planted near-duplicates of real hh-rlhf dialogues."""

from __future__ import annotations

import gzip
import json
import pickle
import random
from pathlib import Path
from typing import Any

import pytest
from checkhelp import check, plan, write_jsonl

from dataflywheel.checks.base import RecordBatch
from dataflywheel.checks.builtin.near_duplicates import NearDuplicateCheck
from dataflywheel.checks.plan import parse_plan
from dataflywheel.errors import BadInput

REPO_ROOT = Path(__file__).resolve().parents[2]
REALDATA = REPO_ROOT.parent / "shared" / "realdata"
ONLY = {
    "structural": False,
    "exact_duplicates": False,
    "blank": False,
    "charset": False,
    "length": False,
}


def nd_plan(threshold: float = 0.8, **overrides: Any) -> Any:
    return plan(checks={**ONLY, "near_duplicates": {"threshold": threshold}}, **overrides)


def words(rng: random.Random, n: int) -> list[str]:
    return [f"w{rng.randrange(20000)}" for _ in range(n)]


def edit(rng: random.Random, text: str, changes: int) -> str:
    w = text.split()
    for _ in range(changes):
        w[rng.randrange(len(w))] = f"z{rng.randrange(10**6)}"
    return " ".join(w)


def planted_corpus(tmp_path: Path, n: int = 400, seed: int = 3) -> tuple[Path, list[set[str]]]:
    """Unique random texts; every 20th record gets two near copies (one word changed)
    placed later in the file, so each planted cluster has three members."""
    rng = random.Random(seed)
    records: list[dict[str, Any]] = []
    clusters: list[set[str]] = []
    pending: list[tuple[int, dict[str, Any]]] = []
    for i in range(n):
        text = " ".join(words(rng, rng.randint(150, 300)))  # one word changed: Jaccard >= 0.94
        rec = {"id": f"r{i}", "text": text, "source": "abc"[i % 3]}
        records.append(rec)
        if i % 20 == 0:
            copies = [
                {"id": f"r{i}-c{k}", "text": edit(rng, text, 1), "source": "c"} for k in range(2)
            ]
            clusters.append({rec["id"], *(c["id"] for c in copies)})
            pending.extend((i + 7 + 5 * k, c) for k, c in enumerate(copies))
        records.extend(c for at, c in pending if at == i)
        pending = [(at, c) for at, c in pending if at != i]
    records.extend(c for _, c in pending)
    records.append({"id": "empty", "text": "   ", "source": "a"})
    return write_jsonl(tmp_path / "batch.jsonl", records), clusters


def test_planted_clusters_are_found_with_ids_and_lines(tmp_path: Path) -> None:
    path, planted = planted_corpus(tmp_path)
    report = check(path, nd_plan())
    result = report.checks["near_duplicates"]
    found = [{r["record_id"] for r in c["records"]} for c in result.sections["clusters"]]
    assert sorted(map(sorted, found)) == sorted(map(sorted, planted))
    lines = {
        json.loads(line)["id"]: n for n, line in enumerate(path.read_text().splitlines(), start=1)
    }
    for cluster in result.sections["clusters"]:
        assert cluster["size"] == 3
        for member in cluster["records"]:
            assert member["line"] == lines[member["record_id"]]
            assert member["file"] == str(path)
        first = cluster["records"][0]
        assert first["similarity"] == 1.0 and first["line"] == min(
            m["line"] for m in cluster["records"]
        )
    records = report.records
    assert result.metrics == {
        "near_duplicate_rate": 2 * len(planted) / records,
        "near_duplicate_count": 2.0 * len(planted),
        "near_duplicate_cluster_count": float(len(planted)),
    }
    assert result.sections["records_without_text"] == 1
    example = result.examples["near_duplicate_rate"][0]
    assert (
        example.record_id == "r0-c0"
        and "near-duplicate of" in example.detail
        and "(id r0)" in example.detail
    )


def test_report_is_the_same_however_the_input_is_sharded(tmp_path: Path) -> None:
    path, _ = planted_corpus(tmp_path, n=600, seed=9)
    p = nd_plan(breakdown_by="source")
    single = check(path, p, engine="single")
    sharded = check(path, p, engine="local", workers=2, shard_bytes=20_000)
    assert sharded.to_json() == single.to_json()
    assert single.checks["near_duplicates"].metrics["near_duplicate_cluster_count"] == 30.0


def test_two_files_cluster_across_files(tmp_path: Path) -> None:
    rng = random.Random(5)
    text = " ".join(words(rng, 120))
    a = write_jsonl(
        tmp_path / "a.jsonl",
        [{"id": "a1", "text": text}, {"id": "a2", "text": " ".join(words(rng, 50))}],
    )
    b = write_jsonl(tmp_path / "b.jsonl", [{"id": "b1", "text": edit(rng, text, 1)}])
    result = check([a, b], nd_plan()).checks["near_duplicates"]
    members = result.sections["clusters"][0]["records"]
    assert [(m["file"], m["line"], m["record_id"]) for m in members] == [
        (str(a), 1, "a1"),
        (str(b), 1, "b1"),
    ]


def test_threshold_separates_close_from_far(tmp_path: Path) -> None:
    rng = random.Random(8)
    base = words(rng, 200)
    close = list(base)
    close[100] = "changed"  # 5 of 196 shingles differ: Jaccard ~0.95
    far = base[:100] + words(rng, 100)  # half the text replaced: Jaccard ~0.32
    path = write_jsonl(
        tmp_path / "t.jsonl",
        [
            {"id": "base", "text": " ".join(base)},
            {"id": "close", "text": " ".join(close)},
            {"id": "far", "text": " ".join(far)},
        ],
    )
    result = check(path, nd_plan(0.8)).checks["near_duplicates"]
    assert [[m["record_id"] for m in c["records"]] for c in result.sections["clusters"]] == [
        ["base", "close"]
    ]
    loose = check(path, nd_plan(0.2)).checks["near_duplicates"]
    assert [[m["record_id"] for m in c["records"]] for c in loose.sections["clusters"]] == [
        ["base", "close", "far"]
    ]


def test_texts_equal_after_nfkc_and_case_folding_are_near_duplicates(tmp_path: Path) -> None:
    """Shingles come from the normalised text shared with exact duplicates (NFKC, case-folded,
    whitespace collapsed), so width, case and spacing variants of one text form a cluster."""
    rng = random.Random(11)
    base = " ".join(words(rng, 120))
    wide = base.replace("w", "\uff57", 40)  # fullwidth w: NFKC maps it back to w
    path = write_jsonl(
        tmp_path / "v.jsonl",
        [
            {"id": "base", "text": base},
            {"id": "upper", "text": base.upper()},
            {"id": "wide", "text": wide},
            {"id": "spaced", "text": "  " + base.replace(" ", " \u3000\t", 50) + "\n"},
            {"id": "other", "text": " ".join(words(rng, 120))},
        ],
    )
    result = check(path, nd_plan(0.95)).checks["near_duplicates"]
    clusters = [[m["record_id"] for m in c["records"]] for c in result.sections["clusters"]]
    assert clusters == [["base", "upper", "wide", "spaced"]]
    assert [m["similarity"] for m in result.sections["clusters"][0]["records"]] == [1.0] * 4


def test_breakdown_counts_later_members_in_their_group(tmp_path: Path) -> None:
    path, planted = planted_corpus(tmp_path, n=100)
    report = check(path, nd_plan(breakdown_by="source"))
    breakdown = report.checks["near_duplicates"].breakdown
    assert set(breakdown) == {"a", "b", "c"}
    # every copy is in group "c"; originals are never counted
    assert (
        breakdown["a"]["near_duplicate_rate"] == 0.0
        and breakdown["b"]["near_duplicate_rate"] == 0.0
    )
    in_c = sum(1 for line in path.read_text().splitlines() if json.loads(line)["source"] == "c")
    assert breakdown["c"]["near_duplicate_rate"] == pytest.approx(2 * len(planted) / in_c)


def test_an_empty_batch_is_the_identity_and_gives_zero_rates() -> None:
    check_ = NearDuplicateCheck(nd_plan())
    empty = check_.partial(RecordBatch(file="x.jsonl"))
    result = check_.finish(empty)
    assert result.metrics["near_duplicate_rate"] == 0.0 and result.sections["clusters"] == []
    batch = RecordBatch(
        file="x.jsonl",
        ids=["a", "b"],
        lines=[1, 2],
        values=[{}, {}],
        texts=["same words here and there again", "same words here and there again"],
        groups=[None, None],
    )
    alone = check_.finish(check_.partial(batch))
    merged = check_.finish(check_.partial(RecordBatch(file="x.jsonl")) + check_.partial(batch))
    assert alone == merged and alone.metrics["near_duplicate_count"] == 1.0


def test_a_gate_on_the_near_duplicate_rate_fails_the_report(tmp_path: Path) -> None:
    path, _ = planted_corpus(tmp_path, n=100)
    p = nd_plan(thresholds=[{"metric": "near_duplicate_rate", "op": "<", "value": 0.01}])
    report = check(path, p)
    assert not report.passed
    gate = report.failed_gates[0]
    assert gate.metric == "near_duplicate_rate" and gate.examples


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ("threshold: 1.5", "checks.near_duplicates.threshold"),
        ("num_perm: 8", "checks.near_duplicates.num_perm"),
        ("ngram: 0", "checks.near_duplicates.ngram"),
        ("bands: 4", "checks.near_duplicates.bands"),
    ],
)
def test_bad_near_duplicate_parameters_are_refused(bad: str, field: str) -> None:
    text = f"text_fields: [text]\nchecks:\n  near_duplicates:\n    {bad}\n"
    with pytest.raises(BadInput) as err:
        parse_plan(text, source="plan.yaml")
    assert str(err.value).startswith(
        "plan.yaml: invalid check plan (1 problem(s)); field " + repr(field)
    )


def test_the_partial_keeps_its_bulk_in_spill_files(tmp_path: Path) -> None:
    """Signatures, lines and ids go to files in the spill directory; the partial keeps names,
    counts and one bit per record, survives pickling, and a partial merged from pickled copies
    finishes exactly like the original."""
    from dataflywheel.checks import spill
    from dataflywheel.checks.readers import read_file

    path, _ = planted_corpus(tmp_path, n=300)
    where = tmp_path / "spill"
    where.mkdir()
    with spill.using(str(where)):
        check_ = NearDuplicateCheck(nd_plan())
        parts = [check_.partial(b) for b in read_file(str(path), check_.plan)]
        chunks = [c for p in parts for c in p.chunks]
        records = sum(c.rows for c in chunks)
        assert records == sum(p.records for p in parts) > 300
        files = sorted(where.iterdir())
        assert len(files) == 2 * len(chunks)
        for c in chunks:
            assert Path(c.signatures.path).parent == where and Path(c.records).parent == where
            # 16-bit slots, slot-major: 128 slots x 2 bytes per record
            assert Path(c.signatures.path).stat().st_size == 2 * 128 * c.rows
            assert c.has_text.nbytes == (c.rows + 7) // 8
        pickled = [pickle.dumps(p) for p in parts]
        assert sum(map(len, pickled)) / records < 8  # a few bytes per record, whatever the corpus
        merged = parts[0]
        for p in parts[1:]:
            merged = merged + p
        again = pickle.loads(pickled[0])
        for blob in pickled[1:]:
            again = again + pickle.loads(blob)
        first = check_.finish(merged)
        assert check_.finish(again) == first
        assert check_.finish(merged) == first  # finish only reads the files
        assert first.metrics["near_duplicate_cluster_count"] == 15.0


def test_a_removed_spill_file_is_a_clear_error(tmp_path: Path) -> None:
    from dataflywheel.checks import spill

    with spill.using(str(tmp_path)):
        check_ = NearDuplicateCheck(nd_plan())
        text = " ".join(f"w{i}" for i in range(40))
        batch = RecordBatch(
            file="x.jsonl",
            ids=["a", "b"],
            lines=[1, 2],
            values=[{}, {}],
            texts=[text, text],
            groups=[None, None],
        )
        part = check_.partial(batch)
        Path(part.chunks[0].signatures.path).unlink()
        with pytest.raises(spill.SpillMissing, match="spill directory must live"):
            check_.finish(part)


@pytest.mark.realdata
def test_planted_near_duplicates_of_hh_rlhf_dialogues_are_all_found(tmp_path: Path) -> None:
    source = REALDATA / "hh_rlhf_harmless_base_test.jsonl.gz"
    if not source.exists():
        pytest.skip(f"{source} is absent (shared/realdata not checked out beside the repo)")
    rng = random.Random(20260101)
    with gzip.open(source, "rt", encoding="utf-8") as f:
        dialogues = [json.loads(line)["chosen"] for line in f]
    records = [{"id": f"hh{i}", "text": t} for i, t in enumerate(dialogues)]
    planted = []
    for i in rng.sample(range(len(dialogues)), 150):
        w = dialogues[i].split()
        if len(w) < 100:
            continue
        w[rng.randrange(len(w))] = "EDITED"  # one word in >= 100: Jaccard of 5-grams >= 0.9
        records.append({"id": f"copy-of-hh{i}", "text": " ".join(w)})
        planted.append((f"hh{i}", f"copy-of-hh{i}"))
    path = write_jsonl(tmp_path / "hh.jsonl", records)
    result = check(path, nd_plan(0.8)).checks["near_duplicates"]
    where = {}
    for n, cluster in enumerate(result.sections["clusters"]):
        for m in cluster["records"]:
            where[m["record_id"]] = n
    found = sum(1 for a, b in planted if a in where and where.get(b) == where[a])
    assert len(planted) >= 50 and found == len(planted)


def test_lone_surrogates_in_ids_and_text_are_handled(tmp_path: Path) -> None:
    text = " ".join(f"w{i}" for i in range(40))
    path = tmp_path / "s.jsonl"
    path.write_text(
        '{"id": "a\\ud800", "text": "' + text + ' \\udc00"}\n{"id": "b", "text": "' + text + '"}\n',
        encoding="utf-8",
    )
    result = check(path, nd_plan()).checks["near_duplicates"]
    members = result.sections["clusters"][0]["records"]
    assert [m["record_id"] for m in members] == ["a\ud800", "b"]


def test_record_ids_are_read_back_in_the_order_asked() -> None:
    """Ids of a spilled chunk, whole-chunk decoding (many ASCII ids) or one by one (few, or
    non-ASCII ones), repeated and out of order."""
    import numpy as np

    from dataflywheel.checks.builtin.near_duplicates import _Rows

    for ids in (
        [f"rec-{i}" for i in range(100)],
        ["é", "", "x\ud800", "𝄞 id", "plain"],
    ):
        encoded = [i.encode("utf-8", "surrogatepass") for i in ids]
        offsets = np.concatenate([[0], np.cumsum([len(e) for e in encoded])]).astype(np.int64)
        rows = _Rows(np.arange(len(ids), dtype=np.int64), offsets, b"".join(encoded), None)
        for asked in ([3, 0, 3, 1], list(range(len(ids)))[::-1], []):
            got = rows.record_ids(np.array(asked, dtype=np.int64))
            assert got == [ids[r] for r in asked]
        assert rows.record_id(2) == ids[2]
