"""The `flywheel` root app and its single error boundary.

Command groups live one per module and join the root through the `register_commands` hook, the
same way a plugin's commands do.
"""

from __future__ import annotations

import importlib
import sys
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
import typer.main
from pydantic import ValidationError
from rich.markup import escape

from dataflywheel.cli.output import err_console
from dataflywheel.errors import (
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    FlywheelError,
    bad_path,
    from_validation,
)

app = typer.Typer(
    name="flywheel",
    help="dataflywheel: the DataOps control plane for LLM data teams.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _show_version(shown: bool) -> None:
    """`flywheel --version`: the version of the installed distribution (that of the source tree
    when it runs uninstalled), then exit 0."""
    if not shown:
        return
    from importlib.metadata import PackageNotFoundError, version

    from dataflywheel import __version__

    try:
        installed = version("dataflywheel")
    except PackageNotFoundError:
        installed = __version__
    typer.echo(f"flywheel {installed}")
    raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    home: Annotated[Path, typer.Option(envvar="FLYWHEEL_HOME", help="Directory holding .flywheel/.")] = Path("."),
    db: Annotated[Optional[str], typer.Option(envvar="FLYWHEEL_DB", help="Database URL (sqlite:// or postgresql+psycopg://).")] = None,
    objects: Annotated[Optional[str], typer.Option(envvar="FLYWHEEL_OBJECTS", help="Blob store root (path or fsspec URL).")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    version: Annotated[bool, typer.Option(
        "--version", is_eager=True, callback=_show_version,
        help="Print the installed version and exit.")] = False,
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

# Groups are named in the plural where what they hold is countable (issue 16). The singular names
# they had before still work, hidden from help, so scripts written against them keep running.
OLD_GROUP_NAMES: dict[str, str] = {
    "contract": "contracts",
    "exception": "exceptions",
    "experiment": "experiments",
}

_registered: set[str] = set()  # the built-in command modules already on `app`
_registered_all = False


def _register_groups(name: str | None = None) -> None:
    """Add commands to `app`: for a built-in command `name`, only the module that owns it (a
    command pays for its own group, not for 23 modules and their Typer tree); otherwise (help, a
    plugin's command, a name nobody has) every built-in group and plugin, once per process,
    replacing what single commands added before so the order is that of a fresh process."""
    global _registered_all
    if _registered_all:
        return
    from dataflywheel.plugins import command_module

    module = None if name is None else command_module(OLD_GROUP_NAMES.get(name, name))
    if module is None:
        from dataflywheel.plugins import command_plugin_manager

        app.registered_commands.clear()
        app.registered_groups.clear()
        command_plugin_manager().hook.register_commands(cli=app)
        _registered_all = True
    elif module not in _registered:
        importlib.import_module(module).register_commands(cli=app)
        _registered.add(module)
    _add_old_names(app)


def _add_old_names(cli: typer.Typer) -> None:
    """Register each renamed group present once more under its old name, hidden (once)."""
    current = {new: old for old, new in OLD_GROUP_NAMES.items()}
    present = {info.name for info in cli.registered_groups}
    for info in list(cli.registered_groups):
        old = current.get(info.name) if isinstance(info.name, str) else None
        if old is not None and old not in present and info.typer_instance is not None:
            cli.add_typer(info.typer_instance, name=old, hidden=True)


_built: tuple[tuple[object, ...], Any] | None = None  # (what was registered, its click command)


def _command() -> Any:
    """`app` as the click command Typer makes of it, made again only when what is registered
    changed. Why: Typer rebuilds it on every call, reading each registered command's signature
    and type hints (~0.3 s with every group on); a process that runs many commands — the test
    suite calls the CLI in-process thousands of times — paid that on each. `app` itself would
    also set Typer's excepthook, which with `pretty_exceptions_enable=False` prints what
    Python's own does."""
    global _built
    now = (*app.registered_commands, None, *app.registered_groups)
    if _built is None or len(_built[0]) != len(now) or any(
            a is not b for a, b in zip(_built[0], now)):
        _built = (now, typer.main.get_command(app))
    return _built[1]


@lru_cache(maxsize=1)
def _root_options() -> dict[str, bool]:
    """The root callback's own options (`--help` aside), each with whether it takes a value."""
    bare = typer.Typer()
    bare.callback()(root)
    params = typer.main.get_command(bare).params
    return {opt: not getattr(p, "is_flag", False) for p in params for opt in p.opts}


def command_name(args: list[str]) -> str | None:
    """The top-level command `args` run (`people` in `--home H people list`); None when no
    command is named before another option (`--help`, a typo)."""
    options = _root_options()
    rest = iter(args)
    for arg in rest:
        option, eq, _ = arg.partition("=")
        if option not in options:
            return None if arg.startswith("-") else arg
        if options[option] and not eq:
            next(rest, None)
    return None


def run(argv: list[str] | None = None) -> None:
    """Console-script entry: exit with the one code that says what happened (see `exit_code`)."""
    args = sys.argv[1:] if argv is None else argv
    _register_groups(command_name(args))
    code = exit_code(args, debug="--debug" in args)
    if code != EXIT_OK:
        sys.exit(code)


def exit_code(args: list[str], *, debug: bool = False) -> int:
    """Run one command; 0 ok, 1 a gate failed, 2 bad input (one red line), 70 internal error.

    The single error boundary: a `FlywheelError` exits with its class's code, a usage error
    with 2, an unusable path the user named with 2, anything else with `EXIT_INTERNAL`, so an
    orchestrator can tell a crash from a rejected batch. Tracebacks only with --debug.
    """
    try:
        code = _command()(args=args, standalone_mode=False)
    except FlywheelError as exc:
        return _fail(exc, debug)
    except ValidationError as exc:
        return _fail(from_validation(exc), debug)
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("[red]aborted[/]")
        return EXIT_INTERRUPTED
    except typer.Exit as exc:
        return int(exc.exit_code)
    except Exception as exc:  # click usage errors, unusable paths and the unexpected
        if isinstance(exc, _CLICK_ERROR):
            exc.show()  # type: ignore[attr-defined]  # click's ClickException, found at run time
            return EXIT_BAD_INPUT
        if isinstance(exc, OSError) and (bad := bad_path(exc)) is not None:
            return _fail(bad, debug, cause=exc)
        if debug:
            raise
        err_console.print(
            f"[bold red]internal error:[/] {escape(type(exc).__name__)}: {escape(str(exc))}. "
            "This is a bug, not your input. Next: rerun with --debug and report it.",
            highlight=False,
            soft_wrap=True,
        )
        return EXIT_INTERNAL
    return code if isinstance(code, int) else EXIT_OK


def _fail(exc: FlywheelError, debug: bool, cause: BaseException | None = None) -> int:
    if debug:
        raise exc from cause
    err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
    return exc.exit_code
