"""Spot checks: a deterministic stratified sample independent of sharding, proportional allocation
with at least one per stratum, verdicts giving the pass rate, and bad verdict files refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from checkhelp import check, write_jsonl

from dataflywheel.checks.base import RecordBatch
from dataflywheel.checks.builtin.spot_check import SpotCheck, load_verdicts, write_review_sheet
from dataflywheel.checks.plan import CheckPlan
from dataflywheel.checks.stats.sampling import BottomK, allocate, draw, sample_key
from dataflywheel.errors import BadInput, NotFound

ONLY = {
    "structural": False,
    "exact_duplicates": False,
    "blank": False,
    "charset": False,
    "length": False,
}
VENDORS = {"vendor_a": 600, "vendor_b": 300, "vendor_c": 95, "tiny": 5}


def sc_plan(**spot: Any) -> CheckPlan:
    return CheckPlan.model_validate({"id_field": "id", "checks": {**ONLY, "spot_check": spot}})


def batch_file(tmp_path: Path) -> Path:
    records = []
    for vendor, n in VENDORS.items():
        records += [{"id": f"{vendor}-{i}", "vendor": vendor, "text": "x"} for i in range(n)]
    records.sort(key=lambda r: sample_key(r["id"], 99))  # interleave vendors
    records.append({"id": "no-vendor", "text": "y"})
    return write_jsonl(tmp_path / "batch.jsonl", records)


def test_allocation_is_proportional_with_one_per_stratum() -> None:
    assert allocate(VENDORS, 50) == {"tiny": 1, "vendor_a": 30, "vendor_b": 15, "vendor_c": 4}
    assert allocate({"a": 3, "b": 2}, 50) == {"a": 3, "b": 2}  # fewer records than asked: all
    assert allocate({"a": 1, "b": 1, "c": 1}, 2) == {"a": 1, "b": 1, "c": 1}  # one per stratum wins
    assert sum(allocate({"a": 333, "b": 333, "c": 334}, 100).values()) == 100


def test_the_sample_is_stratified_and_deterministic(tmp_path: Path) -> None:
    path = batch_file(tmp_path)
    p = sc_plan(sample_size=50, stratify_by="vendor", seed=7)
    result = check(path, p).checks["spot_check"]
    sample = result.sections["sample"]
    strata = result.sections["strata"]
    # 1001 records, 50 asked: a 29.97, b 14.99, c 4.75, tiny 0.25 -> 1, none 0.05 -> 1;
    # floors and minimums give 49, the spare one goes to the largest remainder (b)
    assert {s: v["sampled"] for s, v in strata.items()} == {
        "(none)": 1,
        "tiny": 1,
        "vendor_a": 29,
        "vendor_b": 15,
        "vendor_c": 4,
    }
    assert all(strata[s]["sampled"] >= 1 for s in strata)
    assert strata["vendor_a"]["records"] == 600
    for row in sample:
        assert row["stratum"] == (
            "(none)" if row["record_id"] == "no-vendor" else row["record_id"].rsplit("-", 1)[0]
        )
        assert row["verdict"] is None
    # the records with the smallest keyed hash in each stratum
    a_ids = sorted((f"vendor_a-{i}" for i in range(600)), key=lambda rid: sample_key(rid, 7))
    picked = [r["record_id"] for r in sample if r["stratum"] == "vendor_a"]
    assert picked == a_ids[: len(picked)]
    assert result.metrics == {
        "spot_check_pass_rate": 0.0,
        "spot_check_sample_size": float(len(sample)),
        "spot_check_reviewed": 0.0,
        "spot_check_pending": float(len(sample)),
    }
    again = check(path, p).checks["spot_check"]
    assert again.sections["sample"] == sample
    other_seed = check(path, sc_plan(sample_size=50, stratify_by="vendor", seed=8)).checks[
        "spot_check"
    ]
    assert other_seed.sections["sample"] != sample


def test_the_sample_does_not_depend_on_sharding_or_order(tmp_path: Path) -> None:
    path = batch_file(tmp_path)
    p = sc_plan(sample_size=40, stratify_by="vendor", seed=3)
    single = check(path, p, engine="single")
    local = check(path, p, engine="local", workers=2, shard_bytes=4_000)
    assert local.to_json() == single.to_json()
    lines = path.read_text().splitlines()
    reversed_path = tmp_path / "reversed.jsonl"
    reversed_path.write_text("\n".join(reversed(lines)) + "\n")
    rev = check(reversed_path, p).checks["spot_check"]
    ids = lambda res: sorted(r["record_id"] for r in res.sections["sample"])
    assert ids(rev) == ids(single.checks["spot_check"])


def test_bottom_k_merge_is_associative() -> None:
    def part(ids: list[str]) -> BottomK:
        b = BottomK(3)
        for rid in ids:
            b.add(rid[0], (sample_key(rid, 1), "f", line_of[rid], rid))
        return b.trim()

    ids = [f"{s}{i}" for s in "ab" for i in range(20)]
    line_of = {rid: n for n, rid in enumerate(ids, start=1)}
    x, y, z = ids[:13], ids[13:29], ids[29:]
    left = (part(x) + part(y)) + part(z)
    right = part(x) + (part(y) + part(z))
    assert left == right == part(ids)
    assert draw(left, 4) == draw(part(ids), 4)


def verdicts(tmp_path: Path, rows: list[Any]) -> Path:
    path = tmp_path / "reviews.jsonl"
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def test_verdicts_give_the_pass_rate(tmp_path: Path) -> None:
    path = batch_file(tmp_path)
    first = check(path, sc_plan(sample_size=10, stratify_by="vendor")).checks["spot_check"]
    sheet = tmp_path / "sheet.jsonl"
    assert write_review_sheet(first, sheet) == len(first.sections["sample"])
    rows = [json.loads(line) for line in sheet.read_text().splitlines()]
    for n, row in enumerate(rows[:8]):
        row.update(
            verdict="fail" if n in (2, 5) else "pass",
            reviewer="qa1",
            note="garbled" if n in (2, 5) else "",
        )
    sheet.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = check(path, sc_plan(sample_size=10, stratify_by="vendor", reviews=str(sheet))).checks[
        "spot_check"
    ]
    assert result.metrics["spot_check_reviewed"] == 8.0
    assert result.metrics["spot_check_pass_rate"] == 6 / 8
    assert result.metrics["spot_check_pending"] == float(len(rows) - 8)
    failed = result.examples["spot_check_pass_rate"]
    assert len(failed) == 2 and all(e.detail == "failed review by qa1: garbled" for e in failed)
    per = result.sections["strata"]
    assert sum(v["reviewed"] for v in per.values()) == 8


def test_a_gate_on_the_pass_rate(tmp_path: Path) -> None:
    path = batch_file(tmp_path)
    sample = check(path, sc_plan(sample_size=5)).checks["spot_check"].sections["sample"]
    reviews = verdicts(
        tmp_path,
        [{"record_id": r["record_id"], "verdict": "fail", "reviewer": "q"} for r in sample],
    )
    p = CheckPlan.model_validate(
        {
            "id_field": "id",
            "checks": {**ONLY, "spot_check": {"sample_size": 5, "reviews": str(reviews)}},
            "thresholds": [{"metric": "spot_check_pass_rate", "op": ">=", "value": 0.95}],
        }
    )
    report = check(path, p)
    assert not report.passed and report.failed_gates[0].observed == 0.0


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (['{"record_id": "a", "verdict": "pass"'], ":1: verdict line is not valid JSON"),
        (
            [{"record_id": "a", "verdict": "ok", "reviewer": "q"}],
            ":1: invalid verdict; field 'verdict'; expected Input should be 'pass' or 'fail'; got 'ok'",
        ),
        (
            [{"verdict": "pass", "reviewer": "q"}],
            ":1: invalid verdict; field 'record_id'; expected Field required",
        ),
        (
            [{"record_id": "a", "verdict": "pass"}],
            ":1: invalid verdict; field '(line)'; expected Value error, a verdict needs the reviewer who gave it",
        ),
        (
            [{"record_id": "a", "verdict": "pass", "reviewer": "q", "score": 3}],
            ":1: invalid verdict; field 'score'; expected Extra inputs are not permitted; got 3",
        ),
        (
            [
                {"record_id": "a", "verdict": "pass", "reviewer": "q"},
                "",
                {"record_id": "a", "verdict": "fail", "reviewer": "r"},
            ],
            ":3: second verdict for record 'a'; expected one verdict per record (first at line 1)",
        ),
        (
            ["[1, 2]"],
            ":1: invalid verdict; field '(line)'; expected Input should be a valid dictionary",
        ),
    ],
)
def test_bad_verdict_files_are_refused_before_reading(
    tmp_path: Path, rows: list[Any], message: str
) -> None:
    path = verdicts(tmp_path, rows)
    with pytest.raises(BadInput) as err:
        SpotCheck(sc_plan(reviews=str(path)))
    assert str(err.value).startswith(str(path) + message)


def test_a_missing_verdict_file(tmp_path: Path) -> None:
    with pytest.raises(NotFound) as err:
        load_verdicts(tmp_path / "none.jsonl")
    assert str(err.value) == f"{tmp_path / 'none.jsonl'}: spot-check verdict file not found"


def test_a_verdict_for_a_record_outside_the_sample(tmp_path: Path) -> None:
    path = batch_file(tmp_path)
    sample = check(path, sc_plan(sample_size=3)).checks["spot_check"].sections["sample"]
    rows = [{"record_id": r["record_id"], "verdict": "pass", "reviewer": "q"} for r in sample]
    rows.insert(1, {"record_id": "not-sampled", "verdict": "pass", "reviewer": "q"})
    reviews = verdicts(tmp_path, rows)
    with pytest.raises(BadInput) as err:
        check(path, sc_plan(sample_size=3, reviews=str(reviews)))
    assert str(err.value) == (
        f"{reviews}:2: verdict for record 'not-sampled', which is not in the spot-check sample "
        "(1 such verdict(s)); expected verdicts only for the sampled records (same batch, seed and "
        "sample_size). Next: review the records listed in the report's spot_check sample"
    )


def test_an_empty_batch_samples_nothing() -> None:
    sc = SpotCheck(sc_plan(sample_size=5))
    result = sc.finish(sc.partial(RecordBatch(file="x")))
    assert result.sections["sample"] == [] and result.metrics["spot_check_sample_size"] == 0.0


def test_new_verdicts_count_in_the_next_run_of_the_same_plan(tmp_path: Path) -> None:
    path = batch_file(tmp_path)
    reviews = verdicts(tmp_path, [])
    p = sc_plan(sample_size=4, reviews=str(reviews))
    first = check(path, p).checks["spot_check"]
    assert first.metrics["spot_check_reviewed"] == 0.0
    rows = [{"record_id": r["record_id"], "verdict": "pass", "reviewer": "q"} for r in first.sections["sample"]]
    verdicts(tmp_path, rows[:3])  # reviewers wrote three verdicts since
    second = check(path, p).checks["spot_check"]
    assert second.metrics["spot_check_reviewed"] == 3.0 and second.metrics["spot_check_pass_rate"] == 1.0
