"""The CLI and the API answer the same question the same way (issue 17): every command that reads
or changes state has its route, and the commands that have none say why.

`PARITY` maps each visible `flywheel` command to the route(s) that answer it, or to the reason it
has none. A new command fails here until it gets a route or a reason; a route named here that the
server no longer has fails too. The team-wide SLA view and the routing rules answer exactly what
the CLI's `--json` prints, on both backends.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

Route = tuple[str, str]
V, R = "/api/v1/versions/{version}", "/api/v1/requirements/{requirement}"
I, E = "/api/v1/issues/{issue}", "/api/v1/exceptions/{exception}"
C = "/api/v1/contracts/{contract}/versions/{semver}"
FB, TH = "/api/v1/feedback", "/api/v1/feedback/themes/{theme}"
SP = "/api/v1/system/projects/{project}"

NO_ROUTE = {
    "serve": "it starts the server",
    "init": "it creates a workspace; a server serves one that exists",
    "demo": "it plays the demo scenario in a fresh local workspace",
    "db upgrade": "the operator migrates the server's own database before it starts",
    "db current": "the operator's look at the server's own database schema",
    "people bind": "it binds an OS login for local use; on the server a person acts with a token",
    "experiments capture-env": "it describes the client's machine, which the client sends in "
                               "the log body (POST /api/v1/experiments)",
    "check": "it checks the caller's own files against a plan file and stores nothing: it runs "
             "where the files are",
    "report schedule": "it prints a crontab line or systemd units naming programs and paths of "
                       "the machine it runs on; a server's operator runs it there",
    "system check": "it runs the integrity commands (audit verify, verify: the whole object store "
                    "re-hashed) in child processes, an operator's job on the server's machine; "
                    "the artifacts it checks are over HTTP (GET /api/v1/system/...)",
    "system export": "it writes the fifteen deliverables into a folder where it runs; their "
                     "content is over HTTP (the report, and the system routes)",
    "verify": "it re-hashes the whole object store, an operator's integrity job on the server's "
              "machine (a worker held for minutes on a large store); the audit chain is checked "
              "over HTTP (POST /api/v1/audit/verify)",
}

PARITY: dict[str, list[Route]] = {
    "deliver": [("POST", R + "/deliveries"), ("POST", R + "/deliveries/from-url")],
    "export": [("POST", V + "/export")],
    "freeze": [("POST", V + "/freeze")],
    "inbox": [("GET", "/api/v1/inbox")],
    "trace": [("GET", "/api/v1/trace"), ("GET", "/api/v1/trace/{question}")],
    "metrics": [("GET", "/api/v1/metrics"), ("GET", "/api/v1/metrics/definitions")],
    "scorecard": [("GET", "/api/v1/metrics/scorecard")],
    "assess": [("GET", "/api/v1/assessment")],
    "report monday": [("GET", "/api/v1/reports/monday")],
    "report wednesday": [("GET", "/api/v1/reports/wednesday")],
    "report friday": [("GET", "/api/v1/reports/friday")],
    "report monthly": [("GET", "/api/v1/reports/monthly")],
    "report quarterly": [("GET", "/api/v1/reports/quarterly")],
    "report due": [("GET", "/api/v1/reports/due"), ("POST", "/api/v1/reports/due/send")],
    "tokens create": [("POST", "/api/v1/people/{person}/tokens")],
    "tokens list": [("GET", "/api/v1/people/{person}/tokens")],
    "tokens revoke": [("POST", "/api/v1/tokens/{token}/revoke")],
    "admins list": [("GET", "/api/v1/admins")],
    "admins grant": [("POST", "/api/v1/admins")],
    "admins revoke": [("POST", "/api/v1/admins/{admin}/revoke")],
    "access register": [("POST", "/api/v1/datasets/{dataset}/assets"), ("POST", V + "/assets")],
    "access request": [("POST", "/api/v1/assets/{asset}/grants")],
    "access approve": [("POST", "/api/v1/grants/{grant}/approve")],
    "access deny": [("POST", "/api/v1/grants/{grant}/deny")],
    "access revoke": [("POST", "/api/v1/grants/{grant}/revoke")],
    "access list": [("GET", "/api/v1/grants"), ("GET", "/api/v1/assets")],
    "access sweep": [("POST", "/api/v1/grants/sweep")],
    "access check": [("GET", V + "/access")],
    "access reads": [("GET", V + "/reads")],
    "access derive": [("POST", "/api/v1/datasets/{dataset}/derivations")],
    "access regrade": [("POST", "/api/v1/datasets/{dataset}/regrade")],
    "access grade": [("GET", "/api/v1/datasets/{dataset}/grade"), ("GET", V + "/grade")],
    "feedback ingest": [("POST", FB + "/events"), ("POST", FB + "/events/jsonl")],
    "feedback import-eval": [("POST", FB + "/import-eval")],
    "feedback import-predictions": [("POST", FB + "/import-predictions")],
    "feedback list": [("GET", FB + "/events")],
    "feedback rejections": [("GET", FB + "/rejections")],
    "feedback route": [("POST", FB + "/route"), ("GET", FB + "/events/{event}/explain")],
    "feedback prioritise": [("POST", FB + "/prioritise")],
    "feedback promote": [("POST", FB + "/promote")],
    "feedback absorb": [("POST", FB + "/absorb")],
    "feedback metrics": [("GET", FB + "/metrics")],
    "feedback rules check": [("GET", FB + "/rules/check")],
    "feedback rules show": [("GET", FB + "/rules")],
    "feedback triage list": [("GET", FB + "/triage")],
    "feedback triage assign": [("POST", FB + "/events/{event}/assign")],
    "feedback themes form": [("POST", FB + "/themes/form")],
    "feedback themes list": [("GET", FB + "/themes")],
    "feedback themes show": [("GET", TH)],
    "feedback themes queue": [("POST", TH + "/queue")],
    "feedback themes decline": [("POST", TH + "/decline")],
    "lineage version": [("GET", "/api/v1/lineage/versions/{version}")],
    "lineage batch": [("GET", "/api/v1/lineage/batches/{batch}")],
    "lineage checked": [("GET", "/api/v1/lineage/checked")],
    "lineage requirement": [("GET", "/api/v1/lineage/requirements/{requirement}")],
    "lineage events": [("GET", "/api/v1/lineage/events")],
    "exceptions request": [("POST", "/api/v1/exceptions")],
    "exceptions approve": [("POST", E + "/approve")],
    "exceptions reject": [("POST", E + "/reject")],
    "exceptions withdraw": [("POST", E + "/withdraw")],
    "exceptions revoke": [("POST", E + "/revoke")],
    "exceptions list": [("GET", "/api/v1/exceptions")],
    "exceptions show": [("GET", E)],
    "exceptions sweep": [("POST", "/api/v1/exceptions/sweep")],
    "experiments log": [("POST", "/api/v1/experiments"),
                        ("POST", "/api/v1/projects/{project}/experiments")],
    "experiments finish": [("POST", "/api/v1/experiments/{experiment}/finish")],
    "experiments list": [("GET", "/api/v1/experiments")],
    "experiments show": [("GET", "/api/v1/experiments/{experiment}")],
    "experiments compare": [("GET", "/api/v1/experiments/{experiment}/compare")],
    "experiments import-mlflow": [("POST", "/api/v1/experiments/import-mlflow"),
                                  ("POST", "/api/v1/experiments/import-mlflow/upload")],
    "experiments export-mlflow": [("POST", "/api/v1/experiments/{experiment}/export-mlflow")],
    "kb add": [("POST", "/api/v1/kb/documents"), ("POST", "/api/v1/projects/{project}/kb/documents")],
    "kb search": [("GET", "/api/v1/kb/search")],
    "vendors record": [("POST", "/api/v1/vendors/{vendor}/evidence")],
    "vendors dispatch": [("POST", "/api/v1/vendors/{vendor}/dispatch")],
    "vendors calibrate": [("POST", "/api/v1/vendors/{vendor}/calibrations")],
    "vendors monitor": [("POST", "/api/v1/vendors/{vendor}/monitoring")],
    "vendors offboard": [("POST", "/api/v1/vendors/{vendor}/offboard")],
    "vendors scorecard": [("GET", "/api/v1/vendors/{vendor}/scorecard")],
    "guides add": [("POST", "/api/v1/guides"), ("POST", "/api/v1/projects/{project}/guides")],
    "guides change": [("POST", "/api/v1/guides/{guide}/versions")],
    "guides faq": [("POST", "/api/v1/guides/{guide}/versions/{version}/faq")],
    "guides list": [("GET", "/api/v1/guides")],
    "guides show": [("GET", "/api/v1/guides/{guide}/versions/{version}")],
    "guides diff": [("GET", "/api/v1/guides/{guide}/diff")],
    "kb show": [("GET", "/api/v1/kb/documents/{document}")],
    "kb link": [("POST", "/api/v1/kb/documents/{document}/links")],
    "kb templates": [("GET", "/api/v1/kb/templates"), ("POST", "/api/v1/kb/templates/install")],
    "issues open": [("POST", "/api/v1/issues"), ("POST", "/api/v1/projects/{project}/issues")],
    "issues list": [("GET", "/api/v1/issues")],
    "issues show": [("GET", I)],
    "issues ack": [("POST", I + "/ack")],
    "issues assign": [("POST", I + "/assign")],
    "issues resolve": [("POST", I + "/resolve")],
    "issues close": [("POST", I + "/close")],
    "issues reopen": [("POST", I + "/reopen")],
    "issues escalate": [("POST", "/api/v1/issues/escalate")],
    "issues tier": [("GET", "/api/v1/issues/tier")],
    "issues postmortem-template": [("GET", I + "/postmortem/template")],
    "issues postmortem": [("PUT", I + "/postmortem"), ("GET", I + "/postmortem")],
    "issues postmortem-link": [("POST", I + "/postmortem/link")],
    "issues postmortem-submit": [("POST", I + "/postmortem/submit")],
    "issues postmortem-publish": [("POST", I + "/postmortem/publish")],
    "batches list": [("GET", "/api/v1/batches")],
    "batches show": [("GET", "/api/v1/batches/{batch}")],
    "batches report": [("GET", "/api/v1/batches/{batch}/report")],
    "batches review-sheet": [("GET", "/api/v1/batches/{batch}/review-sheet")],
    "batches review": [("POST", "/api/v1/batches/{batch}/review")],
    "datasets create": [("POST", "/api/v1/projects/{project}/datasets")],
    "datasets list": [("GET", "/api/v1/datasets")],
    "datasets show": [("GET", "/api/v1/datasets/{dataset}")],
    "versions create": [("POST", "/api/v1/datasets/{dataset}/versions")],
    "versions add": [("POST", V + "/add")],
    "versions remove": [("POST", V + "/remove")],
    "versions refresh": [("POST", V + "/refresh")],
    "versions datasheet": [("GET", V + "/datasheet"), ("POST", V + "/datasheet")],
    "versions compliance": [("POST", V + "/compliance")],
    "versions show": [("GET", V)],
    "versions list": [("GET", "/api/v1/versions")],
    "versions freeze": [("POST", V + "/freeze")],
    "versions notice": [("POST", V + "/notice")],
    "versions final-check-sheet": [("GET", V + "/final-check-sheet")],
    "versions final-check": [("POST", V + "/final-check")],
    "versions archive": [("POST", V + "/archive")],
    "versions reject": [("POST", V + "/reject")],
    "versions rollback": [("POST", V + "/rollback")],
    "audit verify": [("POST", "/api/v1/audit/verify")],
    "audit head": [("GET", "/api/v1/audit/head")],
    "contracts validate": [("POST", "/api/v1/contracts/validate")],
    "contracts import": [("POST", "/api/v1/contracts"),
                         ("POST", "/api/v1/projects/{project}/contracts")],
    "contracts propose": [("POST", "/api/v1/contracts/{contract}/versions")],
    "contracts activate": [("POST", C + "/activate")],
    "contracts reject": [("POST", C + "/reject")],
    "contracts retire-expired": [("POST", "/api/v1/contracts/retire-expired")],
    "contracts list": [("GET", "/api/v1/contracts")],
    "contracts show": [("GET", "/api/v1/contracts/{contract}"), ("GET", C)],
    "contracts export": [("GET", C + "/odcs")],
    "contracts plan": [("GET", C + "/plan")],
    "contracts notice-rate": [("GET", "/api/v1/contracts/notice-rate")],
    "requirements add": [("POST", "/api/v1/projects/{project}/requirements")],
    "requirements list": [("GET", "/api/v1/requirements")],
    "requirements show": [("GET", R)],
    "requirements triage": [("POST", R + "/triage")],
    "requirements amend": [("POST", R + "/amend")],
    "requirements commit": [("POST", "/api/v1/projects/{project}/requirements/commit")],
    "requirements start": [("POST", R + "/start")],
    "requirements deliver": [("POST", R + "/deliver")],
    "requirements accept": [("POST", R + "/accept")],
    "requirements reject": [("POST", R + "/reject")],
    "requirements sla": [("GET", "/api/v1/requirements/sla"), ("GET", R + "/sla")],
    "requirements escalate": [("POST", "/api/v1/requirements/escalate")],
    "raci import": [("POST", "/api/v1/raci/import")],
    "raci show": [("GET", "/api/v1/raci")],
    "raci check": [("GET", "/api/v1/raci/check")],
    "raci who": [("GET", "/api/v1/raci/items/{item}/who")],
    "raci consult": [("POST", "/api/v1/raci/consultations")],
    "raci answer": [("POST", "/api/v1/raci/consultations/{consultation}/answer")],
    "raci consultations": [("GET", "/api/v1/raci/consultations")],
    "projects add": [("POST", "/api/v1/projects")],
    "projects list": [("GET", "/api/v1/projects")],
    "projects show": [("GET", "/api/v1/projects/{project}")],
    "projects status": [("POST", "/api/v1/projects/{project}/status")],
    "projects checks": [("GET", "/api/v1/projects/{project}/checks")],
    "projects import": [("POST", "/api/v1/registry/import")],
    "projects export": [("GET", "/api/v1/registry/export")],
    "system registry": [("GET", "/api/v1/system/registry")],
    "system layers": [("GET", "/api/v1/system/layers")],
    "system controls": [("GET", "/api/v1/system/controls")],
    "people add": [("POST", "/api/v1/people")],
    "people grant-role": [("POST", "/api/v1/people/{person}/roles")],
    "people revoke-role": [("POST", "/api/v1/people/{person}/roles/revoke")],
    "people offboard": [("POST", "/api/v1/people/{person}/offboard")],
    "people whoami": [("GET", "/api/v1/me")],
    "people list": [("GET", "/api/v1/people")],
    "people show": [("GET", "/api/v1/people/{person}")],
    "roles list": [("GET", "/api/v1/roles")],
    "teams add": [("POST", "/api/v1/teams")],
    "teams list": [("GET", "/api/v1/teams")],
    "vendors add": [("POST", "/api/v1/vendors")],
    "vendors list": [("GET", "/api/v1/vendors")],
    "system plan load": [("POST", SP + "/plan")],
    "system plan show": [("GET", SP + "/plan")],
    "system run": [("POST", SP + "/runs")],
    "system runs": [("GET", "/api/v1/system/runs")],
    "system milestones": [("GET", SP + "/milestones")],
    "system bottlenecks": [("GET", "/api/v1/system/bottlenecks")],
    "system cost": [("GET", "/api/v1/system/cost")],
    "system org": [("GET", "/api/v1/system/org")],
    "system dashboard": [("GET", SP + "/dashboard")],
    "system report": [("GET", SP + "/report")],
}


def _commands() -> set[str]:
    """Every visible command of the `flywheel` app, as `group [subgroup] command`."""
    import typer.main

    from dataflywheel.cli.main import _register_groups, app

    _register_groups(None)
    found: set[str] = set()
    root = typer.main.get_command(app)
    context = type(root.make_context("flywheel", ["--help"], resilient_parsing=True))

    def walk(command: Any, path: list[str], ctx: Any) -> None:
        if not hasattr(command, "list_commands"):  # Typer may vendor click: no isinstance
            found.add(" ".join(path))
            return
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                walk(sub, [*path, name], context(sub, parent=ctx))

    walk(root, [], context(root))
    return found


def test_every_command_has_a_route_or_a_reason() -> None:
    commands = _commands()
    assert sorted(commands - set(PARITY) - set(NO_ROUTE)) == []  # decide: a route, or why not
    assert sorted((set(PARITY) | set(NO_ROUTE)) - commands) == []  # a command that went away
    assert not set(PARITY) & set(NO_ROUTE)


def test_every_route_named_is_served() -> None:
    from dataflywheel.api.policy import build_policy
    from dataflywheel.api.routers import ROUTERS

    served = set(build_policy(ROUTERS))
    named = {route for routes in PARITY.values() for route in routes}
    assert sorted(named - served) == []


def test_the_team_wide_sla_view_is_the_clis(api: TestClient, cli: Any, seeded: dict[str, str],
                                             principals: dict[str, dict[str, str]]) -> None:
    local = cli("requirements", "sla", "--json")
    assert local.code in (0, 1), local.err  # 1: a breach, which is an answer too
    rows: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:  # pages of 2, to cross page boundaries
        page = api.get("/api/v1/requirements/sla", params={"limit": 2, "cursor": cursor or ()},
                       headers=principals["data-owner"])
        assert page.status_code == 200, page.text
        rows += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            assert page.json()["remaining"] == 0
            break
    assert len(rows) >= 3 and rows == local.json()
    project = cli("requirements", "sla", "--project", "P-TEST", "--json").json()
    scoped = api.get("/api/v1/requirements/sla", params={"project": "P-TEST", "limit": 1000},
                     headers=principals["data-owner"]).json()["items"]
    assert scoped == project and {r["requirement_id"] for r in scoped} <= {
        r["requirement_id"] for r in rows}


def test_the_sla_view_refuses_an_outsider_and_a_forged_cursor(
        api: TestClient, principals: dict[str, dict[str, str]]) -> None:
    from server_helpers import assert_envelope

    assert_envelope(api.get("/api/v1/requirements/sla", headers=principals["outsider"]), 403)
    other = api.get("/api/v1/requirements", params={"limit": 1},
                    headers=principals["data-owner"]).json()["next_cursor"]
    assert other is not None
    for cursor in (other, "not-a-cursor"):
        answer = api.get("/api/v1/requirements/sla", params={"cursor": cursor},
                         headers=principals["data-owner"])
        assert_envelope(answer, 400, "not a cursor of this list")


@pytest.mark.parametrize(("route", "command"), [("/rules", ["show"]), ("/rules/check", ["check"])])
def test_the_routing_rules_are_the_clis(api: TestClient, cli: Any, team: Any,
                                        principals: dict[str, dict[str, str]], route: str,
                                        command: list[str]) -> None:
    local = cli("feedback", "rules", *command, "--json")
    assert local.code in (0, 1), local.err  # check: 1 when a rule has a problem
    answer = api.get(f"/api/v1/feedback{route}", headers=principals["quality-evaluator"])
    assert answer.status_code == 200, answer.text
    assert answer.json() == local.json() and answer.json()["rules"]
