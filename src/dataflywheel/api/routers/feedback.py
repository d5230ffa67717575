"""Feedback reflux over HTTP: events (ingest, list), routing and triage, themes, leverage,
promotion, absorption, the loop's metrics, rejections, and evaluation/prediction imports.

Each route is the flow `flywheel feedback …` calls, and answers what the command's `--json`
prints. Files the CLI reads locally travel in the request: a `--rules` or `--weights` file as
text in the JSON body, an evaluation or prediction file as the raw body (JSONL, capped like
events). The server's own routing rules (its workspace's routing.yaml, else the built-in ones)
apply when a request sends none.

The GET is paged (`store.paging`: keyset on the event id, `limit` + `cursor`, `next_cursor` in
the answer), so no request reads more than one bounded page whatever the table holds.

Guarantees: the POST body (one event object, or a JSON list of them) goes through
`flows.feedback_body.ingest_body`: each element is decoded alone like a line of a JSONL file, so
every item ends as a stored event, a triaged event, a counted duplicate or a stored rejection with
its reason and bytes (an element nested thousands deep or with a number of thousands of digits is
one rejection, not a 500). A body over the app's cap is refused with 413 before it is parsed; a
body that is not JSON is refused with 400; neither stores anything.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from dataflywheel.api.deps import ActingWorkspace, Caller
from dataflywheel.api.errors import PayloadTooLarge
from dataflywheel.api.paging import PageOut, Paging, page_out
from dataflywheel.api.policy import AnyPerson, Member, Rule
from dataflywheel.domain.records.feedback import FeedbackEvent, Theme
from dataflywheel.domain.states import FeedbackState, ThemeState
from dataflywheel.errors import BadInput
from dataflywheel.flows.feedback.feedback_body import ingest_body
from dataflywheel.flows.feedback.listing import events

router = APIRouter(prefix="/api/v1/feedback", tags=["feedback"])

POLICY: dict[tuple[str, str], Rule] = {
    ("POST", "/api/v1/feedback/events"): AnyPerson(),
    ("POST", "/api/v1/feedback/events/jsonl"): AnyPerson(),
    ("GET", "/api/v1/feedback/events"): Member(scope="project"),
    ("POST", "/api/v1/feedback/route"): Member(),
    ("GET", "/api/v1/feedback/events/{event}/explain"): Member(scope="event"),
    ("GET", "/api/v1/feedback/triage"): Member(),
    ("POST", "/api/v1/feedback/events/{event}/assign"): Member(scope="event"),
    ("GET", "/api/v1/feedback/rejections"): Member(),
    ("GET", "/api/v1/feedback/themes"): Member(scope="project"),
    ("POST", "/api/v1/feedback/themes/form"): Member(),
    ("GET", "/api/v1/feedback/themes/{theme}"): Member(scope="theme"),
    ("POST", "/api/v1/feedback/themes/{theme}/queue"): Member(scope="theme"),
    ("POST", "/api/v1/feedback/themes/{theme}/decline"): Member(scope="theme"),
    ("POST", "/api/v1/feedback/prioritise"): Member(),
    ("POST", "/api/v1/feedback/promote"): Member(),
    ("POST", "/api/v1/feedback/absorb"): Member(),
    ("GET", "/api/v1/feedback/metrics"): AnyPerson(),
    ("POST", "/api/v1/feedback/import-eval"): Member(scope="project"),
    ("POST", "/api/v1/feedback/import-predictions"): Member(scope="project"),
}
YAML_TEXT = 200_000


def require_member(who: Any, project: str | None, what: str) -> None:
    """Refuse (403) a caller who holds no role in `project`, the second project a request
    touches besides the one its rule scoped (an assignment's target, a comparison's baseline)."""
    from dataflywheel.api.policy import holds_in
    from dataflywheel.errors import PolicyViolation

    if not holds_in(who, project):
        raise PolicyViolation(f"{what} is in project {project or '(team-wide)'}, where "
                              f"{who.person_id} holds no role", field="project",
                              kept="nothing was changed",
                              hint="ask that project's data owner to act, or for a role there")


async def read_capped(request: Request, cap: int) -> bytes:
    """The whole body, or `PayloadTooLarge` as soon as it is known to exceed `cap` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > cap:
        raise PayloadTooLarge("request body too large", expected=f"at most {cap} bytes",
                              got=f"{declared} bytes", hint="send the events in smaller batches")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise PayloadTooLarge("request body too large", expected=f"at most {cap} bytes",
                                  got=f"more than {cap} bytes",
                                  hint="send the events in smaller batches")
        chunks.append(chunk)
    return b"".join(chunks)


EVENT_EXAMPLE = {
    "id": "FB-EXAMPLE-1", "occurred_at": "2026-11-02T09:00:00+00:00", "source": "evaluation",
    "failure_type": "model_gap", "impact_scope": "sample", "project_id": "P-TEST",
    "payload": {"sample": "15% of 80", "model_output": "10", "expected_behaviour": "12"},
}
RAW_BODY = {"requestBody": {"required": True, "description": (
    "one feedback event object, or a JSON list of them; each element is decoded alone, like a "
    "line of a JSONL file (a bad one is a stored rejection, the others are stored)"),
    "content": {"application/json": {
        "schema": {"oneOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}]},
        "example": EVENT_EXAMPLE}}}}


@router.post("/events", openapi_extra=RAW_BODY)
async def post_events(request: Request, ws: ActingWorkspace, who: Caller) -> dict[str, Any]:
    """Ingest the events; the answer has the counts, the stored ids and every rejection's reason."""
    body = await read_capped(request, request.app.state.max_body_bytes)
    report = await run_in_threadpool(ingest_body, ws, body, origin=f"api:{who.person_id}")
    return {"ok": True, **report.to_dict(), "received_ids": report.received,
            "triaged_ids": report.triaged, "duplicate_ids": report.duplicates}


@router.get("/events", response_model=PageOut[FeedbackEvent])
def get_events(ws: ActingWorkspace, paging: Paging, state: FeedbackState | None = None,
               project: str | None = None) -> Response:
    """One page of stored events (the CLI's `--json` rows under `items`), optionally in one state
    or of one project; `next_cursor` asks for the next page, `remaining` says how many follow.
    `limit` is 1 to `store.paging.MAX_LIMIT` (default `DEFAULT_LIMIT`); a bad cursor or limit is
    a 400 with the reason."""
    listing = events(ws, state=state or None, project_id=project or None)
    return page_out(listing.page(paging.limit, paging.cursor))


class RouteRequest(BaseModel):
    """Route every received or triaged event, by the rules sent (a `--rules` file's text) or,
    when none are, the server's."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}]})

    rules: str | None = Field(default=None, max_length=YAML_TEXT,
                              description="routing rule YAML (`rules:` list)")
    rules_source: str = Field(default="request", max_length=500,
                              description="the rules file's name, for messages")


class RouteOut(BaseModel):
    routed: int
    by_rule: dict[str, list[str]]
    triaged: int
    triage_reasons: dict[str, str]


class Trial(BaseModel):
    rule: str
    matched: bool
    conditions: list[dict[str, Any]]


class Explained(BaseModel):
    """What `flywheel feedback route --explain EVENT --json` prints."""

    event: str
    rule: str | None
    chain: list[str]
    outcome: str
    project: str | None
    stage: str | None
    reason: str
    rules_source: str
    trials: list[Trial]


class Assign(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"project": "P-TEST", "reason": "a data gap of the K-12 set", "stage": None}]})

    project: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=2000)
    stage: str | None = Field(default=None, max_length=64)


class Rejection(BaseModel):
    """A stored rejection as `feedback rejections --json` prints it (without the excerpt; the
    raw bytes are in the blob store under `raw_sha256`)."""

    id: str
    origin: str
    line: int | None
    raw_sha256: str
    raw_size: int
    reason: str
    field: str | None
    received_at: datetime


class ThemeView(BaseModel):
    """A theme as `feedback themes list|show --json` print it: the theme (without its centroid),
    top terms, recurrences, weekly counts and representative examples."""

    model_config = ConfigDict(extra="allow")

    id: str
    title: str
    state: ThemeState
    project_id: str | None
    event_count: int
    leverage_score: float | None
    top_terms: list[Any]
    recurrences: int
    weekly: list[dict[str, Any]]
    examples: list[dict[str, Any]]


class Form(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"threshold": 0.25}]})

    threshold: float = Field(default=0.25, ge=0, le=1, description="cosine similarity to join")


class Formed(BaseModel):
    created: list[str]
    events_by_theme: dict[str, int]
    recurring: list[str]


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"reason": "waits for the Q1 annotation budget"}]})

    reason: str = Field(min_length=1, max_length=2000)


class Weights(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}]})

    weights: str | None = Field(default=None, max_length=YAML_TEXT,
                                description="leverage weights YAML (a `--weights` file)")
    weights_source: str = Field(default="request", max_length=500)


class Ranking(BaseModel):
    formula: str
    themes: list[dict[str, Any]]


class Promote(Weights):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"requester": "algorithm-engineer", "top": 1, "priority": "P1"}]})

    requester: str = Field(min_length=1, max_length=64, description="person who requests the work")
    top: int = Field(default=1, ge=-1000, le=1000, description="how many to promote (0 or more)")
    min_score: float = Field(default=0.0, allow_inf_nan=False)
    priority: Literal["P0", "P1", "P2"] = "P1"


class Promoted(BaseModel):
    promoted: dict[str, str]
    queued: dict[str, str]
    declined: dict[str, str]


class Absorbed(BaseModel):
    absorbed: dict[str, str]


class Metrics(BaseModel):
    routed_events: int
    absorbed_events: int
    feedback_loop_rate: float | None
    themes_by_state: dict[str, int]
    time_to_absorb_days: dict[str, float | int | None]


class Ingested(BaseModel):
    """What `feedback ingest --json` prints: counts, warnings and every rejection's reason
    (`resumed_after_line` when an earlier ingest of the same file stopped part-way)."""

    model_config = ConfigDict(extra="allow")

    origin: str
    total: int
    received: int
    triaged: int
    duplicates: int
    rejected: int
    blank_lines: int
    warnings: list[str]
    rejections: list[dict[str, Any]]


class ImportOut(Ingested):
    """What `feedback import-eval|import-predictions --json` print: what the importer saw, then
    what ingestion did with it."""

    lines: int
    items_checked: int
    flagged: int
    labels: dict[str, int]


@router.post("/route", response_model=RouteOut)
def route(body: RouteRequest, ws: ActingWorkspace) -> dict[str, Any]:
    """Route every received or triaged event (`flywheel feedback route`)."""
    from dataflywheel.flows.feedback.routing import load_rules, route_pending, rules_from_text

    rules = (load_rules(ws) if body.rules is None
             else rules_from_text(body.rules, source=body.rules_source))
    return route_pending(ws, rules=rules).to_dict()


@router.get("/events/{event}/explain", response_model=Explained)
def explain_event(event: str, ws: ActingWorkspace) -> dict[str, Any]:
    """How the server's rules would route one event, rule by rule (`route --explain`)."""
    from dataflywheel.flows.feedback.routing import explain, explain_dict, load_rules

    rules = load_rules(ws)
    return explain_dict(explain(ws, event, rules=rules), rules)


@router.get("/triage", response_model=PageOut[FeedbackEvent])
def triage_list(ws: ActingWorkspace, paging: Paging) -> Response:
    """One page of the triage queue: events waiting for a person, with the reason."""
    from dataflywheel.flows.feedback.listing import triage

    return page_out(triage(ws).page(paging.limit, paging.cursor))


@router.post("/events/{event}/assign", response_model=FeedbackEvent)
def assign_event(event: str, body: Assign, ws: ActingWorkspace, who: Caller) -> FeedbackEvent:
    """Route one event by hand to a project (and stage) the caller is a member of; the reason is
    kept in the audit log."""
    from dataflywheel.flows.feedback.routing import assign

    require_member(who, body.project, f"the target of {event}")

    return assign(ws, event, project_id=body.project, stage_id=body.stage, reason=body.reason)


@router.get("/rejections", response_model=PageOut[Rejection])
def rejections(ws: ActingWorkspace, paging: Paging,
               origin: Annotated[str | None, Query(max_length=2000)] = None) -> Response:
    """One page of input that could not become an event, with the reason (the raw bytes stay in
    the blob store; the excerpt is left out, as in the CLI)."""
    from dataflywheel.flows.feedback.listing import rejections as listing

    return page_out(listing(ws, origin=origin or None).page(paging.limit, paging.cursor),
                    lambda r: r.model_dump(mode="json", exclude={"excerpt"}))


@router.get("/themes", response_model=PageOut[ThemeView])
def themes_list(ws: ActingWorkspace, paging: Paging, state: ThemeState | None = None,
                project: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    """One page of themes by id, optionally in one state or of one project, each with its weekly
    trend and examples."""
    from dataflywheel.flows.feedback.themes import themes

    listing = themes(ws, state=state.value if state else None, project_id=project or None)
    return page_out(listing.page(paging.limit, paging.cursor), lambda v: v.to_dict())


@router.post("/themes/form", response_model=Formed)
def themes_form(body: Form, ws: ActingWorkspace) -> dict[str, Any]:
    """Cluster routed events into themes (joining the themes of earlier ingests)."""
    from dataflywheel.flows.feedback.themes import form_themes

    return form_themes(ws, threshold=body.threshold).to_dict()


@router.get("/themes/{theme}", response_model=ThemeView)
def themes_show(theme: str, ws: ActingWorkspace) -> dict[str, Any]:
    """One theme: counts, weekly trend, representative examples, what it became."""
    from dataflywheel.flows.feedback.themes import theme_views

    [view] = theme_views(ws, theme_id=theme)
    return view.to_dict()


def _decide(ws: Any, theme: str, body: Decision, *, decline: bool) -> Theme:
    from dataflywheel.flows.feedback.reflux import decide_theme

    return decide_theme(ws, theme, decline=decline, reason=body.reason)


@router.post("/themes/{theme}/queue", response_model=Theme)
def themes_queue(theme: str, body: Decision, ws: ActingWorkspace) -> Theme:
    """Queue a theme for a later round, with the reason."""
    return _decide(ws, theme, body, decline=False)


@router.post("/themes/{theme}/decline", response_model=Theme)
def themes_decline(theme: str, body: Decision, ws: ActingWorkspace) -> Theme:
    """Decline a theme, with the reason (it reopens if the problem recurs)."""
    return _decide(ws, theme, body, decline=True)


@router.post("/prioritise", response_model=Ranking)
def prioritise(body: Weights, ws: ActingWorkspace) -> dict[str, Any]:
    """Score open and queued themes by leverage (stored); the formula and each theme's numbers."""
    from dataflywheel.flows.feedback.reflux import ranking, weights_from_text

    return ranking(ws, weights=weights_from_text(body.weights, source=body.weights_source))


@router.post("/promote", response_model=Promoted)
def promote(body: Promote, ws: ActingWorkspace) -> dict[str, Any]:
    """Promote the top themes to requirements or issues; queue or decline the rest."""
    from dataflywheel.domain.records.demand import Priority
    from dataflywheel.flows.feedback.reflux import promote as run
    from dataflywheel.flows.feedback.reflux import weights_from_text

    return run(ws, top=body.top, requester_id=body.requester, min_score=body.min_score,
               priority=Priority(body.priority),
               weights=weights_from_text(body.weights, source=body.weights_source)).to_dict()


@router.post("/absorb", response_model=Absorbed)
def absorb(ws: ActingWorkspace) -> dict[str, Any]:
    """Mark promoted themes absorbed whose requirement was delivered in a frozen version."""
    from dataflywheel.flows.feedback.reflux import sync_absorbed

    return {"absorbed": sync_absorbed(ws)}


@router.get("/metrics", response_model=Metrics)
def metrics(ws: ActingWorkspace) -> dict[str, Any]:
    """Feedback-loop rate (absorbed / routed events) and time-to-absorb."""
    from dataflywheel.flows.feedback.reflux import loop_metrics

    return loop_metrics(ws).to_dict()


JSONL_BODY = {"requestBody": {"required": True, "content": {"application/x-ndjson": {
    "schema": {"type": "string"},
    "example": '{"question": "What is 10% of 50?", "ground_truth": "A: 5", '
               '"sft-7b": {"is_correct": false, "solution": "A: 6"}}\n'}}}}
PREDICTIONS_BODY = {"requestBody": {"required": True, "content": {"application/x-ndjson": {
    "schema": {"type": "string"},
    "example": '{"instruction": "Summarise", "input": "x", "response": "y", "rating": "D"}\n'}}}}
FileName = Annotated[str, Query(min_length=1, max_length=200, pattern=r"^[^/\\\x00]+$",
                                description="the file's name (its stem names the items)")]
When = Annotated[datetime | None, Query(description="the events' time (default: now)")]
Project = Annotated[str | None, Query(max_length=64)]


async def _upload(request: Request, name: str, run: Any,
                  occurred_at: datetime | None = None) -> dict[str, Any]:
    """The body written under its own name in a private directory, `run(path)` on it, the
    directory removed: the import flows read a file, the same ones the CLI uses."""
    if name in (".", ".."):
        raise BadInput("not a file name", field="name", got=name, expected="e.g. results.jsonl",
                       kept="nothing was stored")
    if occurred_at is not None and occurred_at.tzinfo is None:
        raise BadInput("a time must carry a time zone", field="occurred_at",
                       got=occurred_at.isoformat(), expected="e.g. 2026-11-02T09:00:00+00:00",
                       kept="nothing was stored")
    body = await read_capped(request, request.app.state.max_body_bytes)

    def go() -> dict[str, Any]:
        with tempfile.TemporaryDirectory(prefix="flywheel-upload-") as tmp:
            path = Path(tmp) / name
            path.write_bytes(body)
            result: dict[str, Any] = run(path).to_dict()
            return result

    return await run_in_threadpool(go)


def _origin(who: Any, name: str) -> str:
    return f"api:{who.person_id}/{name}"


EVENTS_JSONL = {"requestBody": {"required": True, "content": {"application/x-ndjson": {
    "schema": {"type": "string"},
    "example": '{"id": "FB-DOC-1", "occurred_at": "2026-11-02T09:00:00+00:00", '
               '"source": "evaluation", "failure_type": "model_gap", "impact_scope": "sample", '
               '"project_id": "P-TEST", "payload": {"sample": "15% of 80", '
               '"model_output": "10", "expected_behaviour": "answer 12"}}\n'}}}}


@router.post("/events/jsonl", response_model=Ingested, status_code=201,
             openapi_extra=EVENTS_JSONL)
async def post_events_jsonl(request: Request, ws: ActingWorkspace, who: Caller,
                            name: FileName = "events.jsonl") -> dict[str, Any]:
    """A JSONL file of events as the body (`flywheel feedback ingest` through the server):
    judged line by line like a local file; the same file sent again resumes where an
    interrupted ingest of it stopped. The answer is what `feedback ingest --json` prints."""
    from dataflywheel.flows.feedback.ingest import ingest_jsonl

    return await _upload(request, name, lambda path: ingest_jsonl(
        ws, path, origin=_origin(who, name)))


@router.post("/import-eval", response_model=ImportOut, status_code=201, openapi_extra=JSONL_BODY)
async def import_eval(request: Request, ws: ActingWorkspace, who: Caller,
                      name: FileName = "eval_results.jsonl", project: Project = None,
                      experiment: Annotated[str | None, Query(max_length=64)] = None,
                      occurred_at: When = None) -> dict[str, Any]:
    """Per-item evaluation results (GSM8K model-solutions shape) as the body: each wrong
    answer becomes an event; unreadable lines are kept as rejections."""
    from dataflywheel.flows.feedback.feedback_import import import_eval_results

    return await _upload(request, name, lambda path: import_eval_results(
        ws, path, project_id=project or None, experiment_id=experiment or None,
        occurred_at=occurred_at, origin=_origin(who, name)), occurred_at)


@router.post("/import-predictions", response_model=ImportOut, status_code=201,
             openapi_extra=PREDICTIONS_BODY)
async def import_predictions(request: Request, ws: ActingWorkspace, who: Caller,
                             name: FileName = "predictions.jsonl", project: Project = None,
                             model: Annotated[str | None, Query(max_length=200)] = None,
                             flag_below: Annotated[str, Query(max_length=1)] = "B",
                             occurred_at: When = None) -> dict[str, Any]:
    """Model predictions with ratings (self-instruct shape) as the body: each rated worse than
    `flag_below` becomes an event."""
    from dataflywheel.flows.feedback.feedback_import import import_predictions as run_import

    return await _upload(request, name, lambda path: run_import(
        ws, path, project_id=project or None, model=model or None, flag_below=flag_below,
        occurred_at=occurred_at, origin=_origin(who, name)), occurred_at)
