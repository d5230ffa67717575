"""Group names: plural where what a group holds is countable; the old singular names still run
the same commands (old scripts keep working) but no help, doc or hint shows them."""

from __future__ import annotations

from typing import Any

import pytest
import typer.main

from dataflywheel.cli.main import OLD_GROUP_NAMES, _register_groups, app


def _root() -> Any:
    _register_groups()
    return typer.main.get_command(app)


def test_each_old_name_is_a_hidden_alias_of_its_new_group() -> None:
    groups = _root().commands
    for old, new in OLD_GROUP_NAMES.items():
        assert not groups[new].hidden
        assert groups[old].hidden, f"{old} is listed in help"
        assert sorted(groups[old].commands) == sorted(groups[new].commands)


@pytest.mark.parametrize(("old", "new"), [("contract", "contracts"), ("exception", "exceptions"),
                                          ("experiment", "experiments")])
def test_an_old_name_gives_what_the_new_one_gives(cli, old: str, new: str) -> None:  # type: ignore[no-untyped-def]
    assert cli("init").code == 0
    before, after = cli(old, "list", "--json"), cli(new, "list", "--json")
    assert (before.code, before.out, before.err) == (after.code, after.out, after.err)
    assert (after.code, after.out) == (0, "[]\n")


def test_help_lists_only_the_new_names(cli) -> None:  # type: ignore[no-untyped-def]
    shown = cli("--help").out
    for old, new in OLD_GROUP_NAMES.items():
        assert f" {new} " in shown and f" {old} " not in shown
