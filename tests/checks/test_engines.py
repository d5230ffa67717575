from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest
from checkhelp import check, plan, run_fresh, write_jsonl

from dataflywheel.checks.base import RecordBatch, enabled_checks
from dataflywheel.checks.readers import read_file
from dataflywheel.errors import BadInput
from dataflywheel.reports.render import render

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
        checks={"pii": {}, "near_duplicates": {}},
        thresholds=[
            {"metric": "duplicate_rate", "op": "<", "value": 0.01},
            {"metric": "blank_rate", "op": "<=", "value": 0.5},
        ],
    )


@pytest.fixture
def helper_goes_first(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make the local engine's own process wait, before its first shard, until a helper process
    has sent an outcome, so the helpers' path is taken however fast this machine is. Yields the
    number of runs that waited."""
    import time

    from dataflywheel.checks.engines import helpers as local

    runs: list[local.Helpers] = []
    waited: list[int] = []
    run, run_shard = local.Helpers.run, local.run_shard

    def tracked_run(self: local.Helpers, *args, **kwargs):  # type: ignore[no-untyped-def]
        runs.append(self)
        return run(self, *args, **kwargs)

    def waiting_run_shard(*args, **kwargs):  # type: ignore[no-untyped-def]
        if len(waited) < len(runs):
            deadline = time.monotonic() + 60
            while runs[-1]._inbox.empty() and time.monotonic() < deadline:
                time.sleep(0.01)
            waited.append(1)
        return run_shard(*args, **kwargs)

    monkeypatch.setattr(local.Helpers, "run", tracked_run)
    monkeypatch.setattr(local, "run_shard", waiting_run_shard)
    return waited


def test_local_engine_report_is_byte_identical_to_single(
    tmp_path: Path, helper_goes_first: list[int]
) -> None:
    path = _corpus(tmp_path / "c.jsonl", 6000)
    p = _full_plan()
    single = check(path, p, engine="single")
    local = check(path, p, engine="local", workers=2, shard_bytes=40_000)
    assert len(single.files) == 1 and single.records > 5000
    assert local.to_json() == single.to_json()
    assert render(local, "markdown") == render(single, "markdown")
    assert not single.passed and single.failed_gates[0].metric == "duplicate_rate"
    assert helper_goes_first == [1]


def test_two_files_merge_in_the_order_given(tmp_path: Path, helper_goes_first: list[int]) -> None:
    a = _corpus(tmp_path / "a.jsonl", 800, seed=1)
    b = _corpus(tmp_path / "b.jsonl", 800, seed=2)
    p = _full_plan()
    one = check([a, b], p, engine="single")
    many = check([a, b], p, engine="local", workers=2, shard_bytes=10_000)
    assert one.to_json() == many.to_json()
    assert [f.file for f in one.files] == [str(a), str(b)]
    groups = one.checks["exact_duplicates"].sections["groups"]
    assert groups[0]["records"][0]["file"] == str(a)
    assert helper_goes_first == [1]


def test_a_parquet_file_is_read_in_row_group_shards_with_the_single_report(
    tmp_path: Path, helper_goes_first: list[int]
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from dataflywheel.checks.readers import plan_shards

    rng = random.Random(3)
    rows = []
    for i in range(6000):
        text: str | None = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 30)))
        roll = rng.random()
        if roll < 0.05:
            text = "dup " * 5
        elif roll < 0.07:
            text = f"{text} mail me: x@y.org"
        elif roll < 0.08:
            text = None  # a schema violation, rejected with its row number
        rows.append({"id": f"r{i}", "text": text, "source": rng.choice("abc")})
    path = tmp_path / "c.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=700)
    assert len(plan_shards([str(path)], shard_bytes=20_000)) > 4
    p = _full_plan()
    single = check(path, p, engine="single")
    local = check(path, p, engine="local", workers=2, shard_bytes=20_000)
    assert local.to_json() == single.to_json()
    assert helper_goes_first == [1]
    nulls = [i + 1 for i, r in enumerate(rows) if r["text"] is None]
    assert len(nulls) > 20
    assert [r.line for r in single.rejects if r.check == "structural"] == nulls[:1000]
    assert single.files[0].bytes == path.stat().st_size


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
    assert render(again, "markdown") == render(report, "markdown")


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


def _truncated_gzip(path: Path) -> Path:
    import gzip

    data = b"".join(
        json.dumps({"id": str(i), "text": f"t {i}"}).encode() + b"\n" for i in range(20000)
    )
    path.write_bytes(gzip.compress(data)[:20000])
    return path


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary-files directory of this test's own (helper processes too), so leftovers can be
    listed."""
    import tempfile

    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    monkeypatch.setenv("TMPDIR", str(root))
    return root


@pytest.mark.parametrize("engine", ["single", "local"])
def test_each_run_spills_into_its_own_directory_which_outlives_finish_only(
    tmp_path: Path,
    temp_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    engine: str,
    helper_goes_first: list[int],
) -> None:
    from dataflywheel.checks import spill
    from dataflywheel.checks.builtin.near_duplicates import NearDuplicateCheck

    seen: list[tuple[Path, bool]] = []
    original = NearDuplicateCheck.finish_with

    def finish_with(self: NearDuplicateCheck, partial, done):  # type: ignore[no-untyped-def]
        here = spill.directory()
        seen.append((here, here.is_dir()))
        return original(self, partial, done)

    monkeypatch.setattr(NearDuplicateCheck, "finish_with", finish_with)
    path = _corpus(tmp_path / "c.jsonl", 3000)
    for _ in range(2):
        check(path, _full_plan(), engine=engine, workers=2, shard_bytes=30_000)
    assert [(d.parent, d.name.startswith("flywheel-check-"), ok) for d, ok in seen] == [
        (temp_root, True, True),
        (temp_root, True, True),
    ]
    assert seen[0][0] != seen[1][0]
    assert list(temp_root.iterdir()) == []  # both removed, and no helper spilled elsewhere
    assert helper_goes_first == ([1, 1] if engine == "local" else [])
    assert spill.directory().parent != temp_root  # the run's directory is unset after it


@pytest.mark.parametrize("engine", ["single", "local"])
def test_a_failed_run_leaves_no_spill_directory(
    tmp_path: Path, temp_root: Path, engine: str
) -> None:
    good = _corpus(tmp_path / "a.jsonl", 3000)
    bad = _truncated_gzip(tmp_path / "cut.jsonl.gz")
    with pytest.raises(BadInput) as err:
        check([good, bad], _full_plan(), engine=engine, workers=2, shard_bytes=20_000)
    assert "gzip file is truncated or corrupt" in str(err.value)
    assert str(err.value).startswith(f"{bad}: ")
    assert list(temp_root.iterdir()) == []


def test_a_failing_finish_leaves_no_spill_directory(
    tmp_path: Path, temp_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataflywheel.checks.builtin.near_duplicates import NearDuplicateCheck

    def finish_with(self: NearDuplicateCheck, partial, done):  # type: ignore[no-untyped-def]
        raise OSError("disk gone")

    monkeypatch.setattr(NearDuplicateCheck, "finish_with", finish_with)
    with pytest.raises(OSError, match="disk gone"):
        check(_corpus(tmp_path / "c.jsonl", 500), _full_plan(), engine="single")
    assert list(temp_root.iterdir()) == []


def test_a_helper_reports_its_error_with_its_traceback(tmp_path: Path) -> None:
    import multiprocessing
    import pickle

    from dataflywheel.checks.engines.helpers import _helper
    from dataflywheel.checks.readers import plan_shards

    bad = _truncated_gzip(tmp_path / "cut.jsonl.gz")
    ctx = multiprocessing.get_context("spawn")
    mine, theirs = ctx.Pipe()
    counter = ctx.Value("q", 0)
    mine.send(plan_shards([str(bad)]))
    _helper(theirs, counter, plan(), str(tmp_path), 2, ctx.Value("q", 0))  # here, for the test
    kind, (error, text) = pickle.loads(mine.recv_bytes())
    assert kind == "error" and isinstance(error, BadInput)
    assert str(error).startswith(f"{bad}: gzip file is truncated")
    assert "Traceback" in text and "BadInput" in text
    assert counter.value == 1


def test_a_helper_that_dies_fails_the_run(tmp_path: Path) -> None:
    import time

    from dataflywheel.checks.base import enabled_checks
    from dataflywheel.checks.engines.helpers import Helpers
    from dataflywheel.checks.engines.run import Merge, RunProgress
    from dataflywheel.checks.readers import plan_shards

    path = _corpus(tmp_path / "c.jsonl", 3000)
    p = _full_plan()
    checks = enabled_checks(p)
    with (
        pytest.raises(RuntimeError) as err,
        Helpers(1, p, str(tmp_path), 2, checks=checks) as helpers,
    ):
        helpers._procs[0].kill()
        deadline = time.monotonic() + 30
        while helpers._inbox.empty() and time.monotonic() < deadline:
            time.sleep(0.05)
        shards = plan_shards([str(path)], shard_bytes=20_000)
        helpers.run(shards, Merge(len(checks)), RunProgress(None, path.stat().st_size))
    assert str(err.value) == (
        "a helper process of the local engine died (exit code -9); nothing of this run was kept"
    )
    assert not helpers._procs[0].is_alive()


def test_a_run_leaves_no_thread_behind_and_closes_no_pipe_under_a_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader threads are joined before the pipes close: a thread left running would make
    this process's next run spawn its helpers, and a pipe closed under a reader fails inside
    `recv_bytes`. A reader made slow to see its helper's end shows both."""
    import threading
    import time

    from dataflywheel.checks.engines import helpers as local

    receive, failures = local.Helpers._receive, []

    def slow_receive(self: local.Helpers, i: int, conn: object) -> None:
        receive(self, i, conn)  # type: ignore[arg-type]
        time.sleep(0.3)
        assert not self._conns[i].closed  # `stop` waits for this thread before closing it

    monkeypatch.setattr(local.Helpers, "_receive", slow_receive)
    monkeypatch.setattr(threading, "excepthook", lambda args: failures.append(args.exc_value))
    path = _corpus(tmp_path / "c.jsonl", 3000)
    before = threading.active_count()
    report = check(path, _full_plan(), engine="local", workers=2, shard_bytes=20_000)
    assert report.records > 2900
    assert threading.active_count() == before
    assert failures == []


def test_a_helper_gone_before_the_finish_jobs_fails_the_run(tmp_path: Path) -> None:
    """A helper that dies once the shards are read (before or after it says "idle") is the
    dead-helper error when the finish jobs are handed out, not a broken pipe or a wait."""
    import time

    from dataflywheel.checks.base import enabled_checks
    from dataflywheel.checks.engines.helpers import Helpers
    from dataflywheel.checks.engines.run import Merge, RunProgress
    from dataflywheel.checks.readers import plan_shards

    path = _corpus(tmp_path / "c.jsonl", 3000)
    checks = enabled_checks(_full_plan())
    with (
        pytest.raises(RuntimeError) as err,
        Helpers(1, _full_plan(), str(tmp_path), 2, checks=checks) as helpers,
    ):
        shards = plan_shards([str(path)], shard_bytes=20_000)
        helpers.run(shards, Merge(len(checks)), RunProgress(None, path.stat().st_size))
        helpers._procs[0].kill()
        deadline = time.monotonic() + 30  # until its reader thread has seen the pipe close
        while helpers._threads[0].is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        helpers.run_jobs([lambda: 1, lambda: 2])
    assert str(err.value) == (
        "a helper process of the local engine died (exit code -9); nothing of this run was kept"
    )


def test_tasks_shrink_towards_the_end_and_cover_every_shard_once() -> None:
    from dataflywheel.checks.engines.tasks import task_end
    from dataflywheel.checks.readers import Shard

    shards = [Shard(i, "f", "jsonl", "none", i * 10, i * 10 + 10, 1, 1000) for i in range(100)]
    starts, at = [], 0
    while at < len(shards):
        starts.append(at)
        at = task_end(shards, at, 2)
    sizes = [b - a for a, b in zip(starts, [*starts[1:], len(shards)])]
    assert sizes[:4] == [25, 19, 14, 11] and sizes[-3:] == [1, 1, 1]
    assert sizes == sorted(sizes, reverse=True) and sum(sizes) == 100
    big = [Shard(i, "f", "jsonl", "none", i << 25, (i + 1) << 25, 1, 100 << 25) for i in range(100)]
    assert task_end(big, 0, 2) == 2  # 64 MB at most (at least one shard)


def test_local_reads_a_small_input_or_one_worker_here_without_helpers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataflywheel.checks.engines import local

    def no_helpers(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a helper process was started")

    monkeypatch.setattr(local, "start_helpers", no_helpers)
    path = _corpus(tmp_path / "c.jsonl", 2000)
    single = check(path, _full_plan())
    assert check(path, _full_plan(), engine="local", workers=2).to_json() == single.to_json()
    one = check(path, _full_plan(), engine="local", workers=1, shard_bytes=20_000)
    assert one.to_json() == single.to_json()
    with pytest.raises(AssertionError, match="a helper process was started"):
        check(path, _full_plan(), engine="local", workers=2, shard_bytes=20_000)


def test_finish_calls_run_side_by_side_and_report_in_check_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exact duplicates' `finish` and near duplicates' `finish_with` (after its finish jobs) wait
    for each other (a barrier): only threads side by side get through. The report is the one a
    plain serial finish gives."""
    import os
    import threading

    from dataflywheel.checks.builtin.duplicates import ExactDuplicateCheck
    from dataflywheel.checks.builtin.near_duplicates import NearDuplicateCheck

    path = _corpus(tmp_path / "c.jsonl", 1500)
    serial = check(path, _full_plan())  # whatever this machine's CPUs: the reference
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    both = threading.Barrier(2, timeout=30)

    def finish(self, partial, original=ExactDuplicateCheck.finish):  # type: ignore[no-untyped-def]
        both.wait()
        return original(self, partial)

    def finish_with(self, partial, done, original=NearDuplicateCheck.finish_with):  # type: ignore[no-untyped-def]
        both.wait()
        return original(self, partial, done)

    monkeypatch.setattr(ExactDuplicateCheck, "finish", finish)
    monkeypatch.setattr(NearDuplicateCheck, "finish_with", finish_with)
    assert check(path, _full_plan()).to_json() == serial.to_json()


def test_finish_is_serial_on_one_cpu_and_the_first_failure_in_check_order_is_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import threading

    from dataflywheel.checks.builtin.duplicates import ExactDuplicateCheck
    from dataflywheel.checks.builtin.near_duplicates import NearDuplicateCheck

    path = _corpus(tmp_path / "c.jsonl", 300)
    threads: list[threading.Thread] = []
    original = ExactDuplicateCheck.finish

    def recorded(self, partial):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread())
        return original(self, partial)

    monkeypatch.setattr(ExactDuplicateCheck, "finish", recorded)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    check(path, _full_plan())
    assert threads == [threading.main_thread()]

    def fails(message: str):  # type: ignore[no-untyped-def]
        def finish(self, partial, *done):  # type: ignore[no-untyped-def]
            raise OSError(message)

        return finish

    monkeypatch.setattr(ExactDuplicateCheck, "finish", fails("exact"))
    monkeypatch.setattr(NearDuplicateCheck, "finish_with", fails("near"))
    names = [c.name for c in enabled_checks(_full_plan())]
    assert names.index("exact_duplicates") < names.index("near_duplicates")
    for cpus in (1, 4):
        monkeypatch.setattr(os, "cpu_count", lambda cpus=cpus: cpus)
        with pytest.raises(OSError, match="exact"):
            check(path, _full_plan())
    monkeypatch.setattr(ExactDuplicateCheck, "finish", original)
    monkeypatch.setattr(NearDuplicateCheck, "finish_jobs", fails("no jobs"))
    with pytest.raises(OSError, match="no jobs"):  # after the others have finished
        check(path, _full_plan())


@pytest.mark.parametrize("enabled", [True, False])
def test_garbage_collection_pauses_during_finish_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, enabled: bool
) -> None:
    import gc

    from dataflywheel.checks.builtin.near_duplicates import NearDuplicateCheck

    seen: list[bool] = []
    original = NearDuplicateCheck.finish_with

    def finish_with(self, partial, done):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return original(self, partial, done)

    monkeypatch.setattr(NearDuplicateCheck, "finish_with", finish_with)
    path = _corpus(tmp_path / "c.jsonl", 300)
    (gc.enable if enabled else gc.disable)()
    try:
        check(path, _full_plan())
        assert seen == [False] and gc.isenabled() == enabled  # restored as it was
    finally:
        gc.enable()


FINISH_JOBS = """
import os, sys, time
from pathlib import Path
from checkhelp import check
from test_engines import _corpus, _full_plan
from dataflywheel.checks.builtin import near_duplicates
from dataflywheel.checks.engines.helpers import HelperError
from dataflywheel.checks.similarity.index import candidate_codes

path = _corpus(Path(sys.argv[1]) / "c.jsonl", 6000)
seen, parent, mode = Path(sys.argv[1]) / "pids", os.getpid(), sys.argv[2]

def noting(*args, **kwargs):  # every finish job notes its process; the helper's may fail
    with open(seen, "a") as f:
        f.write(f"{os.getpid()}\\n")
    if os.getpid() == parent:
        time.sleep(0.2)  # so that the helper takes jobs too
    elif mode == "raise":
        raise OSError("slots unreadable")
    elif mode == "die":
        os._exit(3)
    return candidate_codes(*args, **kwargs)

near_duplicates.candidate_codes = noting
try:  # first: forked helpers (a later run spawns them, and they could not find `noting`)
    local = check(path, _full_plan(), engine="local", workers=2, shard_bytes=20_000)
except Exception as err:
    print(type(err).__name__, err, isinstance(err.__cause__, HelperError))
else:
    pids = seen.read_text().split()
    near_duplicates.candidate_codes = candidate_codes
    single = check(path, _full_plan(), engine="single")
    print(len(pids), len(set(pids)), str(parent) in pids, single.to_json() == local.to_json())
"""


@pytest.mark.skipif(sys.platform != "linux", reason="helpers fork on Linux only")
def test_finish_jobs_are_shared_with_the_helpers_and_the_report_stays_the_same(
    tmp_path: Path,
) -> None:
    """Near duplicates' banding (6 jobs at the default threshold) runs in this process and in
    the helper, which took no part in `finish` before; the report is the single engine's."""
    assert run_fresh(FINISH_JOBS, str(tmp_path), "ok") == "6 2 True True\n"


@pytest.mark.skipif(sys.platform != "linux", reason="helpers fork on Linux only")
def test_a_finish_job_failing_in_a_helper_is_raised_with_its_traceback(tmp_path: Path) -> None:
    out = run_fresh(FINISH_JOBS, str(tmp_path), "raise")
    assert out == "OSError slots unreadable True\n"


@pytest.mark.skipif(sys.platform != "linux", reason="helpers fork on Linux only")
def test_a_helper_dying_in_a_finish_job_is_an_error_naming_its_exit_code(tmp_path: Path) -> None:
    out = run_fresh(FINISH_JOBS, str(tmp_path), "die")
    assert out.startswith("RuntimeError a helper process of the local engine died (exit code 3)")


FORKED_RUN = """
import os, sys, threading
from pathlib import Path
from checkhelp import check
from test_engines import _corpus, _full_plan
from dataflywheel.checks.engines import helpers as local

path = _corpus(Path(sys.argv[1]) / "c.jsonl", 6000)
assert local.start_method() == "fork", (threading.enumerate(), sorted(local.THREADED_NATIVE))
parent, run_shard, seen = os.getpid(), local.run_shard, []

def helper_first(*args, **kwargs):  # this process waits until a helper has sent an outcome
    if os.getpid() == parent and not seen:
        import time
        deadline = time.monotonic() + 60
        while helpers[-1]._inbox.empty() and time.monotonic() < deadline:
            time.sleep(0.01)
        seen.append(not helpers[-1]._inbox.empty())
    return run_shard(*args, **kwargs)

helpers, run = [], local.Helpers.run
def tracked(self, *args, **kwargs):
    helpers.append(self)
    return run(self, *args, **kwargs)

local.run_shard, local.Helpers.run = helper_first, tracked
forked = check(path, _full_plan(), engine="local", workers=2, shard_bytes=40_000)
single = check(path, _full_plan(), engine="single")
assert seen == [True], seen
assert forked.to_json() == single.to_json()
import multiprocessing, tempfile
left = sorted(p.name for p in Path(tempfile.gettempdir()).iterdir())
assert left == [], left  # each run's spill directory is gone (TMPDIR is this test's own)
assert multiprocessing.active_children() == []
print("identical", single.records)
"""


def test_a_fresh_process_forks_its_helpers_and_reports_as_single(tmp_path: Path) -> None:
    """The fork path runs in a new interpreter: this test process has imported polars, so its
    own runs spawn (see `test_forking_only_while_no_thread_or_native_pool_runs`)."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    out = run_fresh(FORKED_RUN, str(tmp_path), env={"TMPDIR": str(scratch)})
    assert out.split()[0] == "identical" and int(out.split()[1]) > 5000


HELPER_IMPORTS = """
import os, sys
from pathlib import Path
from checkhelp import check, plan
from test_engines import _corpus, _full_plan
from dataflywheel.checks.engines import helpers as local

path = _corpus(Path(sys.argv[1]) / "c.jsonl", 3000)
seen, parent, run_task = Path(sys.argv[1]) / "seen", os.getpid(), local.run_task

def noting(*args, **kwargs):  # in a helper: were polars and nanoarrow there before its first shard?
    if os.getpid() != parent:
        with open(seen, "a") as f:
            f.write(f"{'polars' in sys.modules and 'nanoarrow' in sys.modules}\\n")
    return run_task(*args, **kwargs)

local.run_task = noting
for name, p in (
    ("structural", plan(checks={"exact_duplicates": False, "blank": False, "charset": False,
                                "length": False})),
    ("columns", _full_plan()),  # after: this process then holds polars
):
    assert local.start_method() == "fork"
    check(path, p, engine="local", workers=2, shard_bytes=20_000)
    print(name, sorted(set(seen.read_text().split())) if seen.exists() else [])
    seen.unlink(missing_ok=True)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="helpers fork on Linux only")
def test_a_forked_helper_imports_its_checks_modules_before_its_first_shard(
    tmp_path: Path,
) -> None:
    """A forked helper cannot inherit polars (imported only after the fork), so it
    imports what its checks name in `Check.modules` while the parent plans the shards; a plan
    whose checks name none (structural only) imports neither."""
    out = run_fresh(HELPER_IMPORTS, str(tmp_path))
    assert out.splitlines() == ["structural ['False']", "columns ['True']"]


@pytest.mark.skipif(sys.platform != "linux", reason="helpers fork on Linux only")
def test_forking_only_while_no_thread_or_native_pool_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import threading

    from dataflywheel.checks.engines import helpers as local

    monkeypatch.setattr(local, "THREADED_NATIVE", ("dataflywheel.not.imported",))
    real, alone = threading.active_count, threading.active_count()  # a run may hold threads of
    monkeypatch.setattr(local.threading, "active_count", lambda: real() - alone + 1)  # its own
    assert local.start_method() == "fork"
    monkeypatch.setattr(local, "THREADED_NATIVE", ("json",))  # imported: a pool could run
    assert "json" in sys.modules and local.start_method() == "spawn"
    monkeypatch.setattr(local, "THREADED_NATIVE", ("dataflywheel.not.imported",))
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert local.start_method() == "spawn"
    finally:
        stop.set()
        other.join()
    assert local.start_method() == "fork"


def test_every_check_on_jsonl_runs_without_importing_pyarrow(tmp_path: Path) -> None:
    """pyarrow is for Parquet: its import (~0.1 s) would be paid by every process of a run."""
    path = _corpus(tmp_path / "c.jsonl", 300)
    script = (
        "import sys\n"
        "from test_engines import _full_plan\n"
        "from dataflywheel.checks.engines import run_checks\n"
        f"report = run_checks([{str(path)!r}], _full_plan(), engine='single')\n"
        "print(report.records, sorted(report.checks), 'pyarrow' in sys.modules)\n"
    )
    out = run_fresh(script)
    assert int(out.split()[0]) > 250 and "'near_duplicates'" in out and "'pii'" in out
    assert out.endswith("] False\n")


def test_the_engine_as_a_library_loads_no_command_modules(tmp_path: Path) -> None:
    """`run_checks` registers the engine's plugins only: Typer and the 23 command modules are
    the CLI's (`command_plugin_manager`), and a fresh process does not pay their import."""

    path = _corpus(tmp_path / "c.jsonl", 50)
    script = (
        "import sys\n"
        "from dataflywheel.checks.engines import run_checks\n"
        "from dataflywheel.checks.plan import CheckPlan\n"
        "plan = CheckPlan.model_validate({'text_fields': ['text'], 'checks': {'pii': {}}})\n"
        f"report = run_checks([{str(path)!r}], plan, engine='single')\n"
        "loaded = sorted(m for m in sys.modules if m in ('typer', 'rich') or m.startswith("
        "'dataflywheel.cli'))\n"
        "print(report.records, loaded)\n"
    )
    records, loaded = run_fresh(script).split(maxsplit=1)
    assert int(records) > 40 and loaded == "[]\n"


@pytest.mark.parametrize("engine", ["single", "local"])
def test_two_runs_in_one_process_run_side_by_side_and_each_reports_its_own(
    tmp_path: Path, temp_root: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """Two checks in threads of one process, of different files under different plans: both
    are inside their finish at once (a barrier only both together pass, which a process-wide
    lock would make wait forever), each spills into its own directory, and each report is the
    one the same run gives alone."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from dataflywheel.checks import spill
    from dataflywheel.checks.builtin.near_duplicates import NearDuplicateCheck

    a, b = _corpus(tmp_path / "a.jsonl", 3000, seed=1), _corpus(tmp_path / "b.jsonl", 2000, seed=2)
    other = _full_plan().model_copy(update={"breakdown_by": None})
    runs = [(a, _full_plan()), (b, other)]
    alone = [check(path, p, engine="single").to_json() for path, p in runs]
    assert alone[0] != alone[1]
    both_finishing = threading.Barrier(2, timeout=60)
    spilled: list[Path] = []
    original = NearDuplicateCheck.finish_with

    def finish_with(self, partial, done):  # type: ignore[no-untyped-def]
        spilled.append(spill.directory())
        both_finishing.wait()
        return original(self, partial, done)

    monkeypatch.setattr(NearDuplicateCheck, "finish_with", finish_with)

    def run(path: Path, p) -> str:  # type: ignore[no-untyped-def]
        return check(path, p, engine=engine, workers=2, shard_bytes=20_000).to_json()

    with ThreadPoolExecutor(2) as pool:
        together = list(pool.map(lambda args: run(*args), runs))
    assert together == alone
    assert len(set(spilled)) == 2 and {d.parent for d in spilled} == {temp_root}
    assert list(temp_root.iterdir()) == []  # both directories removed
