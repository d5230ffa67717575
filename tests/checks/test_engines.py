from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from checkhelp import check, plan, write_jsonl

from dataflywheel.checks.base import RecordBatch, enabled_checks
from dataflywheel.checks.readers import read_file
from dataflywheel.errors import BadInput

WORDS = [
    "the",
    "cat",
    "sat",
    "on",
    "a",
    "mat",
    "with",
    "café",
    "naïve",
    "résumé",
    "and",
    "some",
    "more",
    "words",
    "to",
    "mix",
]


def _corpus(path: Path, n: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    lines = []
    for i in range(n):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 30)))
        roll = rng.random()
        if roll < 0.05:
            text = "dup " * 5
        elif roll < 0.07:
            text += " mail me: x@y.org"
        elif roll < 0.08:
            text += "\u0007"
        rec = {"id": f"r{i}", "text": text, "source": rng.choice("abc")}
        if roll > 0.99:
            lines.append('{"id": "broken",')
            continue
        if roll > 0.98:
            rec["text"] = 5
        lines.append(json.dumps(rec, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _full_plan():  # type: ignore[no-untyped-def]
    return plan(
        breakdown_by="source",
        checks={"pii": {}},
        thresholds=[
            {"metric": "duplicate_rate", "op": "<", "value": 0.01},
            {"metric": "blank_rate", "op": "<=", "value": 0.5},
        ],
    )


def test_local_engine_report_is_byte_identical_to_single(tmp_path: Path) -> None:
    path = _corpus(tmp_path / "c.jsonl", 6000)
    p = _full_plan()
    single = check(path, p, engine="single")
    local = check(path, p, engine="local", workers=2, shard_bytes=40_000)
    assert len(single.files) == 1 and single.records > 5000
    assert local.to_json() == single.to_json()
    assert local.to_markdown() == single.to_markdown()
    assert not single.passed and single.failed_gates[0].metric == "duplicate_rate"


def test_two_files_merge_in_the_order_given(tmp_path: Path) -> None:
    a = _corpus(tmp_path / "a.jsonl", 800, seed=1)
    b = _corpus(tmp_path / "b.jsonl", 800, seed=2)
    p = _full_plan()
    one = check([a, b], p, engine="single")
    many = check([a, b], p, engine="local", workers=2, shard_bytes=10_000)
    assert one.to_json() == many.to_json()
    assert [f.file for f in one.files] == [str(a), str(b)]
    groups = one.checks["exact_duplicates"].sections["groups"]
    assert groups[0]["records"][0]["file"] == str(a)


def test_partials_merge_associatively_in_any_grouping(tmp_path: Path) -> None:
    path = _corpus(tmp_path / "c.jsonl", 1500)
    p = _full_plan()
    batches = [b for b in read_file(str(path), p) if len(b)]
    rows = [(b.file, *r) for b in batches for r in zip(b.ids, b.lines, b.values, b.texts, b.groups)]
    rng = random.Random(3)
    for _ in range(3):
        cuts = sorted(rng.sample(range(1, len(rows)), 6))
        parts = [rows[i:j] for i, j in zip([0, *cuts], [*cuts, len(rows)])]
        small = [
            RecordBatch(
                file=str(path),
                shard=0,
                ids=[r[1] for r in part],
                lines=[r[2] for r in part],
                values=[r[3] for r in part],
                texts=[r[4] for r in part],
                groups=[r[5] for r in part],
            )
            for part in parts
        ]
        for check_ in enabled_checks(p):
            left = [check_.partial(b) for b in small]
            acc = left[0]
            for x in left[1:]:
                acc = acc + x
            right = [check_.partial(b) for b in small]
            tail = right[-1]
            for x in reversed(right[:-1]):
                tail = x + tail
            whole = check_.partial(
                RecordBatch(
                    file=str(path),
                    ids=[r[1] for r in rows],
                    lines=[r[2] for r in rows],
                    values=[r[3] for r in rows],
                    texts=[r[4] for r in rows],
                    groups=[r[5] for r in rows],
                )
            )
            expected = check_.finish(whole).model_dump_json()
            assert check_.finish(acc).model_dump_json() == expected, check_.name
            assert check_.finish(tail).model_dump_json() == expected, check_.name


def test_rejects_file_lists_every_reject_in_input_order(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "r.jsonl", [{"id": "1", "text": "ok"}, {"id": "2"}, {"id": "3", "text": 3}]
    )
    path.write_text(path.read_text() + "not json\n", encoding="utf-8")
    out = tmp_path / "out" / "rejects.jsonl"
    report = check(path, rejects=out)
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert lines == [
        {
            "check": "structural",
            "file": str(path),
            "line": 2,
            "reason": "missing required field 'text'",
            "record_id": "2",
        },
        {
            "check": "structural",
            "file": str(path),
            "line": 3,
            "reason": "field 'text': expected string, got integer",
            "record_id": "3",
        },
        {
            "check": "read",
            "file": str(path),
            "line": 4,
            "reason": "invalid JSON: JSON is malformed: invalid character (byte 4)",
            "record_id": None,
        },
    ]
    assert report.rejected == 3 and report.rejects_total == 3


def test_a_threshold_on_an_unknown_metric_is_bad_input(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "x.jsonl", [{"id": "1", "text": "a"}])
    p = plan(thresholds=[{"metric": "dupe_rate", "op": "<", "value": 0.1}])
    with pytest.raises(BadInput) as err:
        check(path, p)
    assert str(err.value).startswith(
        "threshold names a metric no enabled check produces; field 'thresholds.dupe_rate'; "
        "expected one of blank_count, blank_rate, chars_max,"
    )
    assert not (tmp_path / "rejects.jsonl").exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"engine": "ray"}, "unknown engine; field 'engine'; expected local or single; got 'ray'"),
        ({"workers": 0}, "workers must be at least 1; field 'workers'; got 0"),
    ],
)
def test_bad_engine_options(tmp_path: Path, kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    path = write_jsonl(tmp_path / "x.jsonl", [{"id": "1", "text": "a"}])
    with pytest.raises(BadInput) as err:
        check(path, **kwargs)
    assert str(err.value) == message


def test_the_same_file_twice_is_refused(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "x.jsonl", [{"id": "1", "text": "a"}])
    with pytest.raises(BadInput) as err:
        check([path, path])
    assert str(err.value).startswith("the same file is named twice")


def test_progress_is_reported_up_to_the_total(tmp_path: Path) -> None:
    path = _corpus(tmp_path / "c.jsonl", 2000)
    seen: list[tuple[int, int, int]] = []
    check(path, shard_bytes=20_000, progress=lambda d, t, r: seen.append((d, t, r)))
    assert len(seen) > 3
    assert seen[-1][0] == seen[-1][1] == path.stat().st_size
    assert [s[0] for s in seen] == sorted(s[0] for s in seen)


def test_a_failed_count_gate_shows_the_examples_of_its_rate(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "x.jsonl", [{"id": "1", "text": "a"}, {"id": "2", "text": "A"}])
    p = plan(thresholds=[{"metric": "duplicate_count", "op": "==", "value": 0}])
    report = check(path, p)
    assert not report.passed
    assert [(e.line, e.record_id) for e in report.gates[0].examples] == [(2, "2")]


def test_the_report_json_round_trips_byte_for_byte(tmp_path: Path) -> None:
    from dataflywheel.checks.report import QualityReport

    report = check(_corpus(tmp_path / "c.jsonl", 500), _full_plan())
    again = QualityReport.model_validate_json(report.to_json())
    assert again.to_json() == report.to_json()
    assert again.to_markdown() == report.to_markdown()


def test_the_single_engine_reads_a_file_whole_and_reports_progress_per_batch(
    tmp_path: Path,
) -> None:
    from dataflywheel.checks.readers.source import CHUNK_BYTES

    path = _corpus(tmp_path / "c.jsonl", 30_000)
    size = path.stat().st_size
    assert size > 3 * CHUNK_BYTES  # a batch ends at a chunk's end at the soonest
    seen: list[tuple[int, int, int]] = []
    single = check(path, plan(), progress=lambda d, t, r: seen.append((d, t, r)))
    assert len(seen) >= 4  # three batches or more, then the shard
    assert [s[0] for s in seen] == sorted(s[0] for s in seen)
    assert [s[2] for s in seen] == sorted(s[2] for s in seen)
    assert seen[-1] == (size, size, single.records)
    sharded = check(path, plan(), shard_bytes=size // 5)
    assert single.to_json() == sharded.to_json()
