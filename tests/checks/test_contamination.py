"""Contamination: overlapping records listed on both sides, rates on both sides, the reference read
once and refused clearly when bad, and GSM8K test items planted in a GSM8K train batch found."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from checkhelp import check, write_jsonl

from dataflywheel.checks.builtin import contamination as module
from dataflywheel.checks.builtin.contamination import ContaminationCheck
from dataflywheel.checks.builtin.contamination import ContaminationSpec, ReferenceFile
from dataflywheel.checks.plan import CheckPlan, Threshold
from dataflywheel.errors import BadInput, NotFound

REPO_ROOT = Path(__file__).resolve().parents[2]
REALDATA = REPO_ROOT.parent / "shared" / "realdata"
ONLY = {
    "structural": False,
    "exact_duplicates": False,
    "blank": False,
    "charset": False,
    "length": False,
}


def ct_plan(reference: list[Path], **spec: Any) -> CheckPlan:
    return CheckPlan.model_validate(
        {
            "id_field": "id",
            "text_fields": ["text"],
            "breakdown_by": "source",
            "checks": {**ONLY, "contamination": {"reference": [str(p) for p in reference], **spec}},
        }
    )


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(f"w{rng.randrange(50000)}" for _ in range(n))


@pytest.fixture
def evalset(tmp_path: Path) -> tuple[Path, list[str]]:
    rng = random.Random(1)
    texts = [sentence(rng, rng.randint(30, 60)) for _ in range(50)]
    return write_jsonl(
        tmp_path / "eval.jsonl", [{"id": f"e{i}", "text": t} for i, t in enumerate(texts)]
    ), texts


def test_overlapping_records_are_listed_on_both_sides(
    tmp_path: Path, evalset: tuple[Path, list[str]]
) -> None:
    ref, texts = evalset
    rng = random.Random(2)
    records = [{"id": f"b{i}", "text": sentence(rng, 40), "source": "v1"} for i in range(100)]
    records[10] = {"id": "copy", "text": texts[3], "source": "v1"}  # verbatim
    records[20] = {
        "id": "embedded",
        "text": sentence(rng, 30) + " " + texts[7] + " " + sentence(rng, 30),
        "source": "v2",
    }
    records[30] = {
        "id": "fragment",
        "text": " ".join(texts[9].split()[:20]),
        "source": "v2",
    }  # part of e9
    half = texts[11].split()
    records[40] = {
        "id": "partial",
        "text": " ".join(half[: len(half) // 2]) + " " + sentence(rng, 40),
        "source": "v2",
    }
    path = write_jsonl(tmp_path / "batch.jsonl", records)
    result = check(path, ct_plan([ref])).checks["contamination"]
    pairs = [
        (
            p["batch"]["record_id"],
            p["batch"]["line"],
            p["reference"]["record_id"],
            p["reference"]["line"],
        )
        for p in result.sections["pairs"]
    ]
    assert pairs == [("copy", 11, "e3", 4), ("embedded", 21, "e7", 8), ("fragment", 31, "e9", 10)]
    assert [p["overlap"] for p in result.sections["pairs"]] == [1.0, 1.0, 1.0]
    assert result.metrics == {
        "contamination_rate": 3 / 100,
        "contamination_count": 3.0,
        "contaminated_reference_count": 3.0,
        "contaminated_reference_rate": 3 / 50,
    }
    assert result.breakdown == {
        "v1": {"contamination_rate": 1 / 97},
        "v2": {"contamination_rate": 2 / 3},
    }
    ex = result.examples["contamination_rate"][0]
    assert ex.record_id == "copy" and ex.detail.startswith(f"overlaps reference {ref}:4 (id e3): ")
    # half of e11 shares < 50% of its 8-grams: below the threshold; a lower threshold finds it
    low = check(path, ct_plan([ref], threshold=0.2)).checks["contamination"]
    assert "partial" in {p["batch"]["record_id"] for p in low.sections["pairs"]}


def test_reference_text_fields_and_several_reference_files(tmp_path: Path) -> None:
    rng = random.Random(3)
    q, a = sentence(rng, 20), sentence(rng, 20)
    ref1 = write_jsonl(
        tmp_path / "r1.jsonl", [{"question": sentence(rng, 20), "answer": sentence(rng, 20)}]
    )
    ref2 = write_jsonl(tmp_path / "r2.jsonl", [{"question": q, "answer": a}])
    batch = write_jsonl(tmp_path / "b.jsonl", [{"id": "x", "text": q + "\n" + a, "source": "s"}])
    result = check(
        batch, ct_plan([ref1, ref2], reference_text_fields=["question", "answer"])
    ).checks["contamination"]
    assert result.sections["pairs"][0]["reference"] == {
        "file": str(ref2),
        "line": 1,
        "record_id": "1",
    }
    assert result.sections["reference"]["records"] == 2


def test_sharding_does_not_change_the_report(
    tmp_path: Path, evalset: tuple[Path, list[str]]
) -> None:
    ref, texts = evalset
    rng = random.Random(4)
    records = [
        {"id": f"b{i}", "text": texts[i % 50] if i % 37 == 0 else sentence(rng, 40), "source": "s"}
        for i in range(1500)
    ]
    path = write_jsonl(tmp_path / "batch.jsonl", records)
    p = ct_plan([ref])
    single = check(path, p, engine="single")
    local = check(path, p, engine="local", workers=2, shard_bytes=30_000)
    assert local.to_json() == single.to_json()
    assert single.checks["contamination"].metrics["contamination_count"] == float(
        len(range(0, 1500, 37))
    )


def test_the_reference_is_read_once_per_process(
    tmp_path: Path, evalset: tuple[Path, list[str]]
) -> None:
    ref, _ = evalset
    p = ct_plan([ref])
    first = ContaminationCheck(p).reference
    assert ContaminationCheck(p).reference is first
    ref.write_text(
        ref.read_text() + json.dumps({"id": "new", "text": "a b c d e f g h i j"}) + "\n"
    )
    assert ContaminationCheck(p).reference is not first  # the file changed: read again
    module._CACHE.clear()


def test_a_missing_reference_file_fails_before_the_batch_is_read(tmp_path: Path) -> None:
    batch = write_jsonl(tmp_path / "b.jsonl", [{"id": "x", "text": "t", "source": "s"}])
    with pytest.raises(NotFound) as err:
        check(batch, ct_plan([tmp_path / "missing.jsonl"]))
    assert str(tmp_path / "missing.jsonl") in str(err.value)


def test_an_empty_reference_set_is_refused(tmp_path: Path) -> None:
    ref = tmp_path / "eval.jsonl"
    ref.write_text('{"id": "bad",\n')
    batch = write_jsonl(tmp_path / "b.jsonl", [{"id": "x", "text": "t", "source": "s"}])
    with pytest.raises(BadInput) as err:
        check(batch, ct_plan([ref]))
    assert str(err.value).startswith(
        "the contamination reference set has no records; field 'checks.contamination.reference'; "
        "expected at least one decodable record; got '"
    )
    assert err.value.got == str(ref)  # the message shortens it past 80 characters (a deep tmp_path)


def test_undecodable_reference_lines_are_reported(
    tmp_path: Path, evalset: tuple[Path, list[str]]
) -> None:
    ref, texts = evalset
    ref.write_text(ref.read_text() + '{"id": "broken",\n')
    batch = write_jsonl(tmp_path / "b.jsonl", [{"id": "x", "text": texts[0], "source": "s"}])
    result = check(batch, ct_plan([ref])).checks["contamination"]
    refs = result.sections["reference"]
    assert refs["reject_count"] == 1 and refs["rejects"][0]["line"] == 51
    assert refs["records"] == 50


def gsm8k(name: str) -> list[dict[str, Any]]:
    path = REALDATA / name
    if not path.exists():
        pytest.skip(f"{path} is absent (shared/realdata not checked out beside the repo)")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.realdata
def test_gsm8k_test_items_in_a_train_batch_are_flagged(tmp_path: Path) -> None:
    train, test = gsm8k("gsm8k_train.jsonl"), gsm8k("gsm8k_test.jsonl")
    rng = random.Random(8)
    leaked = sorted(rng.sample(range(len(test)), 25))
    records = [
        {
            "id": f"train-{i}",
            "instruction": r["question"],
            "output": r["answer"],
            "source": "vendor",
        }
        for i, r in enumerate(train[:2000])
    ]
    for k, t in enumerate(leaked):
        item = test[t]
        records.insert(
            80 * k + 5,
            {
                "id": f"leak-{t}",
                "instruction": item["question"],
                "output": item["answer"],
                "source": "vendor",
            },
        )
    path = write_jsonl(tmp_path / "batch.jsonl", records)
    p = CheckPlan.model_validate(
        {
            "id_field": "id",
            "text_fields": ["instruction", "output"],
            "checks": {
                **ONLY,
                "contamination": {
                    "reference": [str(REALDATA / "gsm8k_test.jsonl")],
                    "reference_text_fields": ["question", "answer"],
                },
            },
        }
    )
    result = check(path, p).checks["contamination"]
    flagged = {
        pair["batch"]["record_id"]: pair["reference"]["line"] for pair in result.sections["pairs"]
    }
    assert {rid: line for rid, line in flagged.items() if rid.startswith("leak-")} == {
        f"leak-{t}": t + 1 for t in leaked
    }
    # GSM8K train and test are disjoint: no train record crosses the threshold
    assert [rid for rid in flagged if not rid.startswith("leak-")] == []
    assert result.metrics["contamination_count"] == 25.0
    assert result.metrics["contaminated_reference_count"] == 25.0


def test_a_changed_reference_counts_in_the_next_run_of_the_same_plan(
    tmp_path: Path, evalset: tuple[Path, list[str]]
) -> None:
    ref, texts = evalset
    batch = write_jsonl(tmp_path / "b.jsonl", [{"id": "x", "text": "brand new words " * 5, "source": "s"}])
    p = ct_plan([ref])
    assert check(batch, p).checks["contamination"].metrics["contamination_count"] == 0.0
    with ref.open("a", encoding="utf-8") as f:
        f.write(json.dumps({"id": "late", "text": "brand new words " * 5}) + "\n")
    assert check(batch, p).checks["contamination"].metrics["contamination_count"] == 1.0


def test_each_reference_file_is_read_at_its_own_text_fields(tmp_path: Path) -> None:
    """An evaluation set has its own fields (issue "Trust", item 1): read at the batch's `text`
    it had no text and the rate was 0; read at `question` it finds the copied item."""
    rng = random.Random(9)
    q = sentence(rng, 30)
    ref = write_jsonl(tmp_path / "eval.jsonl", [{"id": "e1", "question": q}])
    batch = write_jsonl(tmp_path / "b.jsonl", [{"id": "x", "text": q, "source": "s"}])
    plan = ct_plan([ref])
    spec = ContaminationSpec(reference=[ReferenceFile(path=str(ref), text_fields=["question"])])
    own = check(batch, plan.model_copy(update={
        "checks": plan.checks.model_copy(update={"contamination": spec})}))
    result = own.checks["contamination"]
    assert result.metrics["contamination_rate"] == 1.0
    assert result.sections["reference"]["records_with_text"] == 1
    assert result.sections["reference"]["unusable"] == []


def test_a_reference_without_text_fails_the_gate_and_says_why(tmp_path: Path) -> None:
    rng = random.Random(10)
    q = sentence(rng, 30)
    ref = write_jsonl(tmp_path / "eval.jsonl", [{"id": "e1", "question": q}])
    batch = write_jsonl(tmp_path / "b.jsonl", [{"id": "x", "text": q, "source": "s"}])
    gated = ct_plan([ref]).model_copy(update={"thresholds": [
        Threshold(metric="contamination_rate", op="<=", value=0.0)]})
    report = check(batch, gated)  # the reference is read at the batch's `text`: it has none
    gate = report.gates[0]
    why = f"not checked: reference {ref} has no text at text (1 record(s) read)"
    assert (gate.observed, gate.passed, gate.note) == (None, False, why)
    assert not report.passed
    result = report.checks["contamination"]
    assert "contamination_rate" not in result.metrics
    assert result.undefined["contamination_rate"] == why
    assert result.sections["reference"]["unusable"] == [
        {"file": str(ref), "text_fields": ["text"], "records": 1,
         "reason": f"reference {ref} has no text at text (1 record(s) read)"}]
