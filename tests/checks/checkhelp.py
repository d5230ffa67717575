"""Helpers for the quality-engine tests: write inputs, build plans, run the engine in-process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from dataflywheel.checks.engines import run_checks
from dataflywheel.checks.plan import CheckPlan
from dataflywheel.checks.report import QualityReport


def write_jsonl(path: Path, records: list[Any]) -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    return path


def plan(**overrides: Any) -> CheckPlan:
    """A plan for {id, text, source} records; overrides are CheckPlan fields (by alias)."""
    data: dict[str, Any] = {
        "id_field": "id",
        "text_fields": ["text"],
        "schema": {
            "fields": [{"name": "id", "type": "string"}, {"name": "text", "type": "string"}]
        },
    }
    data.update(overrides)
    return CheckPlan.model_validate(data)


def check(path: Path | list[Path], p: CheckPlan | None = None, **kwargs: Any) -> QualityReport:
    files = path if isinstance(path, list) else [path]
    kwargs.setdefault("engine", "single")
    return run_checks(files, p or plan(), **kwargs)


def reasons(report: QualityReport) -> list[tuple[int, str]]:
    return [(r.line, r.reason) for r in report.rejects]


def run_fresh(script: str, *args: str, env: dict[str, str] | None = None) -> str:
    """Run `script` in a fresh interpreter (this folder importable, `env` added to the
    environment) and return its stdout; its stderr's tail is the message when it fails."""
    here = Path(__file__).resolve().parent
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(here), os.environ.get("PYTHONPATH", "")]),
            **(env or {}),
        },
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout
