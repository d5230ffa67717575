"""`flywheel contracts import|export|show|validate|plan|propose|activate|reject|retire-expired|list|notice-rate`.

With `FLYWHEEL_SERVER` set, the commands that change state (import, propose, activate, reject,
retire-expired) send their request to the team server's route for the same flow
(`api/routers/contracts.py`) and print what they print locally; a document is read and checked
here first, so a bad file is named before anything is sent. The reads stay local. The JSON of
each answer is built once, in `flows.contracts.answers`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from dataflywheel.cli._context import workspace
from dataflywheel.cli.options import All, Cursor, Json, Limit
from dataflywheel.cli.output import console, print_done, print_json, print_records
from dataflywheel.cli.paging import show_list
from dataflywheel.cli.parsing import parse_time
from dataflywheel.cli.remote import ServerClient, require_named_remote, segment, server_of
from dataflywheel.hookspecs import hookimpl

app = typer.Typer(help="Interface contracts (ODCS v3.1.0): four layers, versions, change notices.",
                  no_args_is_help=True)
By = Annotated[str | None, typer.Option("--by", help="The person acting: must be the person your login is bound to (default: that person).")]
Ref = Annotated[str, typer.Argument(metavar="ID[@VERSION]", help="A contract (its active version) or one version.")]


@app.command("validate")
def validate(file: Annotated[Path, typer.Argument(metavar="FILE")], json_: Json = False) -> None:
    """Check an *.odcs.yaml file (ODCS schema and the four layers) without storing it."""
    from dataflywheel.flows.contracts.answers import summary as summary_of
    from dataflywheel.integrations.odcs import load_odcs

    contract, _ = load_odcs(file)
    summary = summary_of(contract)
    if json_:
        print_json({"valid": True, "file": str(file)} | summary)
    else:
        console.print(f"[green]{file}: valid[/] {contract.version_id} — {len(summary['fields'])} fields, "
                      f"{len(summary['thresholds'])} thresholds", highlight=False)


@app.command("import")
def import_(ctx: typer.Context, file: Annotated[Path, typer.Argument(metavar="FILE")], by: By = None,
            project: Annotated[str | None, typer.Option(help="The project the contract belongs to.")] = None,
            json_: Json = False) -> None:
    """Register a new contract; its first version is active at once."""
    from dataflywheel.flows.contracts.answers import version_row
    from dataflywheel.flows.contracts.lifecycle import import_contract
    from dataflywheel.integrations.odcs import load_odcs

    client = _server(ctx, by)
    if client is not None:
        text = load_odcs(file)[1]
        where = f"/api/v1/projects/{segment(project)}/contracts" if project else "/api/v1/contracts"
        row = client.call("POST", where, json={"document": text})
    else:
        with workspace(ctx) as ws:
            row = version_row(import_contract(ws, file, by=ws.actor, project_id=project))
    print_done(json_, row, f"registered {row['id']} (active)")


@app.command("propose")
def propose(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE")],
    by: By = None,
    effective: Annotated[str | None, typer.Option(help="When it takes effect (default: now, or after the notice days for a breaking change).")] = None,
    short_notice: Annotated[str | None, typer.Option("--short-notice", help="Why a breaking change may take effect sooner (counted as late).")] = None,
    json_: Json = False,
) -> None:
    """Propose the next version: diff, change class, owner check, notices for a breaking change."""
    from datetime import datetime

    from dataflywheel.domain.durations import ahead_of
    from dataflywheel.domain.records.contract import ContractNotice
    from dataflywheel.flows.contracts.answers import proposal_row
    from dataflywheel.flows.contracts.lifecycle import propose_version
    from dataflywheel.integrations.odcs import load_odcs

    effective_from = parse_time(effective, "--effective", require_zone=True)
    client = _server(ctx, by)
    if client is not None:
        new, text = load_odcs(file)
        data = client.call("POST", f"/api/v1/contracts/{segment(new.id)}/versions", json={
            "document": text, "short_notice_reason": short_notice,
            "effective_from": effective_from.isoformat() if effective_from else None})
    else:
        with workspace(ctx) as ws:
            data = proposal_row(propose_version(ws, file, by=ws.actor, effective_from=effective_from,
                                                short_notice_reason=short_notice))
    if json_:
        print_json(data)
        return
    console.print(f"[green]proposed {data['id']}[/] ({data['change_class']}), effective "
                  f"{datetime.fromisoformat(data['effective_from']).isoformat()}", highlight=False)
    for line in data["changes"]:
        console.print(f"  {line}", highlight=False, markup=False)
    for n in (ContractNotice.model_validate(row) for row in data["notices"]):
        console.print(f"  notice → {n.person_id} ({n.letter}), {ahead_of(n.effective_at, n.sent_at)}",
                      highlight=False)


@app.command("activate")
def activate(ctx: typer.Context, ref: Ref, by: By = None, json_: Json = False) -> None:
    """Make a proposed version active (Data Owner); the previous one becomes deprecated."""
    from dataflywheel.flows.contracts.answers import version_row
    from dataflywheel.flows.contracts.lifecycle import activate_version

    client = _server(ctx, by)
    if client is not None:
        row = client.call("POST", _version_path(ref) + "/activate")
    else:
        with workspace(ctx) as ws:
            row = version_row(activate_version(ws, ref, by=ws.actor))
    print_done(json_, row, f"{row['id']} is active")


@app.command("reject")
def reject(ctx: typer.Context, ref: Ref,
           reason: Annotated[str, typer.Option(help="Why it is turned down.")], by: By = None,
           json_: Json = False) -> None:
    """Turn down a proposed version (Data Owner)."""
    from dataflywheel.flows.contracts.answers import version_row
    from dataflywheel.flows.contracts.lifecycle import reject_version

    client = _server(ctx, by)
    if client is not None:
        row = client.call("POST", _version_path(ref) + "/reject", json={"reason": reason})
    else:
        with workspace(ctx) as ws:
            row = version_row(reject_version(ws, ref, reason=reason, by=ws.actor))
    print_done(json_, row, f"{row['id']} is rejected")


@app.command("retire-expired")
def retire(ctx: typer.Context, by: By = None, json_: Json = False) -> None:
    """Retire every deprecated version whose compatibility period has ended."""
    from dataflywheel.flows.contracts.lifecycle import retire_expired

    client = _server(ctx, by)
    if client is not None:
        retired = client.call("POST", "/api/v1/contracts/retire-expired")["retired"]
    else:
        with workspace(ctx) as ws:
            retired = retire_expired(ws, by=ws.actor)
    print_done(json_, {"retired": retired}, "retired " + (", ".join(retired) or "nothing"))


@app.command("list")
def list_(ctx: typer.Context, limit: Limit = None, cursor: Cursor = None, all_: All = False,
          json_: Json = False) -> None:
    """Every contract and its versions."""
    from dataflywheel.flows.contracts.lifecycle import contracts

    with workspace(ctx) as ws:
        show_list(ctx, contracts(ws), row=lambda found: found[0].model_dump(mode="json") | {
                      "versions": [f"{v.semver} ({v.state.value})" for v in found[1]]},
                  columns=["id", "name", "producer_role", "consumer_role", "versions"],
                  json_=json_, limit=limit, cursor=cursor, all_=all_)


@app.command("show")
def show(ctx: typer.Context, ref: Ref, json_: Json = False) -> None:
    """One version: state, change management, notices, and the layers in brief."""
    from dataflywheel.flows.contracts.answers import version_shown
    from dataflywheel.flows.contracts.lifecycle import get_version

    with workspace(ctx) as ws:
        version, contract, notices = get_version(ws, ref)
    data = version_shown(version, contract, notices)
    if json_:
        print_json(data)
        return
    for key in ("id", "state", "change_class", "effective_from", "compatibility_until",
                "migration_note", "document_sha256"):
        console.print(f"[bold]{key}[/]: {data[key]}", highlight=False)
    for key, value in data["contract"].items():
        console.print(f"[bold]{key}[/]: {value}", highlight=False)
    for n in notices:
        console.print(f"notice → {n.person_id} ({n.letter}) sent {n.sent_at.isoformat()}", highlight=False)


@app.command("export")
def export(ctx: typer.Context, ref: Ref,
           out: Annotated[Path | None, typer.Option(help="Write to this file (atomically) instead of stdout.")] = None) -> None:
    """The stored ODCS document of a version, byte for byte."""
    from dataflywheel.flows.contracts.lifecycle import get_version

    with workspace(ctx) as ws:
        version, _, _ = get_version(ws, ref)
    if out is None:
        console.file.write(version.document)
        return
    _write_atomic(out, version.document)
    console.print(f"[green]wrote {out}[/] ({version.id}, sha256 {version.document_sha256[:12]})",
                  highlight=False)


@app.command("plan")
def plan(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="FILE|ID[@VERSION]")],
    reference: Annotated[list[str], typer.Option("--reference", help="An evaluation set to check contamination against (repeatable).")] = [],  # noqa: B006
    out: Annotated[Path | None, typer.Option(help="Write the plan YAML here instead of stdout.")] = None,
    json_: Json = False,
) -> None:
    """Compile a contract version (stored, or an *.odcs.yaml file) into the check plan."""
    from dataflywheel.flows.contracts.contract_plan import compile_plan
    from dataflywheel.integrations.odcs import SUFFIX, load_odcs

    if ref.endswith(SUFFIX) or Path(ref).is_file():
        contract = load_odcs(ref)[0]
    else:
        from dataflywheel.flows.contracts.lifecycle import get_version

        with workspace(ctx) as ws:
            contract = get_version(ws, ref)[1]
    compiled = compile_plan(contract, contamination_reference=reference or None)
    if json_:
        print_json(compiled.model_dump(mode="json", by_alias=True, exclude_none=True))
    elif out is not None:
        _write_atomic(out, compiled.to_yaml())
        console.print(f"[green]wrote {out}[/] (plan of {contract.version_id})", highlight=False)
    else:
        console.file.write(compiled.to_yaml())


@app.command("notice-rate")
def notice_rate(ctx: typer.Context, json_: Json = False) -> None:
    """Interface-change advance-notice rate: breaking changes noticed in time / all breaking changes."""
    from dataflywheel.flows.contracts.lifecycle import advance_notice_rate

    with workspace(ctx) as ws:
        rate = advance_notice_rate(ws)
    data = {"breaking": rate.breaking, "on_time": rate.on_time, "late": rate.late, "rate": rate.rate}
    if json_:
        print_json(data)
    else:
        shown = "n/a (no breaking changes)" if rate.rate is None else f"{rate.rate:.0%}"
        console.print(f"advance-notice rate: {shown} ({rate.on_time}/{rate.breaking})", highlight=False)


def _server(ctx: typer.Context, by: str | None) -> ServerClient | None:
    """The team server's client when `FLYWHEEL_SERVER` is set, once `--by` (if given) is found
    to name the token's person; None: act on the local workspace."""
    client = server_of(ctx)
    if client is not None:
        require_named_remote(client, by)
    return client


def _version_path(ref: str) -> str:
    """`/api/v1/contracts/{contract}/versions/{semver}` of `ID@VERSION` (`BadInput` otherwise,
    as the flow says it)."""
    from dataflywheel.domain.records.contract import split_version_id
    from dataflywheel.errors import BadInput

    try:
        contract_id, semver = split_version_id(ref)
    except ValueError as exc:
        raise BadInput("invalid contract version", expected=str(exc), got=ref) from None
    return f"/api/v1/contracts/{segment(contract_id)}/versions/{segment(semver)}"


def _write_atomic(path: Path, text: str) -> None:
    """Replace `path` whole (`dataflywheel.atomicfile`); a failure is a BadInput naming it."""
    from dataflywheel.atomicfile import write_text
    from dataflywheel.errors import BadInput

    try:
        write_text(path, text)
    except OSError as exc:
        raise BadInput(f"cannot write: {exc.strerror}", path=str(path)) from None


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.add_typer(app, name="contracts")
