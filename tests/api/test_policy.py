"""Every route of the app against the policy table, for every kind of caller: 0 mismatches.

Generated from the app's routes: a route with no rule in `api.policy.POLICY` fails here (and the
app refuses to start). For each route, on a fresh seeded workspace, each principal sends the
route's documented example request (its OpenAPI example body; path parameters from `seeded`):
callers the table refuses get 401 (no/expired/revoked token) or 403, and change nothing; callers it
allows never get 401/403 — a flow that refuses someone the table lets through is a mismatch too —
nor a 5xx. Refused callers go first, so their requests meet the same state the allowed ones do.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from server_helpers import PRINCIPALS, assert_envelope

UNAUTHENTICATED = {"anonymous", "expired", "revoked"}


def _routes() -> list[tuple[str, str]]:
    from dataflywheel.api.app import create_app
    from dataflywheel.api.policy import served_routes
    from dataflywheel.settings import Settings

    return [r for r in served_routes(create_app(Settings())) if r[1].startswith("/api/")]


ROUTES = _routes()


def test_every_route_has_a_rule_and_every_rule_a_route() -> None:
    from dataflywheel.api.app import create_app
    from dataflywheel.api.policy import served_routes, unruled_routes
    from dataflywheel.settings import Settings

    app = create_app(Settings())
    assert unruled_routes(app) == []
    assert sorted(set(app.state.policy) - set(served_routes(app))) == []


SEED_OF_ROUTER = {
    "deliveries": "data", "batches": "data", "lineage": "data", "datasets": "versions",
    "versions": "versions", "trace": "versions", "access": "access", "exceptions": "access",
    "requirements": "demand", "contracts": "demand", "experiments": "experiments",
    "feedback": "experiments", "people": "governance", "projects": "governance",
    "raci": "governance", "audit": "governance", "issues": "issues", "postmortems": "issues",
    "kb": "issues", "guides": "guides", "vendor_lifecycle": "guides",
}
"""Router module → the seeder whose records its routes' examples use (`<pool>.<name>` values)."""


def path_values(app: Any, method: str, path: str, seeded: dict[str, str]) -> dict[str, str]:
    """The seeded value of each path parameter: the route's own pool's first, else the plain one."""
    pool = SEED_OF_ROUTER.get(_router_of(app, method, path), "")
    values: dict[str, str] = {}
    for name in re.findall(r"{(\w+)}", path):
        value = seeded.get(f"{pool}.{name}", seeded.get(name))
        assert value is not None, f"{method} {path}: no seeded record for {name} (add a seed_<pool>)"
        values[name] = value
    return values


def _router_of(app: Any, method: str, path: str) -> str:
    """The router module (last dotted name) whose endpoint serves `method path`."""
    from dataflywheel.api.policy import route_entries

    return next((str(r.endpoint.__module__).rsplit(".", 1)[-1]
                 for m, p, r in route_entries(app) if (m, p) == (method, path)), "")


def example_request(openapi: dict[str, Any], method: str, path: str,
                    values: dict[str, str]) -> dict[str, Any]:
    """The route's documented example: URL with seeded path values, JSON body or raw content."""
    url = path.format(**values)
    operation = openapi["paths"][path][method.lower()]
    query = required_query_examples(operation)
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query)
    body = operation.get("requestBody")
    if body is None:
        return {"url": url}
    content = body["content"]
    kind = next(iter(content))
    media = content[kind]
    examples = media.get("examples") or {}
    if examples:
        example = next(iter(examples.values()))["value"]
    elif "example" in media:
        example = media["example"]
    else:
        schema = media.get("schema", {})
        if "$ref" in schema:
            schema = openapi["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        found = schema.get("examples")
        assert found, f"{method} {path}: the request body has no example in the OpenAPI document"
        example = found[0]
    if kind == "application/json":
        return {"url": url, "json": example}
    return {"url": url, "content": example if isinstance(example, bytes) else str(example).encode(),
            "headers": {"content-type": kind}}


def required_query_examples(operation: dict[str, Any]) -> dict[str, str]:
    """The documented example of each required query parameter that has one (a delivery's
    dataset and contract): the example request carries them, so it can succeed."""
    found: dict[str, str] = {}
    for param in operation.get("parameters", []):
        if param.get("in") != "query" or not param.get("required"):
            continue
        examples = param.get("schema", {}).get("examples") or []
        if "example" in param:
            found[param["name"]] = str(param["example"])
        elif examples:
            found[param["name"]] = str(examples[0])
    return found


def expected_allowed(team: Any, rule: Any, headers: dict[str, str], url_params: dict[str, str],
                     query: dict[str, str]) -> bool:
    from dataflywheel.api.policy import decide, scope_value
    from dataflywheel.errors import PolicyViolation
    from dataflywheel.flows.governance.tokens import authenticate_in

    token = headers["Authorization"].split(" ", 1)[1]
    with team.db.session() as s:
        who = authenticate_in(s, token)
        try:
            decide(s, rule, who, scope_value(rule, url_params, query))
        except PolicyViolation:
            return False
    return True


@pytest.fixture(scope="module")
def _app() -> Any:
    """One app for every (route, backend) case: building it and its OpenAPI document per case cost
    more than the requests. It opens no workspace itself; `policy_client` gives it each case's."""
    from dataflywheel.api.app import create_app
    from dataflywheel.settings import Settings

    return create_app(Settings(), open_on_start=False)


@pytest.fixture
def policy_client(_app: Any, team: Any) -> Iterator[TestClient]:
    """The module's app serving this case's fresh seeded workspace (as `api` would open it)."""
    _app.state.workspace = team
    try:
        yield TestClient(_app, raise_server_exceptions=False)
    finally:
        _app.state.workspace = None


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_route_answers_exactly_whom_the_table_allows(
        method: str, path: str, policy_client: TestClient, team: Any, seeded: dict[str, str],
        principals: dict[str, dict[str, str]]) -> None:
    api = policy_client
    from dataflywheel.api.policy import rule_for

    rule = rule_for(api.app.state.policy, method, path)  # type: ignore[attr-defined]
    url_params = path_values(api.app, method, path, seeded)
    request = example_request(api.app.openapi(), method, path, url_params)  # type: ignore[attr-defined]
    openapi = api.app.openapi()  # type: ignore[attr-defined]
    query = required_query_examples(openapi["paths"][path][method.lower()])
    outcome: dict[str, bool] = {}
    for name in PRINCIPALS:
        if rule.public:
            outcome[name] = True
        elif name in UNAUTHENTICATED:
            outcome[name] = False
        else:
            outcome[name] = expected_allowed(team, rule, principals[name], url_params, query)
    mismatches = []
    for name in sorted(PRINCIPALS, key=lambda n: outcome[n]):  # refused callers first
        headers = {**principals[name], **request.get("headers", {})}
        response = api.request(method, request["url"], json=request.get("json"),
                               content=request.get("content"), headers=headers)
        status = response.status_code
        if outcome[name]:
            if status in (401, 403) or status >= 500:
                mismatches.append(f"{name}: allowed by the table, got {status} {response.text[:200]}")
        else:
            want = 401 if name in UNAUTHENTICATED else 403
            if status != want:
                mismatches.append(f"{name}: refused by the table, got {status} (want {want})")
            else:
                assert_envelope(response, want)
    assert mismatches == []
