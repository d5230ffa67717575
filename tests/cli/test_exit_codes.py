"""Exit codes an orchestrator can trust: 0 ok, 1 a gate failed, 2 bad input, 70 internal error.

Generated from the Typer app's command tree, so a new command is held to the codes the moment it
exists: each command must exit 2 on bad input and 70 when something inside it breaks, and a
command that can exit 1 must be in GATES with a scenario (or the test that proves it) failing it.
"""

from __future__ import annotations

import inspect
import io
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer.main
from clirun import CliResult, flywheel

from dataflywheel.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_INTERNAL, FlywheelError

REPO = Path(__file__).resolve().parents[2]
NOPE = "NOPE-404"


def _tree() -> dict[str, Any]:
    from dataflywheel.cli.main import _register_groups, app

    _register_groups()
    found: dict[str, Any] = {}

    def walk(cmd: Any, prefix: str) -> None:
        subcommands = getattr(cmd, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                if sub.hidden:  # an old name kept for old scripts (cli/main.py OLD_GROUP_NAMES)
                    continue
                walk(sub, f"{prefix} {name}".strip())
        else:
            found[prefix] = cmd

    walk(typer.main.get_command(app), "")
    return dict(sorted(found.items()))


COMMANDS = _tree()

# Where a fault is injected to force an internal error: every command that opens a workspace goes
# through `open_workspace`; the few that do not are named with a function they cannot do without.
FAULT_DEFAULT = "dataflywheel.flows.workspace.open_workspace"
FAULTS = {
    "check": "dataflywheel.checks.plan.load_plan",
    "demo": "dataflywheel.demo.scenario.run_demo",
    "experiments capture-env": "dataflywheel.envcapture.capture_env",
    "init": "dataflywheel.flows.governance.bootstrap.init_workspace",
    "roles list": "dataflywheel.cli.people.print_records",
    "serve": "dataflywheel.cli.serve.settings_of",
    "contracts validate": "dataflywheel.integrations.odcs.load_odcs",
    "contracts plan": "dataflywheel.integrations.odcs.load_odcs",
    "raci import": "dataflywheel.flows.governance.raci.read_matrix_file",
    "lineage events": "dataflywheel.integrations.openlineage.read_events",
    "db upgrade": "dataflywheel.flows.workspace.require_workspace",
    "db current": "dataflywheel.flows.workspace.require_workspace",
    "issues tier": "dataflywheel.domain.policies.risk.tier_for_failed_batch",
    "vendors calibrate": "dataflywheel.cli.vendor_lifecycle._jsonl",  # reads its files first
    "kb templates": "dataflywheel.flows.issues.kb_templates.shipped",  # lists without a workspace
}
# Valid extra options for commands that refuse a bare call before they reach the fault.
GOOD_EXTRA: dict[str, list[str]] = {
    "deliver": ["in.jsonl"],  # FILE... or --url: one of them is needed
    "access request": ["--days", "1"],
    "exceptions request": ["--expires", "2099-01-01T00:00:00+00:00"],
    "freeze": ["--baseline"],
    "kb add": ["--body", "b"],
    "versions datasheet": ["--set", "purpose=x"],
}
GOOD_ARGS: dict[str, list[str]] = {
    "access revoke": ["GRT-0001", "--by", "x", "--reason", "r"],
    "guides faq": ["g@1.0.0", "--question", "q", "--answer", "a"],  # the id is parsed first
    "raci consult": ["ITEM", "--on", "dataset_version:V-0001", "--due", "2099-01-01"],
    "issues tier": ["--share", "0.5", "--purpose", "training"],
    "projects status": ["P-1", "active"],
    "people grant-role": ["P-1", "data_owner"],  # the role is parsed before the workspace opens
    "people revoke-role": ["P-1", "data_owner", "--reason", "r"],
    "requirements add": ["t", "--project", "P-1", "--requester", "x", "--priority", "P1"],
}

# Bad input per command where the generated one (NOPE-404 for every required value, or an
# unknown option for a command that takes none) would be valid input.
BAD_ARGS: dict[str, list[str]] = {
    "check": ["missing.jsonl", "--plan", "missing.yaml"],
    "demo": ["--dir", "a-file"],  # a file where the demo's directory belongs
    "init": [],  # a workspace is there already
    "kb search": [""],
    "feedback promote": ["--requester", "algorithm-engineer", "--priority", "P9"],
    "people add": ["bad id!", "X"],
    "projects add": ["P-NEW", "New", "--owner", NOPE],
    "requirements add": ["t", "--project", "P-TEST", "--requester", NOPE, "--priority", "P1"],
    "teams add": ["bad id!", "X"],
    "vendors add": ["bad id!", "X"],
    "kb add": ["t", "--kind", NOPE],
    "issues open": ["t", "--severity", NOPE],
    "issues tier": ["--share", NOPE, "--purpose", NOPE],
    "exceptions request": ["--type", NOPE, "--scope", NOPE, "--reason", "r",
                          "--usage-restriction", "u", "--isolation-label", "i",
                          "--expires", NOPE, "--by", NOPE],
    "experiments log": ["t", "--model", "m", "--version", NOPE],
    "experiments import-mlflow": ["--tracking-uri", "missing-mlflow.db"],
    "contracts validate": ["missing.yaml"],
    "contracts import": ["missing.yaml"],
    "contracts propose": ["missing.yaml"],
    "raci import": ["missing.yaml"],
    "feedback ingest": ["missing.jsonl"],
    "feedback import-eval": ["missing.jsonl"],
    "feedback import-predictions": ["missing.jsonl"],
    "issues postmortem": [NOPE, "--file", "missing.yaml"],
    "export": [NOPE, "--format", NOPE, "--out", "out"],
}


def _required_args(cmd: Any, value: str) -> list[str]:
    args: list[str] = []
    for param in cmd.params:
        if not param.required:
            continue
        if param.param_type_name == "argument":
            args.append(value)
        else:
            args += [param.opts[0], value]
    return args


def _bad_args(name: str, cmd: Any) -> list[str]:
    if name in BAD_ARGS:
        return BAD_ARGS[name]
    args = _required_args(cmd, NOPE)
    return args or ["--no-such-option"]


def test_every_error_class_names_its_own_exit_code() -> None:
    import dataflywheel.api.errors  # noqa: F401 - its classes join the tree

    classes, stack = [], [FlywheelError]
    while stack:
        cls = stack.pop()
        classes.append(cls)
        stack.extend(cls.__subclasses__())
    undeclared = [c.__name__ for c in classes if "exit_code" not in vars(c)]
    assert not undeclared, f"no deliberate exit code: {undeclared}"
    assert {c.exit_code for c in classes} <= {EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL}
    assert sorted(c.__name__ for c in classes if c.exit_code == EXIT_INTERNAL) == [
        "ServerUnavailable", "StoreFailure"]


@pytest.mark.parametrize("name", list(COMMANDS))
def test_an_internal_error_exits_70_not_1(name: str, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("injected fault")

    module, _, attr = FAULTS.get(name, FAULT_DEFAULT).rpartition(".")
    monkeypatch.setattr(f"{module}.{attr}", broken)
    monkeypatch.chdir(tmp_path)
    Path("in.jsonl").write_text('{"id": "1"}\n')
    args = GOOD_ARGS.get(name) or _required_args(COMMANDS[name], "in.jsonl") + GOOD_EXTRA.get(name, [])
    result = flywheel(capsys, tmp_path, *name.split(), *args)
    assert result.code == EXIT_INTERNAL, (name, args, result.err)
    assert "internal error: RuntimeError: injected fault" in result.err
    assert "Traceback" not in result.err


def _audit_count(settings: Any) -> int:
    from sqlalchemy import func, select

    from dataflywheel.flows.workspace import open_workspace
    from dataflywheel.store.tables.audit import AuditEntryRow

    with open_workspace(settings) as ws, ws.db.session() as s:
        return s.scalar(select(func.count()).select_from(AuditEntryRow)) or 0


def test_bad_input_exits_2_for_every_command_and_changes_nothing(
        team: Any, cli: Any, settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(settings.home)
    Path("a-file").write_text("not a directory")
    before = _audit_count(settings)
    wrong: dict[str, str] = {}
    for name, cmd in COMMANDS.items():
        args = _bad_args(name, cmd)
        result = cli(*name.split(), *args)
        if result.code != EXIT_BAD_INPUT or "Traceback" in result.err or not result.err.strip():
            wrong[name] = f"{args} → {result.code}: {result.err.strip()[:160]}"
    assert not wrong, "\n".join(f"{k}: {v}" for k, v in wrong.items())
    assert _audit_count(settings) == before


# --- gates: the commands that can exit 1 -----------------------------------------------------

PLAN = "name: p\nid_field: id\ntext_fields: [text]\nthresholds:\n" \
       "  - {metric: duplicate_rate, op: '<', value: 0.3}\n"


def _gate_check(cli: Any, team: Any, tmp_path: Path) -> CliResult:
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps({"id": str(i), "text": "same"}) + "\n" for i in range(4)))
    (tmp_path / "plan.yaml").write_text(PLAN)
    return cli("check", str(data), "--plan", str(tmp_path / "plan.yaml"), "--engine", "single")


def _gate_raci(cli: Any, team: Any, tmp_path: Path) -> CliResult:
    assert cli("people", "add", "second-owner", "Second", "--role", "data_owner").code == 0
    return cli("raci", "check")


def _gate_rules(cli: Any, team: Any, tmp_path: Path) -> CliResult:
    return cli("feedback", "rules", "check")  # the built-in rules match no stored event


def _gate_audit(cli: Any, team: Any, tmp_path: Path) -> CliResult:
    from sqlalchemy import update

    from dataflywheel.store.tables.audit import AuditEntryRow

    with team.db.unit_of_work() as s:
        s.execute(update(AuditEntryRow).where(AuditEntryRow.seq == 2).values(reason="edited"))
    return cli("audit", "verify")


def _gate_verify(cli: Any, team: Any, tmp_path: Path) -> CliResult:
    ref = team.blobs.put_stream(io.BytesIO(b"hello"))
    path = Path(team.blobs.path_of(ref.sha256))
    path.write_bytes(b"iello")
    return cli("verify")


def _gate_sla(cli: Any, team: Any, tmp_path: Path) -> CliResult:
    from dataflywheel.domain.records.demand import Priority, RequirementKind
    from dataflywheel.flows.demand.requirements import submit_requirement

    submit_requirement(team, title="late", project_id="P-TEST", requester_id="data-owner",
                       kind=RequirementKind.NEW_DATA, priority=Priority.P0,
                       now=datetime.now(UTC) - timedelta(days=10))
    return cli("requirements", "sla")


def _gate_deliver(cli: Any, team: Any, tmp_path: Path) -> CliResult:
    from datapool_helpers import records, setup_pool, write_jsonl

    pool = setup_pool(team)
    path = write_jsonl(tmp_path / "d.jsonl", records("d", 20, seed=2, dup_every=4))
    return cli("deliver", str(path), "--dataset", pool.dataset, "--contract",
               "cleaned-raw-pool@1.0.0", "--requirement", pool.requirement, "--from",
               "data-engineer", "--engine", "single")


Scenario = Callable[[Any, Any, Path], CliResult]
GATES: dict[str, Scenario | str] = {
    "check": _gate_check,
    "raci check": _gate_raci,
    "feedback rules check": _gate_rules,
    "audit verify": _gate_audit,
    "verify": _gate_verify,
    "requirements sla": _gate_sla,
    "deliver": _gate_deliver,
    # a real archived version takes two deliveries and a release; that test builds one
    "access check": "tests/flows/governance/access/test_access_cli.py::test_export_as_reader_of_an_archived_version",
    # reports due and not sent: a window with due reports (the test of `report due`)
    "report due": "tests/cli/test_report_schedule_cli.py::test_due_lists_then_sends_once",
    # a batch awaiting review takes a delivery under a spot-check contract and its review sheet
    "batches review": "tests/flows/data/reviews/test_review_cli.py::test_failed_review_exits_1_and_names_the_issue",
    # --require-stage above the stage of the test team's records
    "assess": "tests/cli/test_assess_cli.py::test_the_assessment_prints_writes_and_gates",
    # a consistent world takes a registry, a plan, a frozen version and a run: that test builds one
    "system check": "tests/cli/test_system_check_cli.py::test_an_edited_file_fails_the_check_with_exit_1",
    "system export": "tests/cli/test_system_check_cli.py::test_a_world_without_a_run_fails_the_export_with_exit_1",
}


def _can_exit_1(cmd: Any) -> bool:
    """Whether the command's function, or a function of its module it calls, raises Exit(1)."""
    func = inspect.unwrap(cmd.callback)
    module = inspect.getmodule(func)
    called = [getattr(module, n, None) for n in func.__code__.co_names]
    helpers = [f for f in called if inspect.isfunction(f) and f.__module__ == func.__module__]
    return any("Exit(1)" in inspect.getsource(f) for f in [func, *helpers])


def test_every_command_that_can_exit_1_has_a_gate_scenario() -> None:
    gated = {name for name, cmd in COMMANDS.items() if _can_exit_1(cmd)}
    assert gated == set(GATES)


@pytest.mark.parametrize("name", [n for n, g in GATES.items() if not isinstance(g, str)])
def test_a_failed_gate_exits_1(name: str, team: Any, cli: Any, tmp_path: Path) -> None:
    scenario = GATES[name]
    assert callable(scenario)
    result = scenario(cli, team, tmp_path)
    assert result.code == EXIT_FAILED, (result.out, result.err)
    assert "Traceback" not in result.err and "internal error" not in result.err


def test_gates_proven_elsewhere_are_proven_there() -> None:
    for name, where in GATES.items():
        if not isinstance(where, str):
            continue
        path, _, func = where.partition("::")
        source = (REPO / path).read_text(encoding="utf-8")
        body = source[source.index(f"def {func}("):]
        body = body[: (m.start() if (m := re.search(r"\n(?:def |@)", body[1:])) else len(body))]
        assert f'"{name.split()[-1]}"' in body and "code == 1" in body, (name, where)
