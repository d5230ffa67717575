"""The data asset registry, access grants and sensitivity over HTTP: the flows of
`flywheel access` (register, list, request, approve, deny, revoke, sweep, derive, regrade, grade,
check, reads), each route a thin call answering the JSON its command's `--json` prints.

Who may call what is the flows' own answer (`api.record_rules.Asks` asks
`flows.governance.access.may_decide` and friends): a grant is decided by the sharing Accountable
of the asset's project and, above internal, by Legal/Compliance too — neither its requester nor
its grantee; assets are registered, and derivations recorded, by the dataset's owner or the
sharing Accountable; derived data is re-graded by Legal/Compliance. The acting person is always
the token's (`by=ws.actor`); the server's clock is the time of every decision (no `now` from a
caller).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from dataflywheel.api.deps import ActingWorkspace
from dataflywheel.api.paging import PageOut, Paging, page_out
from dataflywheel.api.policy import AnyPerson, Member, Rule
from dataflywheel.api.record_rules import Asks
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.governance import AccessGrant, Asset, Derivation, Regrade
from dataflywheel.domain.states import GrantState
from dataflywheel.errors import BadInput
from dataflywheel.flows.governance import access, access_reads, sensitivity

router = APIRouter(prefix="/api/v1", tags=["access"])

NOTHING = "nothing was stored"


STEWARD = "the dataset's owner or the sharing Accountable of its project"
DECIDER = ("the sharing Accountable of the asset's project, or Legal/Compliance above internal, "
           "neither the grant's requester nor its grantee, before it expires")
REVOKER = "the sharing Accountable of the asset's project or Legal/Compliance"

POLICY: dict[tuple[str, str], Rule] = {
    ("POST", "/api/v1/datasets/{dataset}/assets"):
        Asks(scope="dataset", question=sensitivity.may_steward, says=STEWARD),
    ("POST", "/api/v1/versions/{version}/assets"):
        Asks(scope="version", question=sensitivity.may_steward_version, says=STEWARD),
    ("GET", "/api/v1/assets"): AnyPerson(),
    ("POST", "/api/v1/assets/{asset}/grants"): AnyPerson(),
    ("GET", "/api/v1/grants"): AnyPerson(),
    ("POST", "/api/v1/grants/{grant}/approve"):
        Asks(scope="grant", question=access.may_decide, says=DECIDER),
    ("POST", "/api/v1/grants/{grant}/deny"):
        Asks(scope="grant", question=access.may_decide, says=DECIDER),
    ("POST", "/api/v1/grants/{grant}/revoke"):
        Asks(scope="grant", question=access.may_revoke, says=REVOKER),
    ("POST", "/api/v1/people/{person}/grants/revoke"):
        Asks(scope="person", question=access.may_revoke_all,
             says=REVOKER + " of every active grant of the person"),
    ("POST", "/api/v1/grants/sweep"): AnyPerson(),
    ("POST", "/api/v1/datasets/{dataset}/derivations"):
        Asks(scope="dataset", question=sensitivity.may_steward, says=STEWARD),
    ("POST", "/api/v1/datasets/{dataset}/regrade"):
        Asks(scope="dataset", question=sensitivity.may_regrade,
             says="a Legal/Compliance holder of the project, on derived data"),
    ("GET", "/api/v1/datasets/{dataset}/grade"): AnyPerson(),
    ("GET", "/api/v1/versions/{version}/grade"): AnyPerson(),
    ("GET", "/api/v1/versions/{version}/access"): AnyPerson(),
    ("GET", "/api/v1/versions/{version}/reads"): Member(scope="version"),
}


class AssetRegister(BaseModel):
    """An asset of the dataset or version in the path; its sensitivity defaults to the dataset's
    and may not be lower."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"description": "cleaned pool, shared with the evaluation team"}]})

    sensitivity: str | None = Field(default=None, max_length=20,
                                    description="public, internal, confidential or restricted")
    description: str = Field(default="", max_length=2000)


class GrantRequest(BaseModel):
    """A time-limited grant for `grantee`; the expiry is `expires_at` or `days` from now (one of
    them), at most 90 days on. On restricted data it rests on compliance exception `exception`."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"grantee": "algorithm-engineer", "purpose": "evaluate the de-duplicated "
                      "pool on the Q1 benchmark", "days": 30}]})

    grantee: str = Field(min_length=1, max_length=200)
    purpose: str = Field(min_length=1, max_length=2000)
    expires_at: datetime | None = None
    days: int | None = Field(default=None, ge=1, le=access.MAX_GRANT_DAYS)
    exception: str | None = Field(default=None, max_length=200)


class Note(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"note": "evaluation use only, as stated"}]})

    note: str = Field(default="", max_length=2000)


class Reason(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"reason": "the evaluation ended"}]})

    reason: str = Field(min_length=1, max_length=2000)


class Derive(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"source": "access-raw", "method": "cleaning"}]})

    source: str = Field(min_length=1, max_length=200,
                        description="a version (id or DATASET@N) or a dataset (id or name)")
    method: str = Field(min_length=1, max_length=200)


class RegradeBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"level": "internal", "reason": "de-identified, no user ids left"}]})

    level: str = Field(min_length=1, max_length=20)
    reason: str = Field(min_length=1, max_length=2000)


class Revoked(BaseModel):
    revoked: list[str]


class Expired(BaseModel):
    expired: list[str]


class GradeOut(BaseModel):
    id: str
    level: str
    grade: str
    sources: list[str]
    policy: str
    audit: str
    read_rule: str


class AccessAnswer(BaseModel):
    person: str | None
    version: str
    state: str
    level: str
    grade: str
    grant_needed: bool
    allowed: bool
    grants: list[str]
    refusal: str | None


class ReadOut(BaseModel):
    seq: int
    at: str
    actor: str
    version: str
    allowed: bool
    reason: str


@router.post("/datasets/{dataset}/assets", response_model=Asset, status_code=201)
def register_dataset(dataset: str, body: AssetRegister, ws: ActingWorkspace) -> Asset:
    """Register the dataset (all its versions) as an asset."""
    return access.register(ws, by=ws.actor, dataset=dataset, sensitivity=body.sensitivity,
                           description=body.description)


@router.post("/versions/{version}/assets", response_model=Asset, status_code=201)
def register_version(version: str, body: AssetRegister, ws: ActingWorkspace) -> Asset:
    """Register one version (id or DATASET@N) as an asset."""
    return access.register(ws, by=ws.actor, version=version, sensitivity=body.sensitivity,
                           description=body.description)


@router.get("/assets", response_model=PageOut[Asset])
def list_assets(ws: ActingWorkspace, paging: Paging,
                project: str | None = Query(default=None, max_length=200)) -> Response:
    """The registry by id (discoverable by everyone), optionally of one project."""
    return page_out(access.assets(ws, project=project or None).page(paging.limit, paging.cursor))


def expiry(body: GrantRequest, now: datetime) -> datetime:
    """The grant's expiry: `expires_at`, or `days` from now; exactly one of them."""
    if (body.expires_at is None) == (body.days is None):
        raise BadInput("give exactly one of expires_at and days", field="expires_at",
                       expected="expires_at (ISO 8601 with a zone) or days (1 to "
                       f"{access.MAX_GRANT_DAYS})", kept=NOTHING)
    return body.expires_at if body.expires_at is not None else now + timedelta(days=body.days or 0)


@router.post("/assets/{asset}/grants", response_model=AccessGrant, status_code=201)
def request_grant(asset: str, body: GrantRequest, ws: ActingWorkspace) -> AccessGrant:
    """Request a grant on the asset for `grantee`; its deciders are notified."""
    now = utcnow()
    return access.request(ws, asset, grantee=body.grantee, purpose=body.purpose,
                          expires_at=expiry(body, now), requested_by=ws.actor,
                          exception_id=body.exception, now=now)


@router.get("/grants", response_model=PageOut[AccessGrant])
def list_grants(ws: ActingWorkspace, paging: Paging, state: GrantState | None = None,
                grantee: str | None = Query(default=None, max_length=200),
                asset: str | None = Query(default=None, max_length=200)) -> Response:
    """Grants by id (what is due expires first), optionally in one state, of one grantee or on
    one asset."""
    listing = access.grants(ws, state=state.value if state else None, grantee=grantee or None,
                            asset=asset or None)
    return page_out(listing.page(paging.limit, paging.cursor))


@router.post("/grants/{grant}/approve", response_model=AccessGrant)
def approve_grant(grant: str, body: Note, ws: ActingWorkspace) -> AccessGrant:
    """Approve as the sharing Accountable or as Legal/Compliance; active once both needed are in."""
    return access.approve(ws, grant, approver=ws.actor, note=body.note)


@router.post("/grants/{grant}/deny", response_model=AccessGrant)
def deny_grant(grant: str, body: Reason, ws: ActingWorkspace) -> AccessGrant:
    """Refuse a requested grant, with a reason."""
    return access.deny(ws, grant, approver=ws.actor, reason=body.reason)


@router.post("/grants/{grant}/revoke", response_model=AccessGrant)
def revoke_grant(grant: str, body: Reason, ws: ActingWorkspace) -> AccessGrant:
    """End an active grant before its expiry."""
    return access.revoke(ws, grant, by=ws.actor, reason=body.reason)


@router.post("/people/{person}/grants/revoke", response_model=Revoked)
def revoke_person(person: str, body: Reason, ws: ActingWorkspace) -> dict[str, Any]:
    """End every active grant of the person (offboarding); all or none."""
    ended = access.revoke_person(ws, person, by=ws.actor, reason=body.reason)
    return {"revoked": [g.id for g in ended]}


@router.post("/grants/sweep", response_model=Expired)
def sweep_grants(ws: ActingWorkspace) -> dict[str, Any]:
    """Expire every active grant past its expiry (audited as the caller)."""
    return {"expired": access.sweep(ws)}


@router.post("/datasets/{dataset}/derivations", response_model=Derivation, status_code=201)
def derive(dataset: str, body: Derive, ws: ActingWorkspace) -> Derivation:
    """Record that the dataset is derived data built from `source`; it inherits its level."""
    return sensitivity.derive(ws, dataset, source=body.source, method=body.method, by=ws.actor)


@router.post("/datasets/{dataset}/regrade", response_model=Regrade, status_code=201)
def regrade(dataset: str, body: RegradeBody, ws: ActingWorkspace) -> Regrade:
    """Re-grade derived data to `level`, with the reason (Legal/Compliance)."""
    return sensitivity.regrade(ws, dataset, level=body.level, by=ws.actor, reason=body.reason)


@router.get("/datasets/{dataset}/grade", response_model=GradeOut)
def dataset_grade(dataset: str, ws: ActingWorkspace) -> dict[str, Any]:
    """The dataset's effective sensitivity, why, and what reading it needs (Table 24-20)."""
    return sensitivity.grade_answer(*sensitivity.dataset_grade_of(ws, dataset))


@router.get("/versions/{version}/grade", response_model=GradeOut)
def version_grade(version: str, ws: ActingWorkspace) -> dict[str, Any]:
    """The version's effective sensitivity, why, and what reading it needs (Table 24-20)."""
    return sensitivity.grade_answer(*sensitivity.version_grade_of(ws, version))


@router.get("/versions/{version}/access", response_model=AccessAnswer)
def check(version: str, ws: ActingWorkspace,
          person: str | None = Query(default=None, max_length=200,
                                     description="who would read (default: the caller)")
          ) -> dict[str, Any]:
    """May `person` read the version now? `allowed` says; `refusal` says why not. A question:
    nothing is read, and nothing but due expiries is written."""
    return access_reads.check(ws, person or ws.actor, version).answer()


@router.get("/versions/{version}/reads", response_model=PageOut[ReadOut])
def reads(version: str, ws: ActingWorkspace, paging: Paging) -> Response:
    """Who read the version, when, why — and who was refused (from the audit log), oldest first."""
    page = access_reads.reads(ws, version).page(paging.limit, paging.cursor)
    return page_out(page, access_reads.ReadEntry.row)
