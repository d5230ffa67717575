"""Docs are tested: every command, setting and hook appears in README.md or docs/."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
import typer.main

REPO = Path(__file__).resolve().parents[1]


def _docs_text() -> str:
    parts = [(REPO / "README.md").read_text(encoding="utf-8")]
    parts += [p.read_text(encoding="utf-8") for p in sorted((REPO / "docs").glob("*.md"))]
    return "\n".join(parts)


def _commands() -> list[str]:
    from dataflywheel.cli.main import _register_groups, app

    _register_groups()
    root = typer.main.get_command(app)
    found: list[str] = []

    def walk(cmd: Any, prefix: str) -> None:
        subcommands = getattr(cmd, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                if sub.hidden:  # an old name kept for old scripts (cli/main.py OLD_GROUP_NAMES)
                    continue
                walk(sub, f"{prefix} {name}")
        else:
            found.append(prefix)

    walk(root, "flywheel")
    return sorted(found)


@pytest.mark.parametrize("command", _commands())
def test_every_command_is_documented(command: str) -> None:
    assert f"`{command}" in _docs_text(), f"{command} is not in README.md or docs/*.md"


def test_every_setting_is_documented() -> None:
    from dataflywheel.settings import Settings

    text = _docs_text()
    missing = [f"FLYWHEEL_{name.upper()}" for name in Settings.model_fields
               if f"FLYWHEEL_{name.upper()}" not in text]
    assert not missing, f"settings missing from the docs: {missing}"


def test_every_hook_is_documented() -> None:
    from dataflywheel import hookspecs

    text = _docs_text()
    hooks = [n for n, f in inspect.getmembers(hookspecs, inspect.isfunction) if n.startswith("register_")]
    assert hooks and all(f"`{h}`" in text for h in hooks), hooks
