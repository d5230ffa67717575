"""The RACI matrix over HTTP: read it, ask who is A/R/C/I, check it, import it, consultations.

The same flows as `flywheel raci`. Reading the matrix and asking who is which letter are
team-wide (`AnyPerson`): everyone must be able to see who approves what. Importing a matrix is the
team-wide Data Owner's: the matrix decides who is Accountable for every item, so letting anyone
else replace it — an administrator included — would let them bypass A by rewriting it (the Data
Owner is A for the governance items: compliance review, release, rollback, sharing). The local
flow checks nobody (one trusted machine); the server's rule is the stricter one.

Consultations: anyone with a token may ask the Consulted people of an item for input on a
decision (a request, notified and audited under the asker's name; the decision itself is guarded
by its own A), and only the person a consultation asks may answer it (`Named`, as the flow
checks).
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from fastapi import APIRouter, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from dataflywheel.api.deps import ActingWorkspace
from dataflywheel.api.paging import PageOut, Paging, page_out
from dataflywheel.api.policy import AnyPerson, Holds, Named, Rule
from dataflywheel.domain.policies.raci import RaciAnswer, RaciMatrix, parse_matrix
from dataflywheel.domain.records.raci import Consultation
from dataflywheel.domain.roles import Role
from dataflywheel.flows.governance.consultations import (
    answer,
    consultation_json,
    consultation_listing,
    request,
)
from dataflywheel.flows.governance.raci import ask_who, check, export_matrix, import_matrix

router = APIRouter(prefix="/api/v1/raci", tags=["raci"])

CONSULTED = Named(scope="consultation", letter="consulted")
POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/raci"): AnyPerson(),
    ("POST", "/api/v1/raci/import"): Holds(roles=frozenset({Role.DATA_OWNER})),
    ("GET", "/api/v1/raci/check"): AnyPerson(),
    ("GET", "/api/v1/raci/items/{item}/who"): AnyPerson(),
    ("GET", "/api/v1/raci/consultations"): AnyPerson(),
    ("POST", "/api/v1/raci/consultations"): AnyPerson(),
    ("POST", "/api/v1/raci/consultations/{consultation}/answer"): CONSULTED,
}


def _default_matrix_example(schema: dict[str, Any]) -> None:
    """The example body is the default matrix (Table 24-7), read when the schema is built."""
    from dataflywheel.flows.governance.raci import DEFAULT_MATRIX
    from dataflywheel.yamlsafe import safe_load

    text = files("dataflywheel.flows").joinpath(DEFAULT_MATRIX).read_text(encoding="utf-8")
    matrix = parse_matrix(safe_load(text, source=DEFAULT_MATRIX), source=DEFAULT_MATRIX)
    schema["examples"] = [{"matrix": matrix.model_dump(mode="json"),
                           "reason": "back to the default matrix (Table 24-7)"}]


class RaciImport(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_default_matrix_example)

    matrix: dict[str, Any] = Field(description="the whole matrix, shaped as `GET /api/v1/raci` "
                                   "answers it (`items`, optional `projects` overrides); checked "
                                   "like `flywheel raci import` checks a file")
    reason: str | None = Field(default=None, max_length=2000)


class Imported(BaseModel):
    ok: bool
    items: int
    projects: list[str]


class CheckOut(BaseModel):
    ok: bool
    problems: list[str]


class ConsultationOut(Consultation):
    outcome: str = Field(description="what they said, or that they did not answer in time")


class ConsultCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"item": "training_set_version_release", "record_kind": "dataset_version",
         "record_id": "V-0001", "due": "2030-01-01T12:00:00Z", "project": "P-TEST"}]})

    item: str = Field(min_length=1, max_length=64)
    record_kind: str = Field(min_length=1, max_length=64)
    record_id: str = Field(min_length=1, max_length=200)
    due: AwareDatetime
    project: str | None = Field(default=None, max_length=64)


class ConsultAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"response": "fine by me once the PII re-check passes"}]})

    response: str = Field(min_length=1, max_length=10_000)


@router.get("", response_model=RaciMatrix)
def show_matrix(ws: ActingWorkspace) -> RaciMatrix:
    """The matrix as it stands (`flywheel raci show --json`)."""
    return export_matrix(ws)


@router.post("/import", response_model=Imported)
def import_(body: RaciImport, ws: ActingWorkspace) -> dict[str, Any]:
    """Replace the whole matrix (validated first: nothing changes if it is invalid, 400 naming
    the item, or if it leaves out an item a record still names, 400 naming them; a project
    override naming an unknown project is a 404)."""
    matrix = parse_matrix(body.matrix, source="request body: matrix")
    import_matrix(ws, matrix, reason=body.reason or "imported over the API")
    return {"ok": True, "items": len(matrix.items), "projects": sorted(matrix.projects)}


@router.get("/check", response_model=CheckOut)
def check_matrix(ws: ActingWorkspace) -> dict[str, Any]:
    """The matrix's problems (`flywheel raci check --json`); 200 either way, `ok` says which."""
    problems = check(ws)
    return {"ok": not problems, "problems": problems}


@router.get("/items/{item}/who", response_model=RaciAnswer)
def who(item: str, ws: ActingWorkspace, project: str | None = None) -> RaciAnswer:
    """The people who are A, R, C and I for the item (in `project`); 403 when the matrix names
    no single Accountable person there (as every flow asking it is refused)."""
    return ask_who(ws, item, project or None)


@router.get("/consultations", response_model=PageOut[ConsultationOut])
def list_consultations(ws: ActingWorkspace, paging: Paging, record_kind: str | None = None,
                       record_id: str | None = None, person: str | None = None) -> Response:
    """One page of consultations (deadlines applied first), optionally of one record or one
    person; rows as `flywheel raci consultations --json` prints them."""
    listing = consultation_listing(ws, record_kind=record_kind or None,
                                   record_id=record_id or None, person_id=person or None)
    return page_out(listing.page(paging.limit, paging.cursor), consultation_json)


@router.post("/consultations", response_model=list[ConsultationOut], status_code=201)
def consult(body: ConsultCreate, ws: ActingWorkspace) -> list[dict[str, object]]:
    """Ask every Consulted person of the item for input by `due` (each notified); one
    consultation per person, answered together (at most the team's size)."""
    made = request(ws, body.item, record_kind=body.record_kind, record_id=body.record_id,
                   due_at=body.due, project_id=body.project)
    return [consultation_json(c) for c in made]


@router.post("/consultations/{consultation}/answer", response_model=ConsultationOut)
def answer_consultation(consultation: str, body: ConsultAnswer,
                        ws: ActingWorkspace) -> dict[str, object]:
    """The consulted person's own answer, before the deadline; one already answered or past its
    deadline is refused (403), as the flow refuses it."""
    return consultation_json(answer(ws, consultation, response=body.response))
