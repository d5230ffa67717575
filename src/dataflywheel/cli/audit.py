"""`flywheel audit verify|head`: check the hash chain and export or check a signed head."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from dataflywheel.canonjson import sorted_json
from dataflywheel.cli._context import settings_of, workspace
from dataflywheel.cli.options import Json
from dataflywheel.cli.output import console, err_console, print_json
from dataflywheel.hookspecs import hookimpl

audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
KeyOption = Annotated[
    Optional[Path],
    typer.Option("--key", help="Ed25519 private key (default: FLYWHEEL_AUDIT_KEY or ~/.config/flywheel/audit.key)."),
]


@audit_app.command("verify")
def audit_verify(
    ctx: typer.Context,
    head: Annotated[Optional[Path], typer.Option("--head", help="A signed head from `flywheel audit head`.")] = None,
    public_key: Annotated[
        Optional[Path],
        typer.Option("--public-key", help="The signer's public key (hex or PEM); default: derived from --key."),
    ] = None,
    key: KeyOption = None,
    incremental: Annotated[
        bool,
        typer.Option("--incremental", help="With --head: check the head, then only its entry and those "
                     "after it (entries before the head are not re-checked)."),
    ] = False,
    json_: Json = False,
) -> None:
    """Re-hash and re-link every entry; exit 1 naming the first bad one.

    With --head, also check that the signed head's entry is still there, unchanged (detects
    truncation and a full rewrite). With --head --incremental, check the head and then only the
    entries from it on: as fast as there are new entries, but an edit before the head that left
    the head's hash alone is not seen (the full verify sees it).
    """
    from dataflywheel.errors import BadInput
    from dataflywheel.flows.integrity import verify_audit_log
    from dataflywheel.store.audit import load_or_create_key, load_public_key, parse_head

    if incremental and head is None:
        raise BadInput("--incremental needs a signed head to start from", field="--incremental",
                       expected="--head FILE", hint="export one with `flywheel audit head --out FILE`")
    settings = settings_of(ctx)
    signed = parse_head(_read_json(head), source=str(head)) if head is not None else None
    public = None
    if signed is not None:
        public = (load_public_key(_read_bytes(public_key)) if public_key is not None
                  else load_or_create_key(key or settings.audit_key_path, create=False).public_key())
    with workspace(ctx) as ws:
        verdict = verify_audit_log(ws, head=signed, public_key=public, incremental=incremental)
    if verdict.walk is not None:
        _render_incremental(verdict, json_=json_)
    else:
        _render(verdict, json_=json_)


def _render_incremental(verdict: Any, *, json_: bool) -> None:
    """The incremental verify's answer, saying which entries it did not re-check."""
    from dataflywheel.errors import IntegrityError

    walk, head_seq = verdict.walk, verdict.head_seq
    before = f"entries 1..{head_seq - 1}" if head_seq > 1 else "no entries"
    scope = (f"entries {walk.first_seq}..{walk.last_seq} ({walk.checked} re-hashed and re-linked)"
             if walk.checked else "no entries after it")
    if json_:
        print_json(verdict.to_json())
        if walk.problems:
            raise typer.Exit(1)
        return
    for problem in walk.problems:
        err_console.print(f"[red]{problem}[/]", highlight=False, soft_wrap=True)
    if walk.problems:
        first = walk.problems[0]
        where = (f"{len(walk.problems)} problem(s) in {scope}" if walk.checked
                 else "the signed head does not match the log, so nothing after it was checked")
        raise IntegrityError(
            f"the audit log is not intact from the signed head at entry {head_seq}: first bad entry "
            f"is {first.seq} ({first.kind}); {where}; {before} were not re-checked",
            kept="nothing was changed",
            hint="run `flywheel audit verify --head FILE` without --incremental to check the whole chain",
        )
    console.print(f"[green]ok[/]: the signed head at entry {head_seq} matches; {scope}, chain intact "
                  f"from the head; {before} before the head were NOT re-checked (`flywheel audit "
                  f"verify` checks the whole chain)", highlight=False, soft_wrap=True)


def _render(verdict: Any, *, json_: bool) -> None:
    from dataflywheel.errors import IntegrityError

    problems, entries, head_seq = verdict.problems, verdict.entries, verdict.head_seq
    if json_:
        print_json(verdict.to_json())
        if problems:
            raise typer.Exit(1)
        return
    for problem in problems:
        err_console.print(f"[red]{problem}[/]", highlight=False, soft_wrap=True)
    if problems:
        first = problems[0]
        raise IntegrityError(
            f"the audit log is not intact: first bad entry is {first.seq} ({first.kind}); "
            f"{len(problems)} problem(s) in {entries} entries",
            kept="nothing was changed",
            hint="compare with a backup and a signed head to find what was altered",
        )
    signed = f"; the signed head at entry {head_seq} matches" if head_seq is not None else ""
    console.print(f"[green]ok[/]: {entries} audit entries, chain intact{signed}", highlight=False,
                  soft_wrap=True)


@audit_app.command("head")
def audit_head(
    ctx: typer.Context,
    out: Annotated[Optional[Path], typer.Option("--out", help="Write the head here instead of stdout.")] = None,
    key: KeyOption = None,
) -> None:
    """Export the chain head signed with the Ed25519 key (created, mode 0600, on first use).

    Keep heads outside the database: `flywheel audit verify --head FILE` then detects truncation
    or a rewrite of history up to that head.
    """
    from dataflywheel.flows.integrity import signed_head

    key_path = key or settings_of(ctx).audit_key_path
    with workspace(ctx) as ws:
        head = signed_head(ws, key_path)
    if out is None:
        print_json(head)
        return
    _write_atomic(out, sorted_json(head, indent=2) + "\n")
    console.print(f"wrote the signed head of entry {head['seq']} to {out} (key {key_path})",
                  highlight=False, soft_wrap=True)


def _read_bytes(path: Path) -> bytes:
    from dataflywheel.errors import NotFound

    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise NotFound("file not found", path=str(path), hint="check the path") from None
    except OSError as exc:
        raise NotFound(f"cannot read the file: {exc.strerror}", path=str(path)) from None


def _read_json(path: Path) -> dict[str, Any]:
    from dataflywheel.errors import BadInput

    try:
        data = json.loads(_read_bytes(path))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise BadInput("not JSON", path=str(path), line=line, expected="a signed head written by "
                       "`flywheel audit head`", got=getattr(exc, "msg", str(exc))) from None
    if not isinstance(data, dict):
        raise BadInput("not a signed audit head", path=str(path), expected="a JSON object",
                       got=type(data).__name__)
    return data


def _write_atomic(path: Path, content: str) -> None:
    from dataflywheel.errors import WorkspaceError

    from dataflywheel.atomicfile import write_text

    try:
        write_text(path, content)
    except OSError as exc:
        raise WorkspaceError(f"cannot write the head: {exc.strerror}", path=str(path),
                             kept="nothing was written", hint="choose another --out") from None


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.add_typer(audit_app, name="audit")
