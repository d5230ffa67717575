"""Run the real `flywheel` entry point in-process and capture what a user would see."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def unwrapped(text: str) -> str:
    """`text` without any whitespace: what a command printed, whatever width the console wrapped it
    at. Rich folds a word longer than the line (a path under a deep temporary folder, as under
    xdist) mid-word, so joining the lines with spaces would still split the path."""
    return "".join(text.split())


DEFAULT_LOGIN = "tester"  # the login the test workspaces were initialised under


def login_for(args: tuple[str, ...]) -> str:
    """The login a command runs under: the person its `--by` names (that person runs their own
    command, under their own login, which the fixtures bind to the same name), else the tester."""
    for flag in ("--by", "--approver"):
        if flag in args[:-1]:
            return args[args.index(flag) + 1]
    return DEFAULT_LOGIN


def flywheel(capsys: pytest.CaptureFixture[str], home: Path, *args: str, db: str | None = None,
             login: str | None = None) -> CliResult:
    """`flywheel --home HOME [--db DB] ARGS...` run by `login` (see `login_for`; it is the
    FLYWHEEL_LOGIN of the call, resolved through the workspace's bindings like an OS login);
    returns exit code, stdout and stderr."""
    from dataflywheel.cli.main import run

    argv = ["--home", str(home)] + (["--db", db] if db else []) + list(args)
    capsys.readouterr()
    saved = os.environ.get("FLYWHEEL_LOGIN")
    os.environ["FLYWHEEL_LOGIN"] = login or login_for(args)
    try:
        run(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        if saved is None:
            del os.environ["FLYWHEEL_LOGIN"]
        else:
            os.environ["FLYWHEEL_LOGIN"] = saved
    captured = capsys.readouterr()
    return CliResult(code, captured.out, captured.err)
