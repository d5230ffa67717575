"""The entries a user installs so that `flywheel report due --send` runs on its own: a crontab
line, or a systemd service and timer.

They are printed, never installed: a crontab or a unit directory is the user's own file, which
a tool must not rewrite behind their back (one edit that drops a line of theirs is a lost job),
and the user may want the entry on another machine or under another account. Each entry names
the running `flywheel` by its absolute path and the workspace by its absolute path, carries the
settings that change what the command does (time zone, login, audit key), and appends its
output to a log file, since cron and systemd run it with no terminal and another environment.
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

from dataflywheel.errors import BadInput
from dataflywheel.settings import Settings

LOG_NAME = "report-due.log"
UNIT_NAME = "flywheel-reports"


def at_time(text: str | None) -> tuple[int, int] | None:
    """`HH:MM` as (hour, minute); None for hourly; `BadInput` for anything else."""
    if text is None:
        return None
    match = re.fullmatch(r"([0-9]{1,2}):([0-9]{2})", text.strip())
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise BadInput("not a time of day", field="--at", expected="HH:MM, e.g. 08:00",
                       got=text)
    return int(match.group(1)), int(match.group(2))


def flywheel_executable() -> str:
    """The absolute path of the `flywheel` being run (or the one installed beside this Python)."""
    called = Path(sys.argv[0])
    if called.name == "flywheel" and called.is_file():
        return str(called.absolute())
    beside = Path(sys.executable).parent / "flywheel"
    if beside.is_file():
        return str(beside.absolute())
    raise BadInput("no flywheel program found to schedule", field="flywheel",
                   expected=f"the console script beside {sys.executable}",
                   got=str(called), hint="pip install dataflywheel in this environment")


def due_command(settings: Settings, since: str | None = None) -> tuple[dict[str, str], list[str]]:
    """The environment and the argument list of `flywheel report due --send [--since SINCE]`
    for the workspace of `settings`, with every path absolute."""
    if settings.db is not None:
        from sqlalchemy import make_url

        url = make_url(settings.db)
        if url.password:
            raise BadInput("the database URL carries a password, which the crontab or unit file "
                           "would show", field="--db", expected="a URL without a password",
                           got=url.render_as_string(hide_password=True),
                           hint="put the password in ~/.pgpass (or PGPASSFILE) and drop it "
                                "from the URL")
    env: dict[str, str] = {}
    if settings.timezone != "UTC":
        env["FLYWHEEL_TIMEZONE"] = settings.timezone
    if settings.login is not None:
        env["FLYWHEEL_LOGIN"] = settings.login
    if settings.audit_key is not None:
        env["FLYWHEEL_AUDIT_KEY"] = str(settings.audit_key.absolute())
    argv = [flywheel_executable(), "--home", str(settings.home.absolute())]
    if settings.db is not None:
        argv += ["--db", settings.db]
    if settings.objects is not None:
        objects = settings.objects
        argv += ["--objects", objects if "://" in objects else str(Path(objects).absolute())]
    return env, [*argv, "report", "due", "--send", *(["--since", since] if since else [])]


def log_path(settings: Settings) -> Path:
    return (settings.workspace / LOG_NAME).absolute()


def cron_entry(settings: Settings, at: tuple[int, int] | None, since: str | None = None) -> str:
    """A comment and one crontab line: hourly (at minute 0) or daily at `at` (the machine's
    local time, as cron reads it)."""
    env, argv = due_command(settings, since)
    when = "0 * * * *" if at is None else f"{at[1]} {at[0]} * * *"
    words = [f"{k}={shlex.quote(v)}" for k, v in env.items()] + [shlex.quote(a) for a in argv]
    command = " ".join(words) + f" >> {shlex.quote(str(log_path(settings)))} 2>&1"
    every = "every hour" if at is None else f"every day at {at[0]:02d}:{at[1]:02d}"
    return (f"# flywheel: send the cadence reports that are due, {every} "
            f"(install with crontab -e)\n"
            f"{when} {command.replace('%', chr(92) + '%')}\n")  # cron reads % as a newline


def systemd_units(settings: Settings, at: tuple[int, int] | None,
                  since: str | None = None) -> str:
    """A `.service` and a `.timer` (user units); the timer is `Persistent`, so a run missed
    while the machine was off happens at the next boot, and `--at` is read in the workspace's
    time zone."""
    env, argv = due_command(settings, since)
    log = _unit_word(str(log_path(settings)))
    when = "hourly" if at is None else \
        f"*-*-* {at[0]:02d}:{at[1]:02d}:00 {settings.timezone}"
    lines = [f"# ~/.config/systemd/user/{UNIT_NAME}.service", "[Unit]",
             "Description=flywheel: send the cadence reports that are due", "",
             "[Service]", "Type=oneshot"]
    lines += [f"Environment={_unit_word(f'{k}={v}')}" for k, v in env.items()]
    lines += ["ExecStart=" + " ".join(_unit_word(a) for a in argv),
              f"StandardOutput=append:{log}", f"StandardError=append:{log}", "",
              f"# ~/.config/systemd/user/{UNIT_NAME}.timer", "[Unit]",
              "Description=flywheel: run the cadence reports' schedule", "",
              "[Timer]", f"OnCalendar={when}", "Persistent=true", "",
              "[Install]", "WantedBy=timers.target", "",
              f"# install: systemctl --user daemon-reload && "
              f"systemctl --user enable --now {UNIT_NAME}.timer"]
    return "\n".join(lines) + "\n"


def _unit_word(word: str) -> str:
    """One word of a unit file: `%` doubled (specifiers), quoted when it holds a space."""
    word = word.replace("%", "%%")
    if re.search(r"[\s\"'\\]", word):
        return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return word
