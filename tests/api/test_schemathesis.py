"""Schemathesis against the ASGI app (in process): every operation of the OpenAPI document,
positive, negative and stateful phases, at least 50 examples per operation; 0 failures of the
checks "no 5xx", "response matches its schema", "status code documented", "content type documented".

One seeded workspace per backend for the whole run (the generated requests change it: that is the
point of the stateful phase), a valid token of the data owner (team-wide, so the requests reach the
flows instead of stopping at 403), the routes' path parameters fixed to the seeded records (random
ids would only test the 404 of `authorize`). The coverage phase leaves out "every other HTTP
method on each path" (a 405 from the router, tested once in `test_api_feedback`): several cases
per path that test the router, not the routes. Derandomized (fixed seed, no example database), so a
failure reproduces; the report names each failing request as a curl command.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from dataflywheel.flows.workspace import Workspace
    from dataflywheel.settings import Settings

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

EXAMPLES = int(os.environ.get("FLYWHEEL_SCHEMATHESIS_EXAMPLES", "50"))
# PostgreSQL reruns the same phases for what only it refuses (NUL in text, range of integers):
# fewer examples there keep the suite inside its budget; SQLite carries the ≥ 50 per operation.
PG_EXAMPLES = int(os.environ.get("FLYWHEEL_SCHEMATHESIS_PG_EXAMPLES", "10"))
STATEFUL_EXAMPLES = int(os.environ.get("FLYWHEEL_SCHEMATHESIS_STATEFUL", "10"))
DEBUG = bool(os.environ.get("FLYWHEEL_SCHEMATHESIS_DEBUG"))
CHECKS = ("not_a_server_error", "status_code_conformance", "response_schema_conformance",
          "content_type_conformance")


def pinned_and_linked(doc: dict[str, Any], path_values: dict[str, str]) -> dict[str, Any]:
    """The app's OpenAPI document as the run sees it: each path parameter pinned to its seeded
    record (an `enum` of one, so positive cases reach the flows and negative ones still try other
    ids), and links by the route convention, so the stateful phase chains calls: the record a
    `201` answers (its `id`, or the `id` of its one field named after the kind) feeds every
    operation of `/api/v1/<things>/{<kind>}…`."""
    import copy
    import re

    doc = copy.deepcopy(doc)
    items: dict[str, list[tuple[str, str, str]]] = {}
    for path, operations in doc["paths"].items():
        found = re.match(r"^(/api/v1/[a-z-]+)/{(\w+)}", path)
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter["name"] in path_values:
                    value = path_values[parameter["name"]]
                    parameter["schema"] = {"type": "string", "enum": [value]}
            if found:
                items.setdefault(found.group(1), []).append(
                    (operation["operationId"], found.group(2), path))
    for path, operations in doc["paths"].items():
        for operation in operations.values():
            created = operation.get("responses", {}).get("201")
            if created is None:
                continue
            collection = re.sub(r"^/api/v1/(?:[a-z-]+/{\w+}/)?", "/api/v1/", path)
            targets = items.get(collection, [])
            schema = created.get("content", {}).get("application/json", {}).get("schema", {})
            if "$ref" in schema:
                schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
            fields = schema.get("properties", {})
            for operation_id, kind, _ in targets:
                pointer = "#/id" if "id" in fields else f"#/{kind}/id" if kind in fields else None
                if pointer is not None:
                    created.setdefault("links", {})[f"{operation_id}"] = {
                        "operationId": operation_id,
                        "parameters": {kind: f"$response.body{pointer}"}}
    return doc


RAW_MEDIA = ("application/x-ndjson", "text/csv", "application/vnd.apache.parquet")


def raw_bytes(_: Any, value: Any) -> bytes:
    """A raw body (JSONL, CSV, Parquet) as the bytes on the wire: text as UTF-8 (a lone surrogate
    kept as its invalid bytes: negative data), bytes as they are, anything else as JSON text."""
    import json

    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    return json.dumps(value).encode()


def run_schemathesis(app: Any, token: str, path_values: dict[str, str], *,
                     examples: int = EXAMPLES) -> tuple[list[str], dict[str, int]]:
    """(the failures, one line each with the request; the count of test cases per phase)."""
    import schemathesis
    from schemathesis.config import SchemathesisConfig
    from schemathesis.engine import Status, events, from_schema

    config = SchemathesisConfig.from_dict({
        "seed": 17,
        "headers": {"Authorization": f"Bearer {token}"},
        "generation": {"mode": "all", "max-examples": examples, "deterministic": False,
                       "database": "none", "no-shrink": True},
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True, "unexpected-methods": []},
                   "fuzzing": {"enabled": True}, "stateful": {"enabled": True, "max-steps": 20,
                                "generation": {"max-examples": STATEFUL_EXAMPLES}}},
        "suppress-health-check": ["all"],
        "workers": 1,
    })
    schemathesis.serializer(*RAW_MEDIA)(raw_bytes)
    schema = schemathesis.openapi.from_dict(pinned_and_linked(app.openapi(), path_values),
                                            config=config)
    schema.app = app
    schema.location = "/openapi.json"
    failures: list[str] = []
    cases: dict[str, int] = {}
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            phase = event.phase.value if hasattr(event.phase, "value") else str(event.phase)
            cases[phase] = cases.get(phase, 0) + len(event.recorder.cases)
            if DEBUG:
                print(phase, event.label, len(event.recorder.cases), event.status)
            if event.status not in (Status.FAILURE, Status.ERROR):
                continue
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.status == Status.FAILURE and check.failure_info is not None:
                        info = check.failure_info
                        failures.append(f"{event.label} [{check.name}] {info.failure.title}: "
                                        f"{info.failure.message[:300]} :: {info.code_sample}")
        elif isinstance(event, (events.PhaseStarted, events.PhaseFinished)) and DEBUG:
            print(type(event).__name__, event.phase, getattr(event, "status", None),
                  getattr(event, "payload", None), getattr(event.phase, "skip_reason", None))
        elif isinstance(event, events.NonFatalError):
            failures.append(f"{event.label}: error {event.info.message[:500]}")
        elif isinstance(event, events.FatalError):
            failures.append(f"fatal: {event.exception!r}")
    return sorted(set(failures)), cases


def test_schemathesis_finds_nothing(settings: Settings, team: Workspace,
                                    principals: dict[str, dict[str, str]],
                                    seeded: dict[str, str]) -> None:
    from dataflywheel.api.app import create_app

    app = create_app(settings, open_on_start=False, max_concurrency=1000)
    app.state.workspace = team
    token = principals["data-owner"]["Authorization"].removeprefix("Bearer ")
    started = time.monotonic()
    examples = EXAMPLES if settings.db is None else PG_EXAMPLES
    failures, cases = run_schemathesis(app, token, seeded, examples=examples)
    elapsed = time.monotonic() - started
    print(f"schemathesis: {sum(cases.values())} cases {cases} in {elapsed:.1f}s")
    assert not failures, "\n".join(failures)
    assert cases.get("fuzzing", 0) >= examples and cases.get("stateful", 0) > 0
