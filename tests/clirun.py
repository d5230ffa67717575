"""Run the real `flywheel` entry point in-process and capture what a user would see."""

from __future__ import annotations

import json
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


def flywheel(capsys: pytest.CaptureFixture[str], home: Path, *args: str, db: str | None = None) -> CliResult:
    """`flywheel --home HOME [--db DB] ARGS...`; returns exit code, stdout and stderr."""
    from dataflywheel.cli.main import run

    argv = ["--home", str(home)] + (["--db", db] if db else []) + list(args)
    capsys.readouterr()
    try:
        run(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return CliResult(code, captured.out, captured.err)
