"""Interface contracts over HTTP: list, show, export, plan, notices, validate, import, propose,
activate, reject, retire-expired, and the advance-notice rate.

Each route is one call into the flow `flywheel contracts …` uses (`flows.contracts`) and answers
what that command prints with `--json` (`flows.contracts.answers` builds both). A contract
document travels as the ODCS YAML text in a JSON body (`{"document": "..."}`, at most
`MAX_DOCUMENT` characters) and is parsed by the same `parse_odcs` a file is; validating stores
nothing.

Who may call: any person reads the team's notice rate and validates a document; a member of the
contract's project reads it and registers one; the owners of the layers (Data Engineer:
structural, Annotation Engineer: semantic, Data Owner: operational and change policy) propose a
version — owners as the flow finds them: where the contract's project names its own holders of a
role, those, not the team-wide ones (`HoldsWhereNamed`) — and the flow then checks that the
proposer owns each layer the diff touches; the project's Data Owner activates or rejects one.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import PlainTextResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from dataflywheel.api.deps import ActingWorkspace
from dataflywheel.api.paging import PageOut, Paging, page_out
from dataflywheel.api.policy import AnyPerson, Holds, HoldsWhereNamed, Member, Rule
from dataflywheel.checks.plan import CheckPlan
from dataflywheel.domain.records.contract import LAYER_OWNERS, ContractNotice, ContractRecord
from dataflywheel.domain.roles import Role
from dataflywheel.errors import BadInput
from dataflywheel.flows.contracts import answers, lifecycle
from dataflywheel.flows.contracts.contract_plan import compile_plan
from dataflywheel.integrations.odcs import parse_odcs

router = APIRouter(prefix="/api/v1", tags=["contracts"])

MAX_DOCUMENT = 1_000_000
"""The longest ODCS document accepted, in characters (the examples are about 3,000)."""
SOURCE = "request body"
"""Where a document came from, as errors and `validate` name it."""

VERSION = "/api/v1/contracts/{contract}/versions/{semver}"
OWNERS = frozenset(LAYER_OWNERS.values())
"""Who may propose a version: the owner of some layer (the flow then asks for each layer touched)."""
POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/contracts"): Member(scope="project"),
    ("GET", "/api/v1/contracts/notice-rate"): AnyPerson(),
    ("POST", "/api/v1/contracts/validate"): AnyPerson(),
    ("POST", "/api/v1/contracts/retire-expired"): AnyPerson(),
    ("POST", "/api/v1/contracts"): Member(),
    ("POST", "/api/v1/projects/{project}/contracts"): Member(scope="project"),
    ("GET", "/api/v1/contracts/{contract}"): Member(scope="contract"),
    ("POST", "/api/v1/contracts/{contract}/versions"): HoldsWhereNamed(roles=OWNERS,
                                                                      scope="contract"),
    ("GET", VERSION): Member(scope="contract"),
    ("GET", VERSION + "/odcs"): Member(scope="contract"),
    ("GET", VERSION + "/plan"): Member(scope="contract"),
    ("GET", VERSION + "/notices"): Member(scope="contract"),
    ("POST", VERSION + "/activate"): Holds(roles=frozenset({Role.DATA_OWNER}), scope="contract"),
    ("POST", VERSION + "/reject"): Holds(roles=frozenset({Role.DATA_OWNER}), scope="contract"),
}

EXAMPLE = """\
apiVersion: v3.1.0
kind: DataContract
id: {id}
name: {name} (Data Engineer to Annotation Engineer)
version: {version}
status: active
description:
  purpose: Cleaned text handed to annotation task design.
schema:
- name: texts
  logicalType: object
  properties:
  - name: id
    logicalType: string
    required: true
    primaryKey: true
    description: Stable id assigned at collection.
  - name: content
    logicalType: string
    required: true
    description: The cleaned text, UTF-8.
  quality:
  - name: duplicate_rate
    type: library
    metric: duplicateValues
    mustBeLessThan: 1.0
    unit: percent
  customProperties:
  - property: textFields
    value:
    - content
customProperties:
- property: flywheelSemantic
  value:
    guideVersion: {guide}
- property: flywheelOperational
  value:
    deliverable: weekly JSONL batch of cleaned text
    producerRole: data_engineer
    consumerRole: annotation_engineer
    feedbackPath: Anomalies go to the Issue Pool.
- property: flywheelChange
  value:
    reason: {reason}
    impact: None for consumers.
    changeClass: {change}
    noticeDays: 14
"""


def example_document(contract_id: str = "reviewed-text", version: str = "1.0.0",
                     guide: str = "cleaning-rules-2.1") -> str:
    """A small valid ODCS document: version 1.0.0 is a first version, a later one changes only
    the guide version (a compatible, semantic change). The OpenAPI examples and the tests'
    seeded contract (`tests/api/seed_demand.py`) are built from it."""
    first = version == "1.0.0"
    return EXAMPLE.format(id=contract_id, name=contract_id.replace("-", " ").capitalize(),
                          version=version, guide=guide,
                          change="initial" if first else "compatible",
                          reason="First version." if first else f"Guide {guide}.")


Document = Annotated[str, Field(min_length=1, max_length=MAX_DOCUMENT,
                                description="the ODCS v3 YAML text of the contract")]


class DocumentIn(BaseModel):
    """A contract document to validate or to register."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "document": example_document()}]})

    document: Document


class ProposeIn(BaseModel):
    """The next version of the path's contract (`flywheel contracts propose`)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "document": example_document("cleaned-text", "1.2.0", "cleaning-rules-2.3"),
        "effective_from": None, "short_notice_reason": None}]})

    document: Document
    effective_from: AwareDatetime | None = Field(default=None, description=(
        "when it takes effect (default: now, or after the notice days for a breaking change)"))
    short_notice_reason: str | None = Field(default=None, min_length=1, max_length=2000)


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "reason": "the guide change is not agreed with the vendor yet"}]})

    reason: str = Field(min_length=1, max_length=2000)


class Summary(BaseModel):
    id: str
    version: str
    version_id: str
    name: str
    producer_role: str
    consumer_role: str
    fields: list[str]
    thresholds: list[str]
    guide_version: str | None


class Validated(Summary):
    valid: bool
    file: str


class VersionOut(BaseModel):
    """A stored version without its document (`GET …/odcs` has it)."""

    id: str
    contract_id: str
    semver: str
    state: str
    document_sha256: str
    change_class: str
    previous_version_id: str | None
    superseded_by_id: str | None
    proposed_by: str
    proposed_at: AwareDatetime
    effective_from: AwareDatetime
    compatibility_until: AwareDatetime | None
    migration_note: str | None
    notice_days: int
    short_notice_reason: str | None


class VersionShown(VersionOut):
    contract: Summary
    changes: list[dict[str, Any]]
    notices: list[ContractNotice]


class Proposed(VersionOut):
    changes: list[str]
    notices: list[ContractNotice]


class ContractListed(ContractRecord):
    versions: list[str] = Field(description="each version as 'SEMVER (state)', oldest first")


class NoticeRate(BaseModel):
    breaking: int
    on_time: int
    late: list[str]
    rate: float | None


class Retired(BaseModel):
    retired: list[str]


def _ref(contract: str, semver: str) -> str:
    return f"{contract}@{semver}"


@router.get("/contracts", response_model=PageOut[ContractListed])
def list_contracts(ws: ActingWorkspace, paging: Paging,
                   project: Annotated[str | None, Query(max_length=100)] = None) -> Response:
    """One page of contracts (optionally of one project), each with its versions: the rows of
    `flywheel contracts list --json`."""
    listing = lifecycle.contracts(ws, project_id=project or None)
    return page_out(listing.page(paging.limit, paging.cursor), lambda found: found[0].model_dump(
        mode="json") | {"versions": [f"{v.semver} ({v.state.value})" for v in found[1]]})


@router.get("/contracts/notice-rate", response_model=NoticeRate)
def notice_rate(ws: ActingWorkspace) -> dict[str, Any]:
    """Interface-change advance-notice rate: breaking changes noticed in time / all of them."""
    rate = lifecycle.advance_notice_rate(ws)
    return {"breaking": rate.breaking, "on_time": rate.on_time, "late": rate.late,
            "rate": rate.rate}


@router.post("/contracts/validate", response_model=Validated)
def validate(body: DocumentIn) -> dict[str, Any]:
    """Check a document (ODCS schema and the four layers) without storing it; a fault is a 400
    naming the field."""
    return {"valid": True, "file": SOURCE} | answers.summary(parse_odcs(body.document,
                                                                        source=SOURCE))


@router.post("/contracts/retire-expired", response_model=Retired)
def retire_expired(ws: ActingWorkspace) -> dict[str, list[str]]:
    """Retire every deprecated version whose compatibility period has ended."""
    return {"retired": lifecycle.retire_expired(ws, by=ws.actor)}


def _register(ws: ActingWorkspace, body: DocumentIn, project: str | None) -> dict[str, Any]:
    contract = parse_odcs(body.document, source=SOURCE)
    version = lifecycle.register_contract(ws, contract, body.document, by=ws.actor,
                                          project_id=project)
    return answers.version_row(version)


@router.post("/contracts", response_model=VersionOut, status_code=201)
def import_team_contract(body: DocumentIn, ws: ActingWorkspace) -> dict[str, Any]:
    """Register a team-wide contract; its first version is active at once."""
    return _register(ws, body, None)


@router.post("/projects/{project}/contracts", response_model=VersionOut, status_code=201)
def import_contract(project: str, body: DocumentIn, ws: ActingWorkspace) -> dict[str, Any]:
    """Register a contract of the project; its first version is active at once."""
    return _register(ws, body, project)


@router.get("/contracts/{contract}", response_model=VersionShown)
def show_contract(contract: str, ws: ActingWorkspace) -> dict[str, Any]:
    """The contract's active version (or its latest), as `flywheel contracts show ID --json`."""
    return answers.version_shown(*lifecycle.get_version(ws, contract))


@router.post("/contracts/{contract}/versions", response_model=Proposed, status_code=201)
def propose(contract: str, body: ProposeIn, ws: ActingWorkspace) -> dict[str, Any]:
    """Propose the next version: diff, change class, layer owners, notices for a breaking one."""
    new = parse_odcs(body.document, source=SOURCE)
    if new.id != contract:
        raise BadInput(f"the document is contract {new.id}, not {contract}", field="id",
                       path=SOURCE, expected=contract, got=new.id, kept="nothing was stored",
                       hint=f"POST it to /api/v1/contracts/{new.id}/versions")
    proposal = lifecycle.propose(ws, new, body.document, source=SOURCE, by=ws.actor,
                                 effective_from=body.effective_from,
                                 short_notice_reason=body.short_notice_reason)
    return answers.proposal_row(proposal)


@router.get("/contracts/{contract}/versions/{semver}", response_model=VersionShown)
def show_version(contract: str, semver: str, ws: ActingWorkspace) -> dict[str, Any]:
    """One version: state, change management, notices, and the layers in brief."""
    return answers.version_shown(*lifecycle.get_version(ws, _ref(contract, semver)))


@router.get("/contracts/{contract}/versions/{semver}/odcs", response_class=PlainTextResponse,
            responses={200: {"content": {"application/yaml": {"schema": {
                "type": "object", "description": "an ODCS contract document (YAML mapping)"}}},
                             "description": "the stored ODCS document, byte for byte"}})
def export(contract: str, semver: str, ws: ActingWorkspace) -> PlainTextResponse:
    """The stored ODCS document of the version, byte for byte (`flywheel contracts export`)."""
    version = lifecycle.get_version(ws, _ref(contract, semver))[0]
    return PlainTextResponse(version.document, media_type="application/yaml",
                             headers={"X-Document-Sha256": version.document_sha256})


@router.get("/contracts/{contract}/versions/{semver}/plan", response_model=CheckPlan,
            response_model_by_alias=True, response_model_exclude_none=True)
def plan(contract: str, semver: str, ws: ActingWorkspace,
         reference: Annotated[list[str] | None, Query(max_length=20)] = None) -> CheckPlan:
    """The check plan the version compiles to (`flywheel contracts plan ID@VERSION --json`);
    `reference` names evaluation sets to check contamination against."""
    compiled = lifecycle.get_version(ws, _ref(contract, semver))[1]
    return compile_plan(compiled, contamination_reference=reference or None)


@router.get("/contracts/{contract}/versions/{semver}/notices",
            response_model=PageOut[ContractNotice])
def notices(contract: str, semver: str, ws: ActingWorkspace, paging: Paging) -> Response:
    """One page of the notices the version's breaking change sent (one per C or I person)."""
    listing = lifecycle.version_notices(ws, _ref(contract, semver))
    return page_out(listing.page(paging.limit, paging.cursor))


@router.post("/contracts/{contract}/versions/{semver}/activate", response_model=VersionOut)
def activate(contract: str, semver: str, ws: ActingWorkspace) -> dict[str, Any]:
    """Make a proposed version active (the project's Data Owner); the previous one is
    deprecated."""
    return answers.version_row(lifecycle.activate_version(ws, _ref(contract, semver), by=ws.actor))


@router.post("/contracts/{contract}/versions/{semver}/reject", response_model=VersionOut)
def reject(contract: str, semver: str, body: RejectIn, ws: ActingWorkspace) -> dict[str, Any]:
    """Turn down a proposed version (the project's Data Owner)."""
    return answers.version_row(lifecycle.reject_version(ws, _ref(contract, semver),
                                                        reason=body.reason, by=ws.actor))
