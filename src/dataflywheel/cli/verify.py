"""`flywheel verify`: re-hash every stored object and every object a record refers to."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from dataflywheel.cli._context import workspace
from dataflywheel.cli.output import console, err_console, print_json
from dataflywheel.hookspecs import hookimpl


def verify(
    ctx: typer.Context,
    clean_temp: Annotated[bool, typer.Option(
        "--clean-temp", help="Remove temp files of interrupted writes older than an hour.")] = False,
    json_: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Re-hash every object in the blob store; exit 1 naming each mismatch or missing object.

    Objects that records refer to (columns marked as blob references) must exist; each object's
    bytes must hash to its name. Nothing is changed, except with --clean-temp.
    """
    from dataflywheel.errors import IntegrityError
    from dataflywheel.flows.integrity import check_objects

    with workspace(ctx) as ws:
        removed = ws.blobs.gc_temp() if clean_temp else []
        found = check_objects(ws)
    refs, problems, malformed = found.references, found.problems, found.malformed
    objects, root, temp = found.objects, found.root, found.temp_files
    lines = [_describe(p, refs.get(p.expected or "", [])) for p in problems]
    lines += [f"{', '.join(places)}: holds {sha!r}, which is not a sha256" for sha, places in malformed.items()]
    if json_:
        print_json(_report(root, objects, len(refs), problems, malformed)
                   | {"temp_files": temp, "removed_temp_files": removed})
        if lines:
            raise typer.Exit(1)
        return
    for line in lines:
        err_console.print(f"[red]{line}[/]", highlight=False, soft_wrap=True)
    _say_temp(removed, temp)
    if lines:
        raise IntegrityError(
            f"{len(lines)} problem(s) in the object store ({objects} objects checked)",
            path=root, kept="nothing was changed",
            hint="restore the named objects from a backup or re-deliver them, then `flywheel verify`",
        )
    console.print(f"[green]ok[/]: {objects} objects re-hashed, {len(refs)} referenced by records, "
                  f"all match their names ({root})", highlight=False, soft_wrap=True)


def _say_temp(removed: list[str], temp: list[str]) -> None:
    if removed:
        console.print(f"removed {len(removed)} temp file(s) of interrupted writes", highlight=False)
    if temp:
        console.print(f"{len(temp)} temp file(s) of writes in progress or interrupted (never objects); "
                      "`flywheel verify --clean-temp` removes those older than an hour",
                      highlight=False, soft_wrap=True)


def _describe(problem: Any, places: list[str]) -> str:
    text = str(problem)
    return f"{text} (referenced by {', '.join(places)})" if places else text


def _report(root: str, objects: int, referenced: int, problems: list[Any],
            malformed: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "ok": not problems and not malformed,
        "store": root,
        "objects": objects,
        "referenced": referenced,
        "problems": [
            {"kind": p.kind, "path": p.path, "expected": p.expected, "actual": p.actual}
            for p in problems
        ] + [
            {"kind": "malformed-reference", "path": ", ".join(places), "expected": None, "actual": sha}
            for sha, places in malformed.items()
        ],
    }


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.command("verify")(verify)
