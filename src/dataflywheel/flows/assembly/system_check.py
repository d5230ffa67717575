"""`flywheel system check` and `flywheel system export` (P10 §15–§17): the consistency check of
the assembly layer, and the fifteen deliverables written with the chapter's names.

The check runs command-level checks (the product's own commands in a child process against the
same workspace, each recorded with its command, return code and output, as Listing P10-5 does)
and the artifact-level rules of `artifact_checks`, either on the deliverables the records give
now or on the files of an export folder, which are then also compared with the records.

Guarantees: a check writes nothing to the workspace; an export writes each file whole (a
temporary file renamed over it), and the same records and window give the same bytes, the check's
results included (a command's output is deterministic for the same records).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path, PurePosixPath

from dataflywheel.atomicfile import write_text
from dataflywheel.flows.assembly import deliverables as d
from dataflywheel.flows.assembly.artifact_checks import RULES, Files, judge
from dataflywheel.flows.workspace import Workspace
from dataflywheel.reports.render import render
from dataflywheel.reports.system_artifacts import CheckResult, CheckResults
from dataflywheel.reports.system_report import TestReport

COMMANDS: dict[str, tuple[str, ...]] = {
    "audit_chain_verifies": ("audit", "verify"),
    "objects_and_manifests_verify": ("verify",),
    "control_gates_exist": ("system", "controls"),
}
"""The command-level checks: the product's own commands, each exiting non-zero on a failure."""

COMMAND_TIMEOUT_S = 300


def run_command(ws: Workspace, name: str, args: tuple[str, ...]) -> CheckResult:
    """Run `flywheel ARGS` against `ws` in a child process and record what it did."""
    env = {**os.environ, "FLYWHEEL_DB": ws.settings.db_url,
           "FLYWHEEL_OBJECTS": ws.settings.objects_root, "FLYWHEEL_HOME": str(ws.settings.home),
           "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}
    if ws.settings.login:
        env["FLYWHEEL_LOGIN"] = ws.settings.login
    if ws.settings.audit_key:
        env["FLYWHEEL_AUDIT_KEY"] = str(ws.settings.audit_key)
    try:
        done = subprocess.run([sys.executable, "-m", "dataflywheel", *args], env=env,
                              capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S,
                              check=False)
        code, out, err = done.returncode, done.stdout.strip(), done.stderr.strip()
    except subprocess.TimeoutExpired:
        code, out, err = -1, "", f"no answer within {COMMAND_TIMEOUT_S} s"
    return CheckResult(name=name, level="command", command=["flywheel", *args], returncode=code,
                       passed=code == 0, stdout=out, stderr=err, detail=_said(code, out, err))


def _said(code: int, out: str, err: str) -> str:
    """A command's verdict in one line: its own "ok: …" line, or the last thing it complained."""
    lines = (out + "\n" + err).strip().splitlines()
    if code == 0:
        return next((x for x in lines if x.startswith("ok")), "ok (exit 0)")
    return f"exit {code}: {lines[-1] if lines else 'no output'}"


def artifact_result(name: str, files: Files, fresh: d.Built) -> CheckResult:
    found = judge(name, files, fresh)
    return CheckResult(name=name, level="artifact", command=None, returncode=1 if found else 0,
                       passed=not found, stdout="", stderr="",
                       detail="; ".join(found) if found else "ok")


def check(ws: Workspace, project_id: str, *, folder: Path | None = None,
          since: datetime | None = None, until: datetime | None = None,
          rules: Path | None = None, write: Path | None = None) -> CheckResults:
    """Every check on the deliverables of `project_id`'s flywheel: those the records give now,
    or those in `folder` (an export), judged against the records too. With `write`, the results
    are also written there as `p10_test_results.json` and `p10_test_report.md`."""
    fresh = d.build(ws, project_id, since=since, until=until, rules=rules)
    texts = read_folder(folder) if folder is not None else fresh.texts
    results = _results(ws, fresh, Files.read(texts),
                       source="records" if folder is None else str(folder))
    if write is not None:
        write.mkdir(parents=True, exist_ok=True)
        write_text(write / PurePosixPath(d.TEST_RESULTS).name,
                   d.text_of(d.TEST_RESULTS, results))
        write_text(write / PurePosixPath(d.TEST_REPORT).name, check_report_text(fresh, results))
    return results


def _results(ws: Workspace, fresh: d.Built, files: Files, *, source: str) -> CheckResults:
    results = [run_command(ws, name, args) for name, args in COMMANDS.items()]
    results += [artifact_result(name, files, fresh) for name in RULES]
    passed = sum(r.passed for r in results)
    return CheckResults(
        plan_project=fresh.window.plan_project, records_digest=fresh.headline.records_digest,
        source=source, status="PASS" if passed == len(results) else "FAIL", total=len(results),
        passed=passed, failed=len(results) - passed, command_checks=len(COMMANDS),
        artifact_checks=len(RULES), checks=results)


def read_folder(folder: Path) -> dict[str, str]:
    """The deliverables present in an export folder, by their relative path; a file that is not
    UTF-8 is kept as read with replacement characters, for the schema rule to refuse."""
    return {path: (folder / path).read_bytes().decode("utf-8", errors="replace")
            for path in d.ALL if (folder / path).is_file()}


def check_report_text(fresh: d.Built, results: CheckResults) -> str:
    return render(TestReport(front=d.front_of(fresh.headline, "p10_test_report"),
                             results=results), "markdown")


def export(ws: Workspace, project_id: str, folder: Path, *, since: datetime | None = None,
           until: datetime | None = None, rules: Path | None = None) -> CheckResults:
    """Write the fifteen deliverables under `folder` and return the check's results (which are
    two of them). Files of a previous export are replaced; nothing else in `folder` is touched."""
    fresh = d.build(ws, project_id, since=since, until=until, rules=rules)
    results = _results(ws, fresh, Files.read(fresh.texts), source="records")
    texts = {**fresh.texts, d.TEST_RESULTS: d.text_of(d.TEST_RESULTS, results),
             d.TEST_REPORT: check_report_text(fresh, results)}
    for path in d.ALL:
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        write_text(target, texts[path])
    return results
