"""`flywheel verify`: re-hash every stored object and every object a record refers to, and
recompute every frozen version's manifest from its rows."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from dataflywheel.cli._context import workspace
from dataflywheel.cli.options import Json
from dataflywheel.cli.output import console, err_console, print_json
from dataflywheel.hookspecs import hookimpl


def verify(
    ctx: typer.Context,
    clean_temp: Annotated[bool, typer.Option(
        "--clean-temp", help="Remove temp files of interrupted writes older than an hour.")] = False,
    json_: Json = False,
) -> None:
    """Re-hash every object in the blob store and recompute every frozen version's manifest from
    its rows; exit 1 naming each mismatch, missing object, and version row that differs.

    Objects that records refer to (columns marked as blob references) must exist; each object's
    bytes must hash to its name. Each frozen, archived or withdrawn version's manifest is rebuilt
    from the rows it covers (batches, files, dataset, contract schema, the version row) and must
    hash to the digest it was frozen with. Nothing is changed, except with --clean-temp.
    """
    from dataflywheel.flows.integrity import check_objects, check_versions

    with workspace(ctx) as ws:
        removed = ws.blobs.gc_temp() if clean_temp else []
        found = check_objects(ws)
        checked, version_problems = check_versions(ws)
    refs, problems, malformed = found.references, found.problems, found.malformed
    lines = [_describe(p, refs.get(p.expected or "", [])) for p in problems]
    lines += [f"{', '.join(places)}: holds {sha!r}, which is not a sha256" for sha, places in malformed.items()]
    lines += [str(p) for p in version_problems]
    if json_:
        print_json(_report(found.root, found.objects, len(refs), problems, malformed)
                   | {"temp_files": found.temp_files, "removed_temp_files": removed,
                      "ok": not lines, "versions": _versions_report(checked, version_problems)})
        if lines:
            raise typer.Exit(1)
        return
    for line in lines:
        err_console.print(f"[red]{line}[/]", highlight=False, soft_wrap=True)
    _say_temp(removed, found.temp_files)
    _conclude(found, len(lines), checked, len(version_problems))


def _conclude(found: Any, total: int, checked: int, in_versions: int) -> None:
    from dataflywheel.errors import IntegrityError

    in_store = total - in_versions
    parts = [f"{in_store} problem(s) in the object store ({found.objects} objects checked)"] \
        if in_store else []
    if in_versions:
        parts.append(f"{in_versions} problem(s) in frozen versions ({checked} manifest(s) "
                     "recomputed from their rows)")
    if parts:
        what = "the named objects" if not in_versions else \
            "the named rows" if not in_store else "the named objects and rows"
        raise IntegrityError("; ".join(parts), path=found.root, kept="nothing was changed",
                             hint=f"restore {what} from a backup or re-deliver them, then "
                                  "`flywheel verify`")
    console.print(f"[green]ok[/]: {found.objects} objects re-hashed, {len(found.references)} "
                  f"referenced by records, all match their names ({found.root}); {checked} frozen "
                  "version manifest(s) recomputed from their rows, all match",
                  highlight=False, soft_wrap=True)


def _versions_report(checked: int, problems: list[Any]) -> dict[str, Any]:
    return {"checked": checked, "problems": [
        {"version": p.version, "row": p.row, "field": p.field, "expected": p.expected,
         "actual": p.actual} for p in problems]}


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
