"""The `flywheel` root app and its single error boundary.

Command groups live one per module and join the root through the `register_commands` hook, the
same way a plugin's commands do.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from pydantic import ValidationError
from rich.markup import escape

from dataflywheel.cli.output import err_console
from dataflywheel.errors import FlywheelError, from_validation

app = typer.Typer(
    name="flywheel",
    help="dataflywheel: the DataOps control plane for LLM data teams.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def root(
    ctx: typer.Context,
    home: Annotated[Path, typer.Option(envvar="FLYWHEEL_HOME", help="Directory holding .flywheel/.")] = Path("."),
    db: Annotated[Optional[str], typer.Option(envvar="FLYWHEEL_DB", help="Database URL (sqlite:// or postgresql+psycopg://).")] = None,
    objects: Annotated[Optional[str], typer.Option(envvar="FLYWHEEL_OBJECTS", help="Blob store root (path or fsspec URL).")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Build the settings once, at the edge, and hand them to every command."""
    from pydantic import ValidationError

    from dataflywheel.settings import Settings

    try:
        ctx.obj = Settings(home=home, db=db, objects=objects, debug=debug)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0])
        hint = f"--{name}" if name in ctx.params else f"FLYWHEEL_{name.upper()}"
        raise typer.BadParameter(first["msg"], param_hint=hint) from None


# Typer may vendor its own click; its usage errors share the base class of `typer.BadParameter`.
_CLICK_ERROR: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"
)
_registered = False


def _register_groups() -> None:
    """Let built-in modules and plugins add their groups, once per process."""
    global _registered
    if _registered:
        return
    from dataflywheel.plugins import command_plugin_manager

    command_plugin_manager().hook.register_commands(cli=app)
    _registered = True


def run(argv: list[str] | None = None) -> None:
    """Console-script entry: one red line and exit 2 for bad input; tracebacks only with --debug."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    _register_groups()
    try:
        code = app(args=args, standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except FlywheelError as exc:
        _fail(exc, debug)
    except ValidationError as exc:
        _fail(from_validation(exc), debug)
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("[red]aborted[/]")
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # click usage errors and the unexpected
        if isinstance(exc, _CLICK_ERROR):
            exc.show()  # type: ignore[attr-defined]  # click's ClickException, found at run time
            sys.exit(exc.exit_code)  # type: ignore[attr-defined]
        if debug:
            raise
        err_console.print(
            f"[bold red]internal error:[/] {type(exc).__name__}: {exc}. "
            "Next: rerun with --debug and report it.",
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(1)


def _fail(exc: FlywheelError, debug: bool) -> None:
    if debug:
        raise exc
    err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
    sys.exit(exc.exit_code)
