"""`/api/v1/versions`: dataset versions over HTTP — candidate → frozen → archived/withdrawn.

Thin: each route calls the flow `flywheel versions …` calls and answers what its `--json` prints
(the version's record; `show` adds its batches, known defects and gate). Where a flow takes
`by=`, the route passes the token's person (`ws.actor`): nobody approves in someone else's name.

Who may: reading needs a role in the version's project; assembling a candidate (create, add,
remove, refresh, datasheet, freeze notice) a data owner, data engineer or algorithm engineer
there; the compliance decision Legal/Compliance; the final spot check a Quality Evaluator; the
release (freeze), its rejection and archive only the Accountable person of
`training_set_version_release` for the project, rollback only the Accountable of
`data_version_rollback` — the flows check the same again.
Export streams the exported folder back as a ZIP archive (see `export_version_route`).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.responses import FileResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from dataflywheel.api.request_text import RequestBody
from dataflywheel.api.deps import ActingWorkspace
from dataflywheel.api.paging import PageOut, Paging, page_out
from dataflywheel.api.policy import Accountable, Holds, Member, Rule
from dataflywheel.domain.records.data import DatasetVersion, Datasheet
from dataflywheel.domain.roles import Role
from dataflywheel.flows.data.export import EXPORT_HEADER
from dataflywheel.flows.data.version_view import VersionView

router = APIRouter(prefix="/api/v1", tags=["versions"])

ASSEMBLERS = frozenset({Role.DATA_OWNER, Role.DATA_ENGINEER, Role.ALGORITHM_ENGINEER})
RELEASE = "training_set_version_release"
ROLLBACK = "data_version_rollback"
V = "/versions/{version}"

POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/versions"): Member(scope="dataset"),
    ("POST", "/api/v1/datasets/{dataset}/versions"): Holds(roles=ASSEMBLERS, scope="dataset"),
    ("GET", f"/api/v1{V}"): Member(scope="version"),
    ("POST", f"/api/v1{V}/add"): Holds(roles=ASSEMBLERS, scope="version"),
    ("POST", f"/api/v1{V}/remove"): Holds(roles=ASSEMBLERS, scope="version"),
    ("POST", f"/api/v1{V}/refresh"): Holds(roles=ASSEMBLERS, scope="version"),
    ("GET", f"/api/v1{V}/datasheet"): Member(scope="version"),
    ("POST", f"/api/v1{V}/datasheet"): Holds(roles=ASSEMBLERS, scope="version"),
    ("POST", f"/api/v1{V}/compliance"): Holds(roles=frozenset({Role.LEGAL_COMPLIANCE}),
                                              scope="version"),
    ("POST", f"/api/v1{V}/notice"): Holds(roles=ASSEMBLERS, scope="version"),
    ("GET", f"/api/v1{V}/final-check-sheet"): Member(scope="version"),
    ("POST", f"/api/v1{V}/final-check"): Holds(roles=frozenset({Role.QUALITY_EVALUATOR}),
                                        scope="version"),
    ("POST", f"/api/v1{V}/freeze"): Accountable(item=RELEASE, scope="version"),
    ("POST", f"/api/v1{V}/reject"): Accountable(item=RELEASE, scope="version"),
    ("POST", f"/api/v1{V}/archive"): Accountable(item=RELEASE, scope="version"),
    ("POST", f"/api/v1{V}/rollback"): Accountable(item=ROLLBACK, scope="version"),
    ("POST", f"/api/v1{V}/export"): Member(scope="version"),
}

BatchIds = Annotated[list[Annotated[str, Field(min_length=1, max_length=64)]],
                     Field(max_length=1000)]


class VersionIn(RequestBody):
    """A new candidate of the path's dataset, optionally with passed batches."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"batches": []}]})

    batches: BatchIds = []


class BatchesIn(RequestBody):
    """Batches to add to (or take out of) a candidate."""

    model_config = ConfigDict(extra="forbid",
                              json_schema_extra={"examples": [{"batches": ["B-9999"]}]})

    batches: BatchIds = Field(min_length=1)


class DatasheetIn(RequestBody):
    """Datasheet sections to set (`flywheel versions datasheet --set SECTION=VALUE`)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"sections": {
        "objective": "Cleaned raw text for annotation task design.",
        "known_defects": []}}]})

    sections: Datasheet


class ComplianceIn(RequestBody):
    """Legal/Compliance's decision on a candidate."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "approve": True, "conclusion": "public web text; no personal data"}]})

    approve: bool = True
    conclusion: str = Field(min_length=1, max_length=5000)


FREEZE_EXAMPLE: dict[str, Any] = {"consultations": {"quality-evaluator": "agree"},
                                  "baseline": False, "waive_procedure": None}


class FreezeIn(RequestBody):
    """The release: Consulted people's answers, whether it is the quarter's baseline, and the
    Accountable's waiver of the baseline's freeze procedure (a reason), all optional."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [FREEZE_EXAMPLE]})

    consultations: Annotated[dict[Annotated[str, Field(max_length=200)],
                                  Annotated[str, Field(max_length=2000)]],
                             Field(max_length=100)] = {}
    baseline: bool = False
    waive_procedure: str | None = Field(default=None, min_length=1, max_length=2000)


FREEZE_EXAMPLES = {"release": {"summary": "a release, one Consulted answer given",
                               "value": FREEZE_EXAMPLE}}


class RejectIn(RequestBody):
    """Why the Accountable person does not release the candidate."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "reason": "union report stale; redeliver B-0032"}]})

    reason: str = Field(min_length=1, max_length=2000)


class RollbackIn(RequestBody):
    """Why a frozen version is withdrawn, and the issue that explains it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "issue": "ISS-0001", "reason": "label leakage found after release"}]})

    issue: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=2000)


class ExportIn(RequestBody):
    """`flywheel export`: the format, the SPDX license to state, and why it is read (needed
    above the public level, with a grant of the caller's)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "format": "hf", "license": "CC-BY-4.0", "purpose": "training run 12"}]})

    format: Literal["hf", "croissant", "dvc"]
    license: str | None = Field(default=None, max_length=64)
    purpose: str | None = Field(default=None, max_length=2000)


class Notice(BaseModel):
    version: str
    to: list[str]


class RejectedRowOut(BaseModel):
    line: int
    reason: str


class FinalCheckOut(BaseModel):
    """What `flywheel versions final-check` reports: verdicts taken, rows rejected (by line,
    with the reason; the good rows are kept) and sampled records still without a verdict."""

    version: str
    taken: int
    pending: int
    rejected: list[RejectedRowOut]


class SheetOut(BaseModel):
    """The final spot check's stratified sample (the rows `final-check-sheet` writes)."""

    version: str
    rows: list[dict[str, Any]]


@router.get("/versions", response_model=PageOut[DatasetVersion])
def list_versions(ws: ActingWorkspace, paging: Paging,
                  dataset: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    """One page of versions (`flywheel versions list --json` rows), of one dataset (its id) if
    given; without it only team-wide role holders may list them all."""
    from dataflywheel.flows.data.versions import versions

    return page_out(versions(ws, dataset or None).page(paging.limit, paging.cursor))


@router.post("/datasets/{dataset}/versions", response_model=DatasetVersion, status_code=201)
def create_version(dataset: str, body: VersionIn, ws: ActingWorkspace) -> DatasetVersion:
    """A new candidate of `dataset` (`flywheel versions create DATASET --json`)."""
    from dataflywheel.flows.data.versions import create_version as create

    return create(ws, dataset, by=ws.actor, batch_ids=body.batches)


@router.get(V, response_model=VersionView)
def show_version(version: str, ws: ActingWorkspace,
                 approver: Annotated[str | None, Query(max_length=200)] = None,
                 baseline: bool = False) -> VersionView:
    """The version, its batches, known defects and gate (`flywheel versions show --json`)."""
    from dataflywheel.flows.data.version_view import version_view

    return version_view(ws, version, approver=approver, baseline=baseline)


@router.post(f"{V}/add", response_model=DatasetVersion)
def add_batches(version: str, body: BatchesIn, ws: ActingWorkspace) -> DatasetVersion:
    """Add passed batches to a candidate (`flywheel versions add`)."""
    from dataflywheel.flows.data.versions import add_batches as add

    return add(ws, version, body.batches, by=ws.actor)


@router.post(f"{V}/remove", response_model=DatasetVersion)
def remove_batches(version: str, body: BatchesIn, ws: ActingWorkspace) -> DatasetVersion:
    """Take batches out of a candidate (`flywheel versions remove`)."""
    from dataflywheel.flows.data.versions import remove_batches as remove

    return remove(ws, version, body.batches, by=ws.actor)


@router.post(f"{V}/refresh", response_model=DatasetVersion)
def refresh(version: str, ws: ActingWorkspace) -> DatasetVersion:
    """Recompute a candidate's union quality summary (`flywheel versions refresh`)."""
    from dataflywheel.flows.data.version_summary import refresh_summary
    from dataflywheel.flows.data.versions import get_version

    return refresh_summary(ws, get_version(ws, version)[0].id)


@router.get(f"{V}/datasheet", response_model=Datasheet,
            responses={200: {"content": {"text/markdown": {"schema": {"type": "string"}}}}})
def show_datasheet(version: str, ws: ActingWorkspace, request: Request,
                   format: Literal["json", "md"] | None = None) -> Any:
    """The version's datasheet: JSON, or Markdown with `?format=md` or `Accept: text/markdown`."""
    from dataflywheel.flows.data.version_view import datasheet_markdown
    from dataflywheel.flows.data.versions import get_version

    v = get_version(ws, version)[0]
    wants_md = format == "md" or (format is None and "text/markdown" in
                                  request.headers.get("accept", ""))
    if wants_md:
        return PlainTextResponse(datasheet_markdown(v), media_type="text/markdown")
    return v.datasheet


@router.post(f"{V}/datasheet", response_model=DatasetVersion)
def set_datasheet(version: str, body: DatasheetIn, ws: ActingWorkspace) -> DatasetVersion:
    """Fill in the sections given (`flywheel versions datasheet --set …`)."""
    from dataflywheel.flows.data.versions import set_datasheet as put

    updates = body.sections.model_dump(exclude_unset=True)
    if not updates:
        from dataflywheel.errors import BadInput

        raise BadInput("nothing to set", field="sections", expected="at least one section",
                       kept="the datasheet is unchanged")
    return put(ws, version, updates, by=ws.actor)


@router.post(f"{V}/compliance", response_model=DatasetVersion)
def compliance(version: str, body: ComplianceIn, ws: ActingWorkspace) -> DatasetVersion:
    """Legal/Compliance approves or rejects a candidate (`flywheel versions compliance`)."""
    from dataflywheel.flows.data.versions import decide_compliance

    return decide_compliance(ws, version, by=ws.actor, approve=body.approve,
                             conclusion=body.conclusion)


@router.post(f"{V}/notice", response_model=Notice)
def notice(version: str, ws: ActingWorkspace) -> dict[str, Any]:
    """Freeze procedure step 1: notify the version's producers (`flywheel versions notice`)."""
    from dataflywheel.flows.data.freeze_procedure import issue_notice

    sent = issue_notice(ws, version)
    return {"version": version, "to": [n.to_person_id for n in sent]}


@router.get(f"{V}/final-check-sheet", response_model=SheetOut)
def final_check_sheet(version: str, ws: ActingWorkspace) -> dict[str, Any]:
    """Freeze procedure step 2: the final spot check's sample (at most 50 rows)."""
    from dataflywheel.flows.data.freeze_procedure import final_sample

    return {"version": version, "rows": final_sample(ws, version)}


REVIEWS_BODY = {"requestBody": {"required": True, "content": {
    "application/x-ndjson": {"schema": {"type": "string"}, "example": (
        '{"record_id": "B-9999:a-0", "reviewer": "quality-evaluator", "verdict": "pass"}\n')},
    "text/csv": {"schema": {"type": "string"}}}}}


@router.post(f"{V}/final-check", response_model=FinalCheckOut,
             openapi_extra=REVIEWS_BODY)
async def final_check(version: str, request: Request, ws: ActingWorkspace) -> dict[str, Any]:
    """Freeze procedure step 2: take the caller's own verdicts, a JSONL body (or CSV with
    `Content-Type: text/csv`). The reviewer is the token's person: a row naming anyone else is
    rejected by line, like any bad row, and the good ones kept."""
    from dataflywheel.api.routers.feedback import read_capped
    from dataflywheel.flows.data.freeze_procedure import take_final_check

    body = await read_capped(request, request.app.state.max_body_bytes)
    suffix = ".csv" if "csv" in request.headers.get("content-type", "") else ".jsonl"
    with tempfile.TemporaryDirectory(prefix="flywheel-final-check-") as folder:
        path = Path(folder) / f"final-check-{version}{suffix}"
        path.write_bytes(body)
        taken, rejected, pending = await run_in_threadpool(lambda: take_final_check(
            ws, version, path, reviewer=ws.actor))
    return {"version": version, "taken": taken, "pending": pending,
            "rejected": [{"line": r.line, "reason": r.reason} for r in rejected]}


@router.post(f"{V}/freeze", response_model=DatasetVersion)
def freeze(version: str, ws: ActingWorkspace,
           body: Annotated[FreezeIn | None, Body(openapi_examples=FREEZE_EXAMPLES)] = None,
           ) -> DatasetVersion:
    """The release (`flywheel versions freeze --json`): only the Accountable person of the
    training-set version release may; every unmet gate condition is named at once (403)."""
    from dataflywheel.flows.data.version_release import freeze as release

    body = body or FreezeIn()
    return release(ws, version, by=ws.actor, consultations=body.consultations,
                   baseline=body.baseline, waive_procedure=body.waive_procedure)


@router.post(f"{V}/reject", response_model=DatasetVersion)
def reject(version: str, body: RejectIn, ws: ActingWorkspace) -> DatasetVersion:
    """The release rejected: the candidate becomes abandoned; only the Accountable person of
    the training-set version release may."""
    from dataflywheel.flows.data.version_reject import reject_release

    return reject_release(ws, version, by=ws.actor, reason=body.reason)


@router.post(f"{V}/archive", response_model=DatasetVersion)
def archive(version: str, ws: ActingWorkspace) -> DatasetVersion:
    """Take a frozen version out of active use (`flywheel versions archive`)."""
    from dataflywheel.flows.data.version_release import archive as take_out

    return take_out(ws, version, by=ws.actor)


@router.post(f"{V}/rollback", response_model=DatasetVersion)
def rollback(version: str, body: RollbackIn, ws: ActingWorkspace) -> DatasetVersion:
    """Withdraw a frozen version, moving the current pointer back (`flywheel versions rollback`)."""
    from dataflywheel.flows.data.version_release import rollback as withdraw

    return withdraw(ws, version, by=ws.actor, issue_id=body.issue, reason=body.reason)


@router.post(f"{V}/export", response_class=FileResponse,
             responses={200: {"content": {"application/zip": {
                 "schema": {"type": "string", "format": "binary"}}},
                 "description": f"the exported folder as a ZIP archive; the `{EXPORT_HEADER}` "
                                "header holds what `flywheel export --json` prints"}})
def export_version_route(version: str, body: ExportIn, ws: ActingWorkspace) -> FileResponse:
    """Export a frozen version as the caller reads it (the access decision and its audit entry
    name the token's person). The server writes the export to a scratch folder, answers it as a
    ZIP archive streamed from disk, and deletes both once sent: nothing stays on the server but
    the audit entry. `flywheel export` through the server unpacks it into `--out`."""
    from dataflywheel.flows.data.export import export_version, zip_folder

    scratch = Path(tempfile.mkdtemp(prefix="flywheel-export-"))
    try:
        result = export_version(ws, version, format=body.format, out=scratch / "export",
                                license=body.license, reader=ws.actor, purpose=body.purpose)
        archive_path = zip_folder(result.out, scratch / "export.zip")
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    summary = {k: v for k, v in result.to_dict().items() if k != "out"}
    return FileResponse(archive_path, media_type="application/zip",
                        filename=f"{result.label}-{result.format}.zip",
                        headers={EXPORT_HEADER: json.dumps(summary, separators=(",", ":"))},
                        background=BackgroundTask(shutil.rmtree, scratch, ignore_errors=True))
