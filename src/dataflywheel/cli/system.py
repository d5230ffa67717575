"""The `system` command group: the assembly layer (issue 20) — the whole flywheel as one checked
system.

This module owns the `system` group; each part of the assembly layer adds its commands from its
own module, named in `PARTS` (each exports `register(app)`), so a part is one module and one line
here. A command named on the command line imports this module, which imports the parts. (It is
listed in `plugins.COMMAND_PLUGINS` as `"dataflywheel.cli.system": ("system",)` once a part
exists.)
"""

from __future__ import annotations

import importlib

import typer

from dataflywheel.hookspecs import hookimpl

PARTS: tuple[str, ...] = ("dataflywheel.cli.system_registry", "dataflywheel.cli.system_runs",
                          "dataflywheel.cli.system_check")
"""The modules that add commands to the group, e.g. `dataflywheel.cli.system_registry`."""

app = typer.Typer(help="The assembly layer: registry, layers, controls, stages, runs, checks.",
                  no_args_is_help=True)


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    for part in PARTS:
        importlib.import_module(part).register(app)
    cli.add_typer(app, name="system")
