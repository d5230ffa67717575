"""`flywheel tokens …` (personal API tokens for the team server) and `flywheel admins …`.

With `FLYWHEEL_SERVER` set, `tokens create|revoke` and `admins grant|revoke` act through the
server (`api/routers/tokens.py`, `api/routers/people.py`) and print what they print locally."""

from __future__ import annotations

from typing import Annotated

import typer

from dataflywheel.cli._context import workspace
from dataflywheel.cli.options import All, Cursor, Json, Limit
from dataflywheel.cli.output import console, print_done, print_json, print_records
from dataflywheel.cli.paging import show_list
from dataflywheel.cli.remote import segment, server_of
from dataflywheel.hookspecs import hookimpl

tokens_app = typer.Typer(help="Personal API tokens: create (shown once), list, revoke.",
                         no_args_is_help=True)
admins_app = typer.Typer(help="Server administrators: they manage people and tokens, and "
                              "approve nothing the RACI matrix does not let them.",
                         no_args_is_help=True)
TOKEN_COLUMNS = ["id", "person_id", "label", "state", "created_at", "expires_at", "created_by"]
Person = Annotated[str, typer.Argument(metavar="PERSON", help="Person id.")]


@tokens_app.command("create")
def create(
    ctx: typer.Context, person: Person,
    expires: Annotated[str, typer.Option(help="Lifetime: 12h, 30d, 2w (at most 365d).")] = "30d",
    label: Annotated[str, typer.Option(help="Where it is used, e.g. 'laptop' or 'CI'.")] = "",
    json_: Json = False,
) -> None:
    """A new token for PERSON (yourself, or anyone if you administer the server). The token is
    printed once; only its hash is kept."""
    from dataflywheel.domain.durations import parse_span
    from dataflywheel.flows.governance.tokens import MAX_LIFETIME, create_token

    from dataflywheel.domain.records.tokens import ApiTokenInfo

    lifetime = parse_span(expires, field="expires", most=MAX_LIFETIME)
    client = server_of(ctx)
    token: ApiTokenInfo
    if client is not None:
        made = client.call("POST", f"/api/v1/people/{segment(person)}/tokens",
                           json={"expires": expires, "label": label})
        token, plaintext = ApiTokenInfo.model_validate(made["token"]), str(made["plaintext"])
    else:
        with workspace(ctx) as ws:
            stored, plaintext = create_token(ws, person, lifetime=lifetime, label=label)
        token = stored.info()
    if json_:
        print_json({"token": token.model_dump(mode="json"), "plaintext": plaintext})
        return
    console.print(f"[green]created {token.id} for {person}, expires "
                  f"{token.expires_at.isoformat()}[/]", highlight=False)
    console.print("the token (shown only now; send it as 'Authorization: Bearer …'):",
                  highlight=False)
    console.print(plaintext, highlight=False, markup=False, soft_wrap=True)


@tokens_app.command("list")
def list_(
    ctx: typer.Context,
    person: Annotated[str | None, typer.Option(help="Only this person's tokens.")] = None,
    limit: Limit = None, cursor: Cursor = None, all_: All = False, json_: Json = False,
) -> None:
    """Tokens (never their secrets), by id."""
    from dataflywheel.flows.governance.tokens import tokens

    with workspace(ctx) as ws:
        show_list(ctx, tokens(ws, person_id=person), row=lambda t: t.info().model_dump(mode="json"),
                  columns=TOKEN_COLUMNS, json_=json_, limit=limit, cursor=cursor, all_=all_)


@tokens_app.command("revoke")
def revoke(
    ctx: typer.Context, token: Annotated[str, typer.Argument(metavar="TOKEN_ID")],
    reason: Annotated[str, typer.Option(help="Why it ends now.")],
    json_: Json = False,
) -> None:
    """End a token now (yours, or anyone's if you administer the server)."""
    from dataflywheel.flows.governance.tokens import revoke_token

    from dataflywheel.domain.records.tokens import ApiTokenInfo

    client = server_of(ctx)
    ended: ApiTokenInfo
    if client is not None:
        ended = ApiTokenInfo.model_validate(client.call(
            "POST", f"/api/v1/tokens/{segment(token)}/revoke", json={"reason": reason}))
    else:
        with workspace(ctx) as ws:
            ended = revoke_token(ws, token, reason=reason).info()
    print_done(json_, ended.model_dump(mode="json"), f"revoked {ended.id} of {ended.person_id}")


@admins_app.command("list")
def admins_list(ctx: typer.Context, json_: Json = False) -> None:
    """Who administers the server."""
    from dataflywheel.flows.governance.tokens import admins

    with workspace(ctx) as ws:
        rows = [a.model_dump(mode="json") for a in admins(ws)]
    print_json(rows) if json_ else print_records(rows, columns=["person_id", "granted_by",
                                                                "granted_at"])


@admins_app.command("grant")
def admins_grant(ctx: typer.Context, person: Person, json_: Json = False) -> None:
    """Make PERSON a server administrator (by an administrator; with none, claim it yourself)."""
    from dataflywheel.flows.governance.tokens import grant_admin

    from dataflywheel.domain.records.tokens import ServerAdmin

    client = server_of(ctx)
    if client is not None:
        admin = ServerAdmin.model_validate(client.call("POST", "/api/v1/admins",
                                                       json={"person": person}))
    else:
        with workspace(ctx) as ws:
            admin = grant_admin(ws, person)
    print_done(json_, admin.model_dump(mode="json"), f"{person} administers the server")


@admins_app.command("revoke")
def admins_revoke(ctx: typer.Context, person: Person,
                  reason: Annotated[str, typer.Option(help="Why.")], json_: Json = False) -> None:
    """Stop PERSON administering the server (not the last administrator)."""
    from dataflywheel.flows.governance.tokens import revoke_admin

    from dataflywheel.domain.records.tokens import ServerAdmin

    client = server_of(ctx)
    if client is not None:
        admin = ServerAdmin.model_validate(client.call(
            "POST", f"/api/v1/admins/{segment(person)}/revoke", json={"reason": reason}))
    else:
        with workspace(ctx) as ws:
            admin = revoke_admin(ws, person, reason=reason)
    print_done(json_, admin.model_dump(mode="json"), f"{person} no longer administers the server")


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.add_typer(tokens_app, name="tokens")
    cli.add_typer(admins_app, name="admins")
