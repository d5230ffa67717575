"""`flywheel report due` and `flywheel report schedule` on both backends: the due list and its
exit codes, sending once, the crontab line (five valid fields) whose command — run in a shell as
cron would, with cron's bare environment — really sends the due reports, the systemd pair, and
every bad input refused with exit 2 and its message."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dataflywheel.flows.workspace import Workspace

SRC = Path(__file__).resolve().parents[2] / "src"
WINDOW = ("--since", "2026-11-27", "--now", "2026-12-02T12:00")  # Fri W48 .. Wed W49, UTC
TITLES = {"monday": "Monday requirement sync", "wednesday": "Wednesday quality inspection",
          "friday": "Friday delivery post-mortem"}
RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]


def test_due_lists_then_sends_once(team: Workspace, cli: Any) -> None:
    listed = cli("report", "due", *WINDOW)
    assert listed.code == 1, listed.err  # reports are due and were not sent
    assert listed.out.splitlines() == [
        "4 report(s) due and not sent (UTC):",
        "  friday 2026-W48  due since 2026-11-27 00:00 UTC  "
        "(flywheel report friday --week 2026-W48)",
        "  monday 2026-W49  due since 2026-11-30 00:00 UTC  "
        "(flywheel report monday --week 2026-W49)",
        "  monthly 2026-11  due since 2026-12-01 00:00 UTC  "
        "(flywheel report monthly --month 2026-11)",
        "  wednesday 2026-W49  due since 2026-12-02 00:00 UTC  "
        "(flywheel report wednesday --week 2026-W49)",
        "send them: flywheel report due --send"]
    as_json = cli("report", "due", *WINDOW, "--json").json()
    assert [(d["report"], d["period"]) for d in as_json["due"]] == [
        ("friday", "2026-W48"), ("monday", "2026-W49"), ("monthly", "2026-11"),
        ("wednesday", "2026-W49")]

    sent = cli("report", "due", *WINDOW, "--send")
    assert sent.code == 0, sent.err
    lines = sent.out.splitlines()
    assert [line.split(" to ")[0] for line in lines] == [
        "sent friday 2026-W48", "sent monday 2026-W49", "sent monthly 2026-11",
        "sent wednesday 2026-W49"]
    assert lines[1].startswith(
        "sent monday 2026-W49 to 2 people (algorithm-engineer, data-owner); blob ")
    again = cli("report", "due", *WINDOW, "--send", "--json")
    assert again.code == 0 and again.json()["sent"] == []
    quiet = cli("report", "due", *WINDOW)
    assert (quiet.code, quiet.out) == (0, "no report is due (since 2026-11-27 00:00 UTC)\n")


@pytest.mark.parametrize("args, message", [
    (("report", "due", "--now", "tomorrow"),
     "not an ISO date or date-time; field '--now'; expected e.g. 2026-12-07 or "
     "2026-12-07T08:00:00+01:00; got 'tomorrow'"),
    (("report", "due", "--since", "2026-12-03", "--now", "2026-12-02"),
     "the start is after the end; field 'since'; expected a start at or before "
     "2026-12-02T00:00:00+00:00; got '2026-12-03T00:00:00+00:00'"),
    (("report", "due", "--send", "--since", "2026-12-01", "--now", "2999-01-01"),
     "a send cannot run ahead of the clock: the reports of periods that have not closed would "
     "go out; field 'now'; expected a moment in the past (or no --now); got "
     "'2999-01-01T00:00:00+00:00'"),
    (("report", "schedule", "--at", "25:00"),
     "not a time of day; field '--at'; expected HH:MM, e.g. 08:00; got '25:00'"),
    (("report", "schedule", "--format", "anacron"),
     "unknown schedule format; field '--format'; expected cron or systemd; got 'anacron'"),
    (("report", "schedule", "--since", "last week"),
     "not an ISO date or date-time; field '--since'; expected e.g. 2026-12-07 or "
     "2026-12-07T08:00:00+01:00; got 'last week'"),
])
def test_bad_input_exits_2_with_its_message(team: Workspace, cli: Any, args: tuple[str, ...],
                                            message: str) -> None:
    result = cli(*args)
    assert result.code == 2, result.err
    assert message in " ".join(result.err.split()), result.err
    assert cli("report", "due", "--since", "2026-11-30", "--now", "2026-12-01").code == 1  # unsent


def test_a_database_password_is_not_written_into_an_entry(team: Workspace, capsys: Any) -> None:
    from clirun import flywheel

    result = flywheel(capsys, team.settings.home, "report", "schedule",
                      db="postgresql+psycopg://flywheel:s3cret@db.example:5432/flywheel")
    assert result.code == 2
    assert "s3cret" not in result.err + result.out
    assert ("the database URL carries a password, which the crontab or unit file would show; "
            "field '--db'; expected a URL without a password; got "
            "'postgresql+psycopg://flywheel:***@db.example:5432/flywheel'. Next: put the "
            "password in ~/.pgpass (or PGPASSFILE) and drop it from the URL") \
        in " ".join(result.err.split())


def _cron_line(out: str) -> tuple[list[str], str]:
    """The five time fields and the command of the one non-comment line of a crontab entry."""
    lines = [line for line in out.splitlines() if line and not line.startswith("#")]
    assert len(lines) == 1, out
    fields = lines[0].split(None, 5)
    return fields[:5], fields[5]


def _valid_field(field: str, low: int, high: int) -> bool:
    return field == "*" or (field.isdigit() and low <= int(field) <= high)


def test_the_cron_line_parses(team: Workspace, cli: Any) -> None:
    hourly = cli("report", "schedule")
    assert hourly.code == 0, hourly.err
    fields, command = _cron_line(hourly.out)
    assert fields == ["0", "*", "*", "*", "*"]
    daily_fields, _ = _cron_line(cli("report", "schedule", "--at", "7:05").out)
    assert daily_fields == ["5", "7", "*", "*", "*"]
    for five in (fields, daily_fields):
        assert all(_valid_field(f, low, high) for f, (low, high) in zip(five, RANGES, strict=True))
    assert not _valid_field("60", *RANGES[0]) and not _valid_field("24", *RANGES[1])
    words = shlex.split(command)
    program = next(w for w in words if "=" not in w)
    assert Path(program).is_absolute() and Path(program).name == "flywheel"
    home = str(team.settings.home.absolute())
    assert words[words.index("--home") + 1] == home
    assert words[-4:] == ["--send", ">>", f"{home}/.flywheel/report-due.log", "2>&1"]
    assert "FLYWHEEL_LOGIN=tester" in words


def test_running_the_cron_lines_command_sends_the_due_reports(team: Workspace, cli: Any) -> None:
    from dataflywheel.flows.cadence_schedule import due_reports
    from dataflywheel.flows.notifications import inbox

    since = (datetime.now(UTC) - timedelta(days=9)).date().isoformat()
    _, command = _cron_line(cli("report", "schedule", "--since", since).out)
    expected = due_reports(team, since=datetime.fromisoformat(since).replace(tzinfo=UTC)).due
    assert len(expected) >= 3  # nine days hold a Monday, a Wednesday and a Friday

    env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"),
           "PYTHONPATH": str(SRC)}  # cron's bare environment, plus this checkout's code
    done = subprocess.run(["/bin/sh", "-c", command], env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, (done.stdout, done.stderr)
    log = team.settings.workspace / "report-due.log"
    sent = [line.split(" to ")[0] for line in log.read_text().splitlines()]
    assert sent == [f"sent {d.report} {d.period}" for d in expected]
    subjects = {n.subject for n in inbox(team) if n.kind == "report"}
    weekly = [d for d in expected if d.report in TITLES]
    assert {f"{TITLES[d.report]} — {d.period}" for d in weekly} <= subjects
    assert due_reports(team, since=expected[0].due_at).due == []

    rerun = subprocess.run(["/bin/sh", "-c", command], env=env, capture_output=True, text=True,
                           timeout=120, check=False)
    assert rerun.returncode == 0
    assert log.read_text().splitlines()[-1] == "no report was due: nothing sent"


def test_the_systemd_pair(team: Workspace, cli: Any) -> None:
    out = cli("report", "schedule", "--format", "systemd", "--at", "08:30").out
    assert "# ~/.config/systemd/user/flywheel-reports.service" in out
    assert "# ~/.config/systemd/user/flywheel-reports.timer" in out
    assert "OnCalendar=*-*-* 08:30:00 UTC" in out and "Persistent=true" in out
    exec_start = next(line for line in out.splitlines() if line.startswith("ExecStart="))
    assert f" --home {team.settings.home.absolute()} " in exec_start
    assert exec_start.endswith(" report due --send")
    assert "Environment=FLYWHEEL_LOGIN=tester" in out
    assert "OnCalendar=hourly" in cli("report", "schedule", "--format", "systemd").out


def test_the_entries_name_this_python_s_flywheel() -> None:
    from dataflywheel.cli.schedule_entries import flywheel_executable

    assert flywheel_executable() == str((Path(sys.executable).parent / "flywheel").absolute())


def test_the_docs_show_what_the_command_prints(team: Workspace, cli: Any,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/reports.md's two entries are this command's output, with Ana's paths."""
    import re

    from dataflywheel.cli.schedule_entries import flywheel_executable

    if team.settings.db is not None:
        pytest.skip("the documented entries are those of the embedded default (no --db)")
    monkeypatch.setenv("FLYWHEEL_TIMEZONE", "Europe/Berlin")
    monkeypatch.delenv("FLYWHEEL_AUDIT_KEY", raising=False)
    doc = (Path(__file__).resolve().parents[2] / "docs" / "reports.md").read_text()
    blocks = re.findall(r"^```\n(#.*?)^```", doc, re.S | re.M)

    def as_documented(out: str) -> str:
        out = out.replace(flywheel_executable(), "/home/ana/.venv/bin/flywheel")
        out = out.replace(str(team.settings.home.absolute()), "/home/ana/team")
        return out.replace("FLYWHEEL_LOGIN=tester ", "") \
            .replace("Environment=FLYWHEEL_LOGIN=tester\n", "")

    assert as_documented(cli("report", "schedule").out) == blocks[0]
    assert as_documented(cli("report", "schedule", "--format", "systemd", "--at", "08:00").out) \
        == blocks[1]
