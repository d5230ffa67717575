"""`flywheel people|roles|teams|vendors`.

With `FLYWHEEL_SERVER` set, the commands that change state act through the team server's routes
(`api/routers/people.py`) and print what they print locally; `people bind` refuses there (a login
binding names an OS login on the database's machine; through the server a person acts with a token).
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from dataflywheel.cli._context import workspace
from dataflywheel.cli.options import All, Cursor, Json, Limit
from dataflywheel.cli.paging import show_list
from dataflywheel.cli.output import console, print_done, print_json, print_records
from dataflywheel.cli.remote import segment, server_of
from dataflywheel.hookspecs import hookimpl

people_app = typer.Typer(help="People and the roles they hold.", no_args_is_help=True)
roles_app = typer.Typer(help="The seven roles.", no_args_is_help=True)
teams_app = typer.Typer(help="Teams.", no_args_is_help=True)
vendors_app = typer.Typer(help="Outsourced vendors.", no_args_is_help=True)


@people_app.command("add")
def people_add(
    ctx: typer.Context,
    person_id: Annotated[str, typer.Argument(metavar="ID")],
    name: str,
    role: Annotated[list[str], typer.Option("--role", help="A role to hold (repeatable).")] = [],  # noqa: B006
    email: Optional[str] = None,
    team: Optional[str] = None,
    vendor: Optional[str] = None,
    project: Annotated[Optional[str], typer.Option(help="Hold the roles in this project only.")] = None,
    login: Annotated[Optional[str], typer.Option(help="The OS login they act under (or bind it later).")] = None,
    json_: Json = False,
) -> None:
    """Add a person, with the roles they hold (and the login they act under)."""
    from dataflywheel.domain.records.people import Person
    from dataflywheel.domain.roles import parse_role
    from dataflywheel.flows.governance.people import add_person

    roles = [parse_role(r) for r in role]
    person = Person(id=person_id, name=name, email=email, team_id=team, vendor_id=vendor)
    client = server_of(ctx)
    if client is not None:
        if login is not None:
            _no_login_over_server("--login")
        row = client.call("POST", "/api/v1/people", json={
            "id": person_id, "name": name, "email": email, "team": team, "vendor": vendor,
            "roles": [r.value for r in roles], "project": project})
    else:
        with workspace(ctx) as ws:
            add_person(ws, person, roles=roles, project_id=project, login=login)
        row = person.model_dump(mode="json") | {"roles": [r.value for r in roles]}
    print_done(json_, row, f"added person {person_id}")


@people_app.command("grant-role")
def people_grant(
    ctx: typer.Context,
    person_id: Annotated[str, typer.Argument(metavar="ID")],
    role: str,
    project: Optional[str] = None,
    json_: Json = False,
) -> None:
    """Let a person hold a role, team-wide or in one project."""
    from dataflywheel.domain.roles import parse_role
    from dataflywheel.flows.governance.people import grant_role

    from dataflywheel.domain.records.people import RoleHolding

    held = parse_role(role)
    client = server_of(ctx)
    if client is not None:
        holding = RoleHolding.model_validate(client.call(
            "POST", f"/api/v1/people/{segment(person_id)}/roles",
            json={"role": held.value, "project": project}))
    else:
        with workspace(ctx) as ws:
            holding = grant_role(ws, person_id, held, project_id=project)
    print_done(json_, holding.model_dump(mode="json"), f"{person_id} now holds {holding.role.value}")


@people_app.command("bind")
def people_bind(
    ctx: typer.Context,
    person_id: Annotated[str, typer.Argument(metavar="PERSON")],
    login: Annotated[Optional[str], typer.Option(help="The login to bind (default: yours).")] = None,
    json_: Json = False,
) -> None:
    """Bind an OS login to a person: commands run under that login act as them (audited)."""
    from dataflywheel.flows.governance.identity import bind

    if server_of(ctx) is not None:
        _no_login_over_server("people bind")
    with workspace(ctx) as ws:
        binding = bind(ws, person_id, login=login)
    print_done(json_, binding.model_dump(mode="json"),
               f"login {binding.login} now acts as {binding.person_id}")


@people_app.command("whoami")
def people_whoami(ctx: typer.Context, json_: Json = False) -> None:
    """Your login and the person it acts as (exit 2 with how to bind when it acts as nobody);
    through the server, the token and the person it acts as (`GET /api/v1/me`)."""
    client = server_of(ctx)
    if client is not None:
        me = client.call("GET", "/api/v1/me")
        login, person = f"token:{me['token_id']}", str(me["person_id"])
    else:
        with workspace(ctx) as ws:
            login, person = ws.login, ws.actor
    print_done(json_, {"login": login, "person": person}, f"login {login} acts as {person}")


@people_app.command("revoke-role")
def people_revoke_role(
    ctx: typer.Context,
    person_id: Annotated[str, typer.Argument(metavar="ID")],
    role: str,
    reason: Annotated[str, typer.Option(help="Why the role is taken away.")],
    project: Optional[str] = None,
    json_: Json = False,
) -> None:
    """Take a role away from a person (team-wide, or in one project), audited."""
    from dataflywheel.domain.roles import parse_role
    from dataflywheel.flows.governance.people import revoke_role

    from dataflywheel.domain.records.people import RoleHolding

    held = parse_role(role)
    client = server_of(ctx)
    if client is not None:
        holding = RoleHolding.model_validate(client.call(
            "POST", f"/api/v1/people/{segment(person_id)}/roles/revoke",
            json={"role": held.value, "project": project, "reason": reason}))
    else:
        with workspace(ctx) as ws:
            holding = revoke_role(ws, person_id, held, project_id=project, reason=reason)
    print_done(json_, holding.model_dump(mode="json"),
               f"{person_id} no longer holds {holding.role.value}" + (f" in {project}" if project else ""))


@people_app.command("offboard")
def people_offboard(
    ctx: typer.Context,
    person_id: Annotated[str, typer.Argument(metavar="ID")],
    reason: Annotated[str, typer.Option(help="Why they leave (kept in the audit log).")],
    json_: Json = False,
) -> None:
    """Table 24-21 offboarding: revoke their grants, remove their roles, unbind their logins and
    deactivate them; each step audited. They can no longer act or approve."""
    from dataflywheel.flows.governance.offboarding import offboard, offboarded_json

    client = server_of(ctx)
    if client is not None:
        row = client.call("POST", f"/api/v1/people/{segment(person_id)}/offboard",
                          json={"reason": reason})
    else:
        with workspace(ctx) as ws:
            row = offboarded_json(offboard(ws, person_id, reason=reason))
    print_done(json_, row, f"offboarded {person_id}: roles removed "
               f"{', '.join(row['roles_removed']) or 'none'}; logins unbound "
               f"{', '.join(row['logins_unbound']) or 'none'}; grants revoked "
               f"{', '.join(row['grants_revoked']) or 'none'}; grants denied "
               f"{', '.join(row['grants_denied']) or 'none'}")


@people_app.command("list")
def people_list(ctx: typer.Context, limit: Limit = None, cursor: Cursor = None, all_: All = False,
                json_: Json = False) -> None:
    """Everyone, with their roles."""
    from dataflywheel.flows.governance.people import people, person_json

    with workspace(ctx) as ws:
        show_list(ctx, people(ws), row=person_json,
                  columns=["id", "name", "email", "team_id", "vendor_id", "roles", "logins",
                           "active"], json_=json_, limit=limit, cursor=cursor, all_=all_)


@people_app.command("show")
def people_show(ctx: typer.Context, person_id: Annotated[str, typer.Argument(metavar="ID")],
                json_: Json = False) -> None:
    """One person and their roles."""
    from dataflywheel.flows.governance.people import get_person, person_json

    with workspace(ctx) as ws:
        row = person_json(get_person(ws, person_id))
    if json_:
        print_json(row)
    else:
        for key, value in row.items():
            console.print(f"[bold]{key}[/]: {value}", highlight=False)


def _no_login_over_server(what: str) -> None:
    from dataflywheel.errors import BadInput

    raise BadInput(f"{what} binds an OS login, which only means something on the machine that "
                   "holds the database; through the team server a person acts with their own token",
                   field="FLYWHEEL_SERVER", kept="nothing was changed",
                   hint="unset FLYWHEEL_SERVER and run it on the server's machine, or give the "
                        "person a token: flywheel tokens create PERSON --expires 30d")


@roles_app.command("list")
def roles_list(json_: Json = False) -> None:
    """The seven roles and their duties."""
    from dataflywheel.domain.roles import ROLE_DUTIES, ROLE_TITLES, Role

    rows = [{"id": r.value, "title": ROLE_TITLES[r], "duties": ROLE_DUTIES[r]} for r in Role]
    if json_:
        print_json(rows)
    else:
        print_records(rows, columns=["id", "title", "duties"])


@teams_app.command("add")
def teams_add(ctx: typer.Context, team_id: Annotated[str, typer.Argument(metavar="ID")], name: str,
              lead: Optional[str] = None, json_: Json = False) -> None:
    """Add a team."""
    from dataflywheel.domain.records.people import Team
    from dataflywheel.flows.governance.people import add_team

    client = server_of(ctx)
    if client is not None:
        team = Team.model_validate(client.call("POST", "/api/v1/teams", json={
            "id": team_id, "name": name, "lead": lead}))
    else:
        with workspace(ctx) as ws:
            team = add_team(ws, Team(id=team_id, name=name, lead_id=lead))
    print_done(json_, team.model_dump(mode="json"), f"added team {team_id}")


@vendors_app.command("add")
def vendors_add(ctx: typer.Context, vendor_id: Annotated[str, typer.Argument(metavar="ID")], name: str,
                service: str = "annotation", contact: Optional[str] = None, json_: Json = False) -> None:
    """Add an outsourced vendor."""
    from dataflywheel.domain.records.people import Vendor
    from dataflywheel.flows.governance.people import add_vendor

    client = server_of(ctx)
    if client is not None:
        vendor = Vendor.model_validate(client.call("POST", "/api/v1/vendors", json={
            "id": vendor_id, "name": name, "service": service, "contact": contact}))
    else:
        with workspace(ctx) as ws:
            vendor = add_vendor(ws, Vendor(id=vendor_id, name=name, service=service,
                                           contact=contact))
    print_done(json_, vendor.model_dump(mode="json"), f"added vendor {vendor_id}")



@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.add_typer(people_app, name="people")
    cli.add_typer(roles_app, name="roles")
    cli.add_typer(teams_app, name="teams")
    if not any(c.name == "scorecard" for c in vendors_app.registered_commands):
        from dataflywheel.cli.vendor_lifecycle import attach

        attach(vendors_app)  # record, dispatch, calibrate, monitor, offboard, scorecard
    cli.add_typer(vendors_app, name="vendors")


@teams_app.command("list")
def teams_list(ctx: typer.Context, limit: Limit = None, cursor: Cursor = None, all_: All = False, json_: Json = False) -> None:
    """All teams."""
    from dataflywheel.flows.governance.people import teams

    with workspace(ctx) as ws:
        show_list(ctx, teams(ws), row=lambda t: t.model_dump(mode="json"),
                  columns=["id", "name", "lead_id"], json_=json_, limit=limit, cursor=cursor, all_=all_)


@vendors_app.command("list")
def vendors_list(ctx: typer.Context, limit: Limit = None, cursor: Cursor = None, all_: All = False, json_: Json = False) -> None:
    """All vendors."""
    from dataflywheel.flows.governance.people import vendors

    with workspace(ctx) as ws:
        show_list(ctx, vendors(ws), row=lambda v: v.model_dump(mode="json"),
                  columns=["id", "name", "service", "contact", "active"], json_=json_, limit=limit, cursor=cursor, all_=all_)
