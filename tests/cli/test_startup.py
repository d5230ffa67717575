"""What a command loads at start-up (issue 24): its own command module, not 23, and no library it
does not use. Module lists in fresh interpreters, never timings (bench/cli_startup.py times)."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from dataflywheel.cli.main import OLD_GROUP_NAMES, command_name
from dataflywheel.plugins import COMMAND_PLUGINS, command_module

# Libraries no start-up of the CLI needs: the engine's data libraries, the migration tool, the
# server, templates. A command that uses one imports it inside the function that uses it.
HEAVY = ("polars", "pyarrow", "pandas", "numpy", "alembic", "fastapi", "uvicorn", "jinja2",
         "datasketch", "mlflow", "fsspec")


def _fresh(args: list[str], env: dict[str, str] | None = None) -> dict[str, object]:
    """Run `flywheel ARGS` in a fresh interpreter; its exit code and the modules it loaded."""
    script = (
        "import json, sys\n"
        "from dataflywheel.cli.main import run\n"
        "try:\n"
        "    run(sys.argv[1:])\n"
        "    code = 0\n"
        "except SystemExit as exc:\n"
        "    code = exc.code or 0\n"
        "print(json.dumps({'code': code, 'modules': sorted(sys.modules)}), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120, check=False)
    return json.loads(done.stderr.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _loaded(modules: object, prefixes: tuple[str, ...]) -> list[str]:
    assert isinstance(modules, list)
    return sorted({m.split(".")[0] for m in modules if m.split(".")[0] in prefixes})


def test_help_imports_no_heavy_library() -> None:
    result = _fresh(["--help"])
    assert result["code"] == 0
    assert _loaded(result["modules"], HEAVY + ("sqlalchemy", "pydantic_settings")) == []


def test_a_workspace_command_imports_its_own_group_only(cli, settings) -> None:  # type: ignore[no-untyped-def]
    assert cli("init").code == 0
    args = ["--home", str(settings.home)] + (["--db", settings.db] if settings.db else [])
    result = _fresh(args + ["people", "list", "--json"], env={"FLYWHEEL_LOGIN": "tester"})
    assert result["code"] == 0
    modules = result["modules"]
    assert isinstance(modules, list)
    assert _loaded(modules, HEAVY) == []
    commands = sorted(m for m in modules if m in COMMAND_PLUGINS)
    assert commands == ["dataflywheel.cli.people"]


def test_each_name_belongs_to_the_module_that_registers_it() -> None:
    """`COMMAND_PLUGINS` says which module owns each top-level name; its hook must agree."""
    for module, names in COMMAND_PLUGINS.items():
        app = typer.Typer()
        importlib.import_module(module).register_commands(cli=app)
        registered = [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]
        assert sorted(registered) == sorted(names), module
        assert all(command_module(name) == module for name in names)
    assert all(command_module(new) is not None for new in OLD_GROUP_NAMES.values())
    assert command_module("no-such-command") is None


@pytest.mark.parametrize(("args", "name"), [
    (["people", "list"], "people"),
    (["--home", "people", "trace"], "trace"),  # an option's value is not the command
    (["--home=x", "--debug", "--db", "sqlite://", "contract", "list"], "contract"),
    (["--help"], None),
    (["--home", "x", "--bogus", "people"], None),
    ([], None),
])
def test_the_command_is_found_behind_the_root_options(args: list[str], name: str | None) -> None:
    assert command_name(args) == name


def test_help_after_a_command_in_one_process_is_the_help_of_a_fresh_one(tmp_path: Path) -> None:
    """A command registers its group only; a later `--help` in the same process (the tests, a
    server) still lists every group, in the order a fresh process lists them."""
    script = (
        "import sys\n"
        "from dataflywheel.cli.main import run\n"
        "for args in sys.argv[1:]:\n"
        "    try:\n"
        "        run(args.split())\n"
        "    except SystemExit:\n"
        "        pass\n"
    )
    env = {**os.environ, "COLUMNS": "100"}

    def out(*runs: str) -> str:
        return subprocess.run([sys.executable, "-c", script, *runs], capture_output=True, text=True,
                              env=env, timeout=120, check=True).stdout

    fresh = out("--help")
    after = out(f"--home {tmp_path} contract list", "people --help", "--help")
    assert after.endswith(fresh) and " contracts " in fresh and " contract " not in fresh
