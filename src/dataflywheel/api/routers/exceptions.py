"""Exceptions (chapter Table 24-9) over HTTP: the flows of `flywheel exceptions` (request, list,
show, approve, reject, revoke, withdraw, sweep), each route a thin call answering the JSON its
command's `--json` prints.

Who may decide is the flow's own answer (`api.record_rules.Asks` asks
`flows.governance.exceptions.may_approve` and friends): the approver slots of the exception's
type, one distinct person each, never its requester (compliance: Legal/Compliance and the Data
Owner; quality: the Data Owner and an algorithm engineer; time: the Data Owner or the platform
engineer on call; format: a data engineer). The server takes no on-call person from a caller (a
caller naming themselves on call would approve their own way in), so over HTTP the platform
engineer is the on-call approver. The acting person is the token's; the server's clock decides.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from dataflywheel.api.deps import ActingWorkspace
from dataflywheel.api.paging import PageOut, Paging, page_out
from dataflywheel.api.policy import AnyPerson, Member, Rule
from dataflywheel.api.record_rules import Asks
from dataflywheel.domain.records.governance import (
    ExceptionApproval,
    ExceptionRecord,
    ExceptionType,
)
from dataflywheel.domain.states import ExceptionState
from dataflywheel.flows.governance import exceptions as flow

router = APIRouter(prefix="/api/v1/exceptions", tags=["exceptions"])

APPROVER = ("a person holding the role of an open approver slot of the exception's type, not "
            "its requester, who has not decided it yet, before it expires")
DECIDER = "one of the exception type's approvers, not its requester, who has not decided it yet"

POLICY: dict[tuple[str, str], Rule] = {
    ("POST", "/api/v1/exceptions"): AnyPerson(),
    ("GET", "/api/v1/exceptions"): Member(scope="project"),
    ("GET", "/api/v1/exceptions/{exception}"): Member(scope="exception"),
    ("POST", "/api/v1/exceptions/{exception}/approve"):
        Asks(scope="exception", question=flow.may_approve, says=APPROVER),
    ("POST", "/api/v1/exceptions/{exception}/reject"):
        Asks(scope="exception", question=flow.may_reject, says=DECIDER),
    ("POST", "/api/v1/exceptions/{exception}/revoke"):
        Asks(scope="exception", question=flow.may_revoke,
             says="one of the exception type's approvers"),
    ("POST", "/api/v1/exceptions/{exception}/withdraw"):
        Asks(scope="exception", question=flow.may_withdraw, says="the exception's requester"),
    ("POST", "/api/v1/exceptions/sweep"): AnyPerson(),
}

Ids = list[str]


class ExceptionIn(BaseModel):
    """What a requester states (Table 24-9); a compliance exception also its source, risk level
    and access list. It covers at least one batch, version or dataset."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "type": "quality", "scope": "the K-12 raw pool while near-duplicates are re-checked",
        "reason": "the near-duplicate check times out on the vendor's batch",
        "usage_restriction": "exploration only, no training runs",
        "isolation_label": "quarantine-k12", "outstanding_checks": ["near_duplicates"],
        "expires_at": "2030-01-01T00:00:00+00:00", "dataset_ids": ["DS-0001"],
        "project_id": "P-TEST"}]})

    type: ExceptionType
    scope: str = Field(max_length=2000)
    reason: str = Field(max_length=2000)
    usage_restriction: str = Field(max_length=2000)
    isolation_label: str = Field(max_length=200)
    outstanding_checks: list[str] = Field(default_factory=list, max_length=100)
    expires_at: datetime
    batch_ids: Ids = Field(default_factory=list, max_length=1000)
    version_ids: Ids = Field(default_factory=list, max_length=1000)
    dataset_ids: Ids = Field(default_factory=list, max_length=1000)
    project_id: str | None = Field(default=None, max_length=200,
                                   description="the project whose approvers decide")
    source_description: str = Field(default="", max_length=2000)
    risk_level: str | None = Field(default=None, max_length=20)
    access_list: Ids = Field(default_factory=list, max_length=1000)

    def request(self) -> flow.ExceptionRequest:
        return flow.ExceptionRequest(
            type=self.type.value, scope=self.scope, reason=self.reason,
            usage_restriction=self.usage_restriction, isolation_label=self.isolation_label,
            outstanding_checks=self.outstanding_checks, expires_at=self.expires_at,
            batch_ids=self.batch_ids, version_ids=self.version_ids, dataset_ids=self.dataset_ids,
            project_id=self.project_id, source_description=self.source_description,
            risk_level=self.risk_level, access_list=self.access_list)


class Note(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"note": "re-check scheduled for Wednesday's inspection"}]})

    note: str = Field(default="", max_length=2000)


class Reason(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"reason": "the vendor re-delivers next week"}]})

    reason: str = Field(min_length=1, max_length=2000)


class Withdrawal(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"reason": "the check passed after all"}]})

    reason: str = Field(default="", max_length=2000)


class ExceptionOut(ExceptionRecord):
    """An exception with what it covers, who decided, and which approver slots are still open."""

    covers: list[dict[str, str]]
    approvals: list[ExceptionApproval]
    open_slots: list[str]


class Expired(BaseModel):
    expired: list[str]


@router.post("", response_model=ExceptionRecord, status_code=201)
def request(body: ExceptionIn, ws: ActingWorkspace) -> ExceptionRecord:
    """Request an exception; its possible approvers are notified."""
    return flow.request(ws, body.request(), requested_by=ws.actor)


@router.get("", response_model=PageOut[ExceptionRecord])
def list_exceptions(ws: ActingWorkspace, paging: Paging, state: ExceptionState | None = None,
                    type: ExceptionType | None = None,
                    project: str | None = Query(default=None, max_length=200)
                    ) -> Response:
    """Exceptions by id (what is due expires first), optionally in one state, of one type or of
    one project."""
    listing = flow.exceptions(ws, state=state.value if state else None,
                              type=type.value if type else None, project=project or None)
    return page_out(listing.page(paging.limit, paging.cursor))


@router.post("/sweep", response_model=Expired)
def sweep(ws: ActingWorkspace) -> dict[str, Any]:
    """Expire every approved exception past its expiry (and the grants resting on them)."""
    return {"expired": flow.sweep_expired(ws, None)}


@router.get("/{exception}", response_model=ExceptionOut)
def show(exception: str, ws: ActingWorkspace) -> dict[str, Any]:
    """One exception: its statements, covers, decisions and who is still to decide."""
    return flow.show(ws, exception).to_dict()


@router.post("/{exception}/approve", response_model=ExceptionOut)
def approve(exception: str, body: Note, ws: ActingWorkspace) -> dict[str, Any]:
    """Approve in the role you hold; approved once every slot of its type is filled."""
    return flow.approve(ws, exception, approver=ws.actor, note=body.note).to_dict()


@router.post("/{exception}/reject", response_model=ExceptionOut)
def reject(exception: str, body: Reason, ws: ActingWorkspace) -> dict[str, Any]:
    """Reject a requested exception, with a reason."""
    return flow.reject(ws, exception, approver=ws.actor, reason=body.reason).to_dict()


@router.post("/{exception}/revoke", response_model=ExceptionRecord)
def revoke(exception: str, body: Reason, ws: ActingWorkspace) -> ExceptionRecord:
    """End an approved exception before its expiry; the grants resting on it end too."""
    return flow.revoke(ws, exception, by=ws.actor, reason=body.reason)


@router.post("/{exception}/withdraw", response_model=ExceptionRecord)
def withdraw(exception: str, body: Withdrawal, ws: ActingWorkspace) -> ExceptionRecord:
    """The requester withdraws an undecided request."""
    return flow.withdraw(ws, exception, by=ws.actor, reason=body.reason)
