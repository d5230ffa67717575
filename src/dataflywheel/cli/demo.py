"""`flywheel demo`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from dataflywheel.cli.output import console
from dataflywheel.hookspecs import hookimpl


def demo(dir_: Annotated[Optional[Path], typer.Option("--dir", help="Where to make the demo workspace (default: a new temp dir).")] = None) -> None:
    """Run the showcase scenario on a fresh workspace and print what it made."""
    from dataflywheel.demo.scenario import run_demo

    run_demo(dir_, console)


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.command("demo")(demo)
