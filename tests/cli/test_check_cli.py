from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirun import flywheel

PLAN = """\
name: cli-plan
id_field: id
text_fields: [text]
schema:
  fields:
    - {name: id, type: string}
    - {name: text, type: string}
thresholds:
  - {metric: duplicate_rate, op: "<", value: 0.3}
"""


def _data(tmp_path: Path, texts: list[str]) -> Path:
    path = tmp_path / "d.jsonl"
    path.write_text(
        "".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate(texts)),
        encoding="utf-8",
    )
    return path


def _plan(tmp_path: Path, text: str = PLAN) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_passing_gates_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _data(tmp_path, ["a", "b", "c", "d"])
    res = flywheel(
        capsys, tmp_path, "check", str(data), "--plan", str(_plan(tmp_path)), "--engine", "single"
    )
    assert res.code == 0, res.err
    assert res.out.splitlines()[0] == "cli-plan: passed — 4 records in 1 file(s), 0 rejected"
    assert "pass duplicate_rate = 0 (threshold < 0.3)" in res.out


def test_a_failed_gate_exits_1_with_examples_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _data(tmp_path, ["same", "Same", "same ", "x"])
    md = tmp_path / "report.md"
    rejects = tmp_path / "rejects.jsonl"
    res = flywheel(
        capsys,
        tmp_path,
        "check",
        str(data),
        "--plan",
        str(_plan(tmp_path)),
        "--json",
        "--markdown",
        str(md),
        "--rejects",
        str(rejects),
        "--workers",
        "2",
    )
    assert res.code == 1, res.err
    report = res.json()
    assert report["passed"] is False
    gate = report["gates"][0]
    assert (gate["metric"], gate["observed"], gate["passed"]) == ("duplicate_rate", 0.5, False)
    assert [e["line"] for e in gate["examples"]] == [2, 3]
    assert md.read_text(encoding="utf-8").startswith(
        "# Quality report: cli-plan\n\n**FAILED (1 gate(s))**"
    )
    assert rejects.read_text(encoding="utf-8") == ""


def test_bad_input_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = _plan(tmp_path)
    res = flywheel(capsys, tmp_path, "check", str(tmp_path / "missing.jsonl"), "--plan", str(plan))
    assert res.code == 2
    assert res.err.strip() == f"error: {tmp_path / 'missing.jsonl'}: input file not found"
    assert "Traceback" not in res.err


def test_a_bad_plan_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _data(tmp_path, ["a"])
    plan = _plan(tmp_path, PLAN.replace("duplicate_rate", "nonsense_rate"))
    res = flywheel(capsys, tmp_path, "check", str(data), "--plan", str(plan))
    assert res.code == 2
    assert (
        "threshold names a metric no enabled check produces; field 'thresholds.nonsense_rate'"
        in res.err
    )


def test_an_unknown_engine_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _data(tmp_path, ["a"])
    res = flywheel(
        capsys, tmp_path, "check", str(data), "--plan", str(_plan(tmp_path)), "--engine", "ray"
    )
    assert res.code == 2
    assert (
        res.err.strip()
        == "error: unknown engine; field '--engine'; expected local or single; got 'ray'"
    )


def test_rejected_records_are_counted_and_pointed_to(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _data(tmp_path, ["a", "b"])
    data.write_text(data.read_text() + "{broken\n", encoding="utf-8")
    rejects = tmp_path / "rej.jsonl"
    res = flywheel(
        capsys,
        tmp_path,
        "check",
        str(data),
        "--plan",
        str(_plan(tmp_path)),
        "--rejects",
        str(rejects),
        "--engine",
        "single",
    )
    assert res.code == 0
    assert "2 records in 1 file(s), 1 rejected" in res.out
    assert (
        f"reject {data}:3: invalid JSON: JSON is malformed: object keys must be strings (byte 1)"
        in res.out
    )
    assert f"all 1 rejects written to {rejects}" in res.out
    assert json.loads(rejects.read_text())["line"] == 3


def test_the_progress_bar_starts_at_the_first_report_not_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No thread runs between entering the bar and the first report: the local engine forks its
    helpers only while this process runs no other thread (a bar's refresh thread holds the
    terminal's lock)."""
    import threading
    import time

    from dataflywheel.cli import check as cli_check
    from dataflywheel.cli.output import err_console

    monkeypatch.setattr(type(err_console), "is_terminal", property(lambda self: True))
    threads = threading.active_count()
    with cli_check._progress() as progress:
        assert progress.bar is None and threading.active_count() == threads
        progress(10, 100, 5)
        assert progress.bar is not None and threading.active_count() == threads + 1
    deadline = time.monotonic() + 10  # the refresh thread ends after its last refresh
    while threading.active_count() > threads and time.monotonic() < deadline:
        time.sleep(0.01)
    assert threading.active_count() == threads
