"""`flywheel access …`: the data asset registry and expiring access grants."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

import typer

from dataflywheel.cli._context import workspace
from dataflywheel.cli.output import console, print_done, print_json, print_records
from dataflywheel.cli.parsing import parse_time
from dataflywheel.hookspecs import hookimpl

app = typer.Typer(help="Data assets and time-limited access grants (request, approve, revoke).",
                  no_args_is_help=True)
Json = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
GrantId = Annotated[str, typer.Argument(metavar="GRANT")]
By = Annotated[str, typer.Option("--by", help="Person id of who acts.")]
Now = Annotated[str | None, typer.Option(help="Act as of this time (ISO 8601; default now).")]
GRANT_COLUMNS = ["id", "asset_id", "grantee_id", "sensitivity", "state", "expires_at",
                 "approved_by_id", "compliance_approved_by_id"]
ASSET_COLUMNS = ["id", "kind", "name", "sensitivity", "project_id", "owner_id"]


def _now(value: str | None) -> datetime | None:
    return parse_time(value, "now")


def _grant_done(grant: Any, json_: bool, message: str) -> None:
    print_done(json_, grant.model_dump(mode="json"), message)


@app.command("register")
def register(
    ctx: typer.Context, by: By,
    version: Annotated[str | None, typer.Option(help="Version id or DATASET@N.")] = None,
    dataset: Annotated[str | None, typer.Option(help="Dataset id (all its versions).")] = None,
    sensitivity: Annotated[str | None, typer.Option(
        help="public, internal, confidential or restricted (default: the dataset's).")] = None,
    description: Annotated[str, typer.Option(help="What the asset is, in words.")] = "",
    json_: Json = False,
) -> None:
    """Register a dataset or dataset version as an asset with a sensitivity level."""
    from dataflywheel.flows.access import register as run

    with workspace(ctx) as ws:
        asset = run(ws, by=by, version=version, dataset=dataset, sensitivity=sensitivity,
                    description=description)
    print_done(json_, asset.model_dump(mode="json"),
               f"registered {asset.kind.value} asset {asset.id} ({asset.sensitivity.value})")


@app.command("request")
def request(
    ctx: typer.Context,
    asset: Annotated[str, typer.Argument(metavar="ASSET")],
    grantee: Annotated[str, typer.Option(help="Person id who is to read.")],
    purpose: Annotated[str, typer.Option(help="Why they need it.")],
    by: By,
    expires: Annotated[str | None, typer.Option(help="Expiry (ISO 8601), at most 90 days on.")] = None,
    days: Annotated[int | None, typer.Option(help="Expiry as days from now (instead of --expires).")] = None,
    now: Now = None,
    json_: Json = False,
) -> None:
    """Request a time-limited grant on an asset for a person."""
    from dataflywheel.domain.records.base import utcnow
    from dataflywheel.errors import BadInput
    from dataflywheel.flows.access import request as run

    at = _now(now) or utcnow()
    if (expires is None) == (days is None):
        raise BadInput("give exactly one of --expires and --days", field="expires",
                       expected="--expires TIME or --days N", kept="nothing was stored")
    until = parse_time(expires, "expires") if expires else at + timedelta(days=days or 0)
    assert until is not None
    with workspace(ctx) as ws:
        grant = run(ws, asset, grantee=grantee, purpose=purpose, expires_at=until,
                    requested_by=by, now=at)
    _grant_done(grant, json_, f"requested {grant.id} for {grant.grantee_id} on {grant.asset_id}, "
                f"expires {grant.expires_at.isoformat()}")


@app.command("approve")
def approve(ctx: typer.Context, grant: GrantId, by: By,
            note: Annotated[str, typer.Option(help="Why, for the record.")] = "",
            now: Now = None, json_: Json = False) -> None:
    """Approve a grant (the sharing Accountable; Legal/Compliance too above internal)."""
    from dataflywheel.flows.access import approve as run

    with workspace(ctx) as ws:
        g = run(ws, grant, approver=by, note=note, now=_now(now))
    _grant_done(g, json_, f"{g.id} is {g.state.value}" + (
        "" if g.state.value == "active" else " (waiting for the other approval)"))


@app.command("deny")
def deny(ctx: typer.Context, grant: GrantId, by: By,
         reason: Annotated[str, typer.Option(help="Why it is refused.")],
         now: Now = None, json_: Json = False) -> None:
    """Deny a requested grant, with a reason."""
    from dataflywheel.flows.access import deny as run

    with workspace(ctx) as ws:
        g = run(ws, grant, approver=by, reason=reason, now=_now(now))
    _grant_done(g, json_, f"{g.id} denied")


@app.command("revoke")
def revoke(ctx: typer.Context, grant: GrantId, by: By,
           reason: Annotated[str, typer.Option(help="Why it ends early.")],
           now: Now = None, json_: Json = False) -> None:
    """Revoke an active grant before its expiry."""
    from dataflywheel.flows.access import revoke as run

    with workspace(ctx) as ws:
        g = run(ws, grant, by=by, reason=reason, now=_now(now))
    _grant_done(g, json_, f"{g.id} revoked")


@app.command("list")
def list_(
    ctx: typer.Context,
    assets: Annotated[bool, typer.Option("--assets", help="List the asset registry instead.")] = False,
    state: Annotated[str | None, typer.Option(help="Only grants in this state.")] = None,
    grantee: Annotated[str | None, typer.Option(help="Only grants to this person.")] = None,
    asset: Annotated[str | None, typer.Option(help="Only grants on this asset.")] = None,
    now: Now = None, json_: Json = False,
) -> None:
    """List grants (after expiring what is due), or the registered assets with --assets."""
    from dataflywheel.flows.access import list_assets, list_grants

    with workspace(ctx) as ws:
        records: list[Any] = (list_assets(ws) if assets else
                              list_grants(ws, state=state, grantee=grantee, asset=asset,
                                          now=_now(now)))
    rows = [r.model_dump(mode="json") for r in records]
    if json_:
        print_json(rows)
    else:
        print_records(rows, columns=ASSET_COLUMNS if assets else GRANT_COLUMNS,
                      title="assets" if assets else "access grants")


@app.command("sweep")
def sweep(ctx: typer.Context, now: Now = None, json_: Json = False) -> None:
    """Expire every active grant past its expiry (audited)."""
    from dataflywheel.flows.access import sweep as run

    with workspace(ctx) as ws:
        expired = run(ws, now=_now(now))
    if json_:
        print_json({"expired": expired})
    else:
        console.print(f"expired {len(expired)} grant(s)" + (f": {', '.join(expired)}"
                                                          if expired else ""), highlight=False)


@app.command("check")
def check(ctx: typer.Context,
          person: Annotated[str, typer.Option(help="Person id who would read.")],
          version: Annotated[str, typer.Option(help="Version id or DATASET@N.")],
          now: Now = None, json_: Json = False) -> None:
    """May PERSON read VERSION now? Exit code 0 if yes, 1 if no."""
    from dataflywheel.flows.access import check as run

    with workspace(ctx) as ws:
        v, grants = run(ws, person, version, now=_now(now))
    needs = v.state.value == "archived"
    allowed = bool(grants) or not needs
    if json_:
        print_json({"person": person, "version": v.id, "state": v.state.value,
                    "grant_needed": needs, "allowed": allowed, "grants": [g.id for g in grants]})
    else:
        why = (f"by {', '.join(g.id for g in grants)}" if grants else
               "no grant needed" if not needs else "no active grant")
        console.print(f"{person} {'may' if allowed else 'may not'} read {v.id} "
                      f"({v.state.value}): {why}", highlight=False)
    if not allowed:
        raise typer.Exit(1)


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.add_typer(app, name="access")
