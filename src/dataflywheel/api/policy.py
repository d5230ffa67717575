"""Who may call which route: the rules, the one table of them, and the check every request passes.

The table is (method, path) → `Rule`, assembled by `build_policy` from each router module's own
`POLICY` dict so a pool's routes and their rules sit side by side; the app keeps it as
`app.state.policy`. `authorize` runs before every route
(an app-wide dependency): it finds the matched route's rule — a route with no rule is refused as
an internal error, and `tests/api/test_policy.py` fails on it first — authenticates the bearer
token (`flows.governance.tokens.authenticate_in`: 401 with the reason), resolves the project the
route's record belongs to (`flows.scopes`: 404 when absent) and asks the rule (403 naming the rule).

The rules speak the chapter's language: any person; a member of the project (holds a role there,
or team-wide); a holder of given roles; the single Accountable person of a RACI item for the
project — the only one who approves a release, a rollback, an exception or a grant; an
administrator, who administers people and tokens and bypasses no RACI letter.
The flows check the same RACI rules again: the API is never the only guard.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request

from dataflywheel.domain.roles import Role
from dataflywheel.errors import PolicyViolation, Unauthenticated

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from dataflywheel.flows.governance.tokens import Authenticated


@dataclass(frozen=True)
class Rule:
    """Who may call a route. `scope` names the path (or query) parameter whose record fixes the
    project; `kind` is the record kind `flows.scopes.PROJECT_OF` resolves (default: `scope`)."""

    scope: str | None = None
    kind: str | None = None

    public = False

    def allows(self, s: Session, who: Authenticated, project: str | None) -> bool:
        raise NotImplementedError

    def permits(self, s: Session, who: Authenticated, project: str | None, value: str) -> bool:
        """`allows`, told also the scoped record itself (`value`, its path parameter): a rule
        about one record (its owner, its requester, its open approver slots) overrides this."""
        return self.allows(s, who, project)

    def describe(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class Public(Rule):
    """No token needed (health, the OpenAPI document)."""

    public = True

    def allows(self, s: Session, who: Authenticated, project: str | None) -> bool:
        return True

    def describe(self) -> str:
        return "anyone"


@dataclass(frozen=True)
class AnyPerson(Rule):
    """Any active person with a valid token (team-wide reads)."""

    def allows(self, s: Session, who: Authenticated, project: str | None) -> bool:
        return True

    def describe(self) -> str:
        return "any person with a valid token"


@dataclass(frozen=True)
class Admin(Rule):
    """A server administrator (people and tokens)."""

    def allows(self, s: Session, who: Authenticated, project: str | None) -> bool:
        return who.admin

    def describe(self) -> str:
        return "a server administrator"


def holds_in(who: Authenticated, project: str | None, roles: frozenset[Role] | None = None) -> bool:
    """Whether `who` holds one of `roles` (any role: None) team-wide or in `project`."""
    return any((roles is None or h.role in roles)
               and (h.project_id is None or h.project_id == project) for h in who.holdings)


@dataclass(frozen=True)
class Member(Rule):
    """A person who holds a role in the record's project, or team-wide."""

    def allows(self, s: Session, who: Authenticated, project: str | None) -> bool:
        return holds_in(who, project)

    def describe(self) -> str:
        if self.scope is None:  # a team-wide act (e.g. registering a team-wide contract)
            return "a person holding a team-wide role"
        return f"a member of the {self.scope}'s project"


@dataclass(frozen=True)
class Holds(Rule):
    """A person holding one of `roles` in the record's project (or team-wide)."""

    roles: frozenset[Role] = frozenset()

    def allows(self, s: Session, who: Authenticated, project: str | None) -> bool:
        return holds_in(who, project, self.roles)

    def describe(self) -> str:
        return "a " + " or ".join(sorted(r.value for r in self.roles)) + " of the project"


@dataclass(frozen=True)
class HoldsWhereNamed(Holds):
    """A holder of one of `roles` where the record's project looks for them: people holding the
    role for the project replace its team-wide holders (`domain.policies.raci.role_holders`, the
    rule the contract flows apply), so a team-wide holder does not act in a project that names
    its own."""

    def allows(self, s: Session, who: Authenticated, project: str | None) -> bool:
        from dataflywheel.domain.policies.raci import role_holders
        from dataflywheel.store.repositories.people import RoleHoldings

        holdings = RoleHoldings(s).list()
        return any(who.person_id in role_holders(role, project, holdings) for role in self.roles)

    def describe(self) -> str:
        return super().describe() + " (where the project names its own, one of those)"


@dataclass(frozen=True)
class Accountable(Rule):
    """The single Accountable person of RACI item `item` for the record's project."""

    item: str = ""

    def allows(self, s: Session, who: Authenticated, project: str | None) -> bool:
        from dataflywheel.flows.governance.raci import who as raci_who

        try:
            return raci_who(s, self.item, project).accountable == who.person_id
        except PolicyViolation:  # no single A person: nobody may approve until the matrix is fixed
            return False

    def describe(self) -> str:
        return f"the Accountable person for {self.item}"


@dataclass(frozen=True)
class SelfOrAdmin(Rule):
    """The person the route is about (`{person}`, or the holder of `{token}`), or an admin."""

    def allows(self, s: Session, who: Authenticated, project: str | None) -> bool:
        return who.admin or project == who.person_id

    def describe(self) -> str:
        return "the person themself or a server administrator"


@dataclass(frozen=True)
class AdminOnOthers(SelfOrAdmin):
    """A server administrator acting on someone else (`{person}`): an admin may grant roles, but
    never to themself — holding a RACI role is how one becomes Accountable, and an admin bypasses
    no A."""

    def allows(self, s: Session, who: Authenticated, project: str | None) -> bool:
        return who.admin and project != who.person_id

    def describe(self) -> str:
        return "a server administrator, for someone other than themself"


@dataclass(frozen=True)
class Named(Rule):
    """The person the record itself names as `letter` (a requirement's Accountable, who alone
    accepts or rejects its delivery: `flows.scopes.PERSON_NAMED`). Nobody else, an admin
    included."""

    letter: str = "accountable"

    def allows(self, s: Session, who: Authenticated, project: str | None) -> bool:
        return project is not None and project == who.person_id

    def describe(self) -> str:
        return f"the {self.letter} person the {self.scope or 'record'} names"


DOCS_ROUTES: dict[tuple[str, str], Rule] = {
    ("GET", "/openapi.json"): Public(), ("GET", "/docs"): Public(),
    ("GET", "/docs/oauth2-redirect"): Public(), ("GET", "/redoc"): Public(),
}


def build_policy(modules: Any) -> dict[tuple[str, str], Rule]:
    """The whole table: the documentation routes and each router module's `POLICY`."""
    table = dict(DOCS_ROUTES)
    for module in modules:
        table.update(module.POLICY)
    return table


def rule_for(table: Mapping[tuple[str, str], Rule], method: str, path: str) -> Rule:
    try:
        return table[(method, path)]
    except KeyError:
        raise RuntimeError(f"route {method} {path} has no rule in the policy table") from None


def bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("missing bearer token",
                              expected="header 'Authorization: Bearer <personal token>'",
                              hint="flywheel tokens create PERSON --expires 30d")
    return token.strip()


def scope_value(rule: Rule, params: Mapping[str, Any], query: Mapping[str, Any]) -> str | None:
    if rule.scope is None:
        return None
    value = params.get(rule.scope, query.get(rule.scope))
    return None if value in (None, "") else str(value)


def decide(s: Session, rule: Rule, who: Authenticated, value: str | None) -> str | None:
    """The project (or, for `SelfOrAdmin` and `Named`, the person) the rule is asked about; raises
    `PolicyViolation` when the rule says no."""
    from dataflywheel.flows.scopes import person_named, project_of
    from dataflywheel.store.repositories.tokens import ApiTokens

    kind = rule.kind or rule.scope
    subject: str | None = None
    if isinstance(rule, SelfOrAdmin):
        subject = ApiTokens(s).get(value).person_id if kind == "token" and value else value
    elif isinstance(rule, Named) and kind is not None and value is not None:
        subject = person_named(s, kind, value, rule.letter)
    elif kind is not None and value is not None:
        subject = project_of(s, kind, value)
    allowed = (rule.permits(s, who, subject, value) if value is not None
               and not isinstance(rule, SelfOrAdmin | Named) else rule.allows(s, who, subject))
    if not allowed:
        where = f" in project {subject}" if subject and not isinstance(rule, SelfOrAdmin | Named) \
            else ""
        raise PolicyViolation(f"{who.person_id} may not do this{where}: only {rule.describe()} may",
                              kept="nothing was changed", hint="flywheel raci show")
    return subject


API_PREFIX = "/api/"
SESSION_COOKIE = "flywheel_session"
"""The dashboard's session cookie: every path outside `API_PREFIX` (the pages) authenticates with
it; the API takes bearer tokens only, so a page of another site can never call the API as a
logged-in person."""


def authorize(request: Request) -> Authenticated | None:
    """The caller of this request, once the route's rule allows them (None on public routes)."""
    from dataflywheel.flows.governance.tokens import authenticate_in
    from dataflywheel.flows.governance.web_sessions import session_caller_in

    route = request.scope["route"]
    rule = rule_for(request.app.state.policy, request.method, route.path)
    if rule.public:
        return None
    ws = request.app.state.workspace
    page = not request.url.path.startswith(API_PREFIX)
    token = None if page else bearer(request)
    with ws.db.session() as s:
        if token is None:  # a dashboard page: the session cookie, never a bearer token
            caller = session_caller_in(s, session_cookie(request))
            request.state.session = caller
            who = caller.who
        else:
            who = authenticate_in(s, token)
        decide(s, rule, who, scope_value(rule, request.path_params, request.query_params))
    return who


def session_cookie(request: Request) -> str:
    """The dashboard session cookie of a page request (`Unauthenticated` when there is none: the
    dashboard sends the person to its login page)."""
    cookie = request.cookies.get(SESSION_COOKIE, "")
    if not cookie:
        raise Unauthenticated("not logged in", expected="a dashboard session",
                              hint="log in at /login with your personal token")
    return cookie


Authorized = Annotated["Authenticated | None", Depends(authorize)]


def route_entries(app: Any) -> list[tuple[str, str, Any]]:
    """Every (method, path, route) the app answers, HEAD left out (Starlette adds it to each GET).

    FastAPI ≥ 0.16x keeps an included router as one entry (`_IncludedRouter`) rather than copying
    its routes into the app, so the walk descends into `original_router` and adds an include
    prefix where one was given; on older versions the routes are already flat."""
    found: list[tuple[str, str, Any]] = []

    def walk(routes: Any, prefix: str) -> None:
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                walk(inner.routes, prefix + getattr(route.include_context, "prefix", ""))
                continue
            for method in sorted(getattr(route, "methods", None) or ()):
                if method != "HEAD":
                    found.append((method, prefix + route.path, route))

    walk(app.routes, "")
    return found


def served_routes(app: Any) -> list[tuple[str, str]]:
    """Every (method, path) the app answers (`route_entries` without the route objects)."""
    return [(method, path) for method, path, _ in route_entries(app)]


def unruled_routes(app: Any) -> list[tuple[str, str]]:
    """Served routes the app's policy table has no rule for (must be none)."""
    return [r for r in served_routes(app) if r not in app.state.policy]
