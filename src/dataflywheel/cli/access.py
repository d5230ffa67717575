"""`flywheel access …`: the data asset registry and expiring access grants."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

import typer

from dataflywheel.cli._context import workspace
from dataflywheel.cli.options import All, By, Cursor, EndReason, Json, Limit, Now
from dataflywheel.cli.output import console, print_done, print_json, print_records
from dataflywheel.cli.paging import show_list
from dataflywheel.cli.parsing import parse_time
from dataflywheel.cli.through_server import through_server
from dataflywheel.hookspecs import hookimpl

app = typer.Typer(help="Data assets and time-limited access grants (request, approve, revoke).",
                  no_args_is_help=True)
GrantId = Annotated[str, typer.Argument(metavar="GRANT")]
GRANT_COLUMNS = ["id", "asset_id", "grantee_id", "sensitivity", "state", "expires_at",
                 "approved_by_id", "compliance_approved_by_id"]
ASSET_COLUMNS = ["id", "kind", "name", "sensitivity", "project_id", "owner_id"]


def _now(value: str | None) -> datetime | None:
    return parse_time(value, "now")


def _grant_done(grant: Any, json_: bool, message: str) -> None:
    print_done(json_, grant.model_dump(mode="json"), message)


def _grant(answer: Any) -> Any:
    from dataflywheel.domain.records.governance import AccessGrant

    return AccessGrant.model_validate(answer)


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
    from dataflywheel.domain.records.governance import Asset
    from dataflywheel.errors import BadInput
    from dataflywheel.flows.governance.access import register as run

    client = through_server(ctx, by=by)
    if client is not None:
        if (version is None) == (dataset is None):
            raise BadInput("register exactly one of a version or a dataset", field="asset",
                           expected="--version V or --dataset D", kept="nothing was stored")
        path = (f"/api/v1/versions/{version}/assets" if version
                else f"/api/v1/datasets/{dataset}/assets")
        asset = Asset.model_validate(client.call("POST", path, json={
            "sensitivity": sensitivity, "description": description}))
    else:
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
    exception: Annotated[str | None, typer.Option(
        help="Compliance exception a grant on restricted data rests on.")] = None,
    now: Now = None,
    json_: Json = False,
) -> None:
    """Request a time-limited grant on an asset for a person."""
    from dataflywheel.domain.records.base import utcnow
    from dataflywheel.errors import BadInput
    from dataflywheel.flows.governance.access import request as run

    at = _now(now) or utcnow()
    if (expires is None) == (days is None):
        raise BadInput("give exactly one of --expires and --days", field="expires",
                       expected="--expires TIME or --days N", kept="nothing was stored")
    until = parse_time(expires, "expires") if expires else at + timedelta(days=days or 0)
    assert until is not None
    client = through_server(ctx, by=by, now=now)
    if client is not None:
        grant = _grant(client.call("POST", f"/api/v1/assets/{asset}/grants", json={
            "grantee": grantee, "purpose": purpose, "exception": exception,
            **({"days": days} if days is not None else {"expires_at": until.isoformat()})}))
    else:
        with workspace(ctx) as ws:
            grant = run(ws, asset, grantee=grantee, purpose=purpose, expires_at=until,
                        requested_by=by, exception_id=exception, now=at)
    _grant_done(grant, json_, f"requested {grant.id} for {grant.grantee_id} on {grant.asset_id}, "
                f"expires {grant.expires_at.isoformat()}")


@app.command("approve")
def approve(ctx: typer.Context, grant: GrantId, by: By,
            note: Annotated[str, typer.Option(help="Why, for the record.")] = "",
            now: Now = None, json_: Json = False) -> None:
    """Approve a grant (the sharing Accountable; Legal/Compliance too above internal)."""
    from dataflywheel.flows.governance.access import approve as run

    client = through_server(ctx, by=by, now=now)
    if client is not None:
        g = _grant(client.call("POST", f"/api/v1/grants/{grant}/approve", json={"note": note}))
    else:
        with workspace(ctx) as ws:
            g = run(ws, grant, approver=by, note=note, now=_now(now))
    _grant_done(g, json_, f"{g.id} is {g.state.value}" + (
        "" if g.state.value == "active" else " (waiting for the other approval)"))


@app.command("deny")
def deny(ctx: typer.Context, grant: GrantId, by: By,
         reason: Annotated[str, typer.Option(help="Why it is refused.")],
         now: Now = None, json_: Json = False) -> None:
    """Deny a requested grant, with a reason."""
    from dataflywheel.flows.governance.access import deny as run

    client = through_server(ctx, by=by, now=now)
    if client is not None:
        g = _grant(client.call("POST", f"/api/v1/grants/{grant}/deny", json={"reason": reason}))
    else:
        with workspace(ctx) as ws:
            g = run(ws, grant, approver=by, reason=reason, now=_now(now))
    _grant_done(g, json_, f"{g.id} denied")


@app.command("revoke")
def revoke(ctx: typer.Context, by: By,
           reason: EndReason,
           grant: Annotated[str | None, typer.Argument(metavar="[GRANT]")] = None,
           grantee: Annotated[str | None, typer.Option(
               help="Revoke every active grant of this person instead (offboarding).")] = None,
           now: Now = None, json_: Json = False) -> None:
    """Revoke an active grant (or all of a person's, with --grantee) before its expiry."""
    from dataflywheel.errors import BadInput
    from dataflywheel.flows.governance.access import revoke as run
    from dataflywheel.flows.governance.access import revoke_person

    if (grant is None) == (grantee is None):
        raise BadInput("give exactly one of GRANT and --grantee", field="grant",
                       expected="GRANT or --grantee PERSON", kept="nothing was changed")
    client = through_server(ctx, by=by, now=now)
    if grantee is not None:
        if client is not None:
            ended: list[str] = client.call("POST", f"/api/v1/people/{grantee}/grants/revoke",
                                           json={"reason": reason})["revoked"]
        else:
            with workspace(ctx) as ws:
                ended = [g.id for g in revoke_person(ws, grantee, by=by, reason=reason,
                                                     now=_now(now))]
        print_done(json_, {"revoked": ended}, f"revoked {len(ended)} grant(s) of {grantee}"
                   + (f": {', '.join(ended)}" if ended else ""))
        return
    if client is not None:
        g = _grant(client.call("POST", f"/api/v1/grants/{grant}/revoke", json={"reason": reason}))
    else:
        with workspace(ctx) as ws:
            g = run(ws, str(grant), by=by, reason=reason, now=_now(now))
    _grant_done(g, json_, f"{g.id} revoked")


@app.command("list")
def list_(
    ctx: typer.Context,
    assets: Annotated[bool, typer.Option("--assets", help="List the asset registry instead.")] = False,
    state: Annotated[str | None, typer.Option(help="Only grants in this state.")] = None,
    grantee: Annotated[str | None, typer.Option(help="Only grants to this person.")] = None,
    asset: Annotated[str | None, typer.Option(help="Only grants on this asset.")] = None,
    now: Now = None, limit: Limit = None, cursor: Cursor = None, all_: All = False,
    json_: Json = False,
) -> None:
    """List grants (after expiring what is due), or the registered assets with --assets."""
    from dataflywheel.flows.governance.access import assets as asset_list
    from dataflywheel.flows.governance.access import grants

    with workspace(ctx) as ws:
        listing: Any = (asset_list(ws) if assets else
                        grants(ws, state=state, grantee=grantee, asset=asset, now=_now(now)))
        show_list(ctx, listing, row=lambda r: r.model_dump(mode="json"),
                  columns=ASSET_COLUMNS if assets else GRANT_COLUMNS, json_=json_, limit=limit,
                  cursor=cursor, all_=all_, title="assets" if assets else "access grants")


@app.command("sweep")
def sweep(ctx: typer.Context, now: Now = None, json_: Json = False) -> None:
    """Expire every active grant past its expiry (audited)."""
    from dataflywheel.flows.governance.access import sweep as run

    client = through_server(ctx, now=now)
    if client is not None:
        expired: list[str] = client.call("POST", "/api/v1/grants/sweep")["expired"]
    else:
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
    """May PERSON read VERSION now (Table 24-20 at its effective level)? Exit 0 if yes, 1 if no."""
    from dataflywheel.flows.governance.access_reads import check as run

    with workspace(ctx) as ws:
        d = run(ws, person, version, now=_now(now))
    v = d.version
    if json_:
        print_json(d.answer())
    else:
        why = (f"by {', '.join(g.id for g in d.grants)}" if d.grants else
               "no grant needed (public)" if not d.rule.grant_needed else str(d.refusal))
        console.print(f"{person} {'may' if d.allowed else 'may not'} read {v.id} "
                      f"({v.state.value}, {d.grade.explain()}): {why}", highlight=False)
    if not d.allowed:
        raise typer.Exit(1)


@app.command("reads")
def reads(ctx: typer.Context,
          version: Annotated[str | None, typer.Argument(
              metavar="[VERSION]", help="Version id or DATASET@N (default: all).")] = None,
          json_: Json = False) -> None:
    """Who read which version, when, why — and who was refused (from the audit log)."""
    from dataflywheel.flows.governance.access_reads import reads_of

    with workspace(ctx) as ws:
        entries = reads_of(ws, version)
    rows = [e.row() for e in entries]
    if json_:
        print_json(rows)
    else:
        print_records(rows, columns=["seq", "at", "version", "allowed", "reason"],
                      title="reads of version contents")


@app.command("derive")
def derive(ctx: typer.Context,
           dataset: Annotated[str, typer.Argument(metavar="DATASET")],
           source: Annotated[str, typer.Option("--from", help="Source version (V or DATASET@N) or dataset.")],
           method: Annotated[str, typer.Option(help="How it was derived: cleaning, annotation, generation, …")],
           by: By, json_: Json = False) -> None:
    """Record that DATASET is derived data built from a source; it inherits the source's level."""
    from dataflywheel.flows.governance.sensitivity import derive as run

    from dataflywheel.domain.records.governance import Derivation

    client = through_server(ctx, by=by)
    if client is not None:
        d = Derivation.model_validate(client.call(
            "POST", f"/api/v1/datasets/{dataset}/derivations",
            json={"source": source, "method": method}))
    else:
        with workspace(ctx) as ws:
            d = run(ws, dataset, source=source, method=method, by=by)
    print_done(json_, d.model_dump(mode="json"),
               f"{d.id}: {d.dataset_id} is derived from {d.source} ({d.method})")


@app.command("regrade")
def regrade(ctx: typer.Context,
            dataset: Annotated[str, typer.Argument(metavar="DATASET")],
            level: Annotated[str, typer.Option(help="public, internal, confidential or restricted.")],
            reason: Annotated[str, typer.Option(help="Why the derived data is at this level.")],
            by: By, json_: Json = False) -> None:
    """Re-grade derived DATASET (a Legal/Compliance holder approves; audited)."""
    from dataflywheel.flows.governance.sensitivity import regrade as run

    from dataflywheel.domain.records.governance import Regrade

    client = through_server(ctx, by=by)
    if client is not None:
        r = Regrade.model_validate(client.call("POST", f"/api/v1/datasets/{dataset}/regrade",
                                               json={"level": level, "reason": reason}))
    else:
        with workspace(ctx) as ws:
            r = run(ws, dataset, level=level, by=by, reason=reason)
    print_done(json_, r.model_dump(mode="json"),
               f"{r.id}: {r.dataset_id} re-graded from {r.inherited.value} to {r.level.value} "
               f"by {r.approved_by_id}")


@app.command("grade")
def grade(ctx: typer.Context,
          ref: Annotated[str, typer.Argument(metavar="VERSION_OR_DATASET")],
          json_: Json = False) -> None:
    """The effective sensitivity of a version or dataset, and why (Table 24-20)."""
    from dataflywheel.domain.policies.sensitivity import row_for
    from dataflywheel.flows.governance.sensitivity import grade_answer, grade_of

    with workspace(ctx) as ws:
        key, g = grade_of(ws, ref)
    answer = grade_answer(key, g)
    if json_:
        print_json(answer)
    else:
        console.print(f"{key}: {g.explain()} — {row_for(g.level.value).level}: "
                      f"{answer['policy']}; audit: {answer['audit']}. Reading needs: "
                      f"{answer['read_rule']}", highlight=False)


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.add_typer(app, name="access")
