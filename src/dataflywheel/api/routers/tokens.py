"""Personal API tokens over HTTP: who am I, a person's tokens (create, list), revoke one.

The same flows as `flywheel tokens`: a person manages their own tokens, an administrator anyone's
(`SelfOrAdmin`); the plaintext of a new token is in the answer to its creation and nowhere else.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from dataflywheel.api.deps import ActingWorkspace, Caller
from dataflywheel.api.paging import PageOut, Paging, page_out
from dataflywheel.api.policy import AnyPerson, Rule, SelfOrAdmin
from dataflywheel.domain.durations import parse_span
from dataflywheel.domain.records.tokens import ApiTokenInfo
from dataflywheel.flows.governance.tokens import MAX_LIFETIME, create_token, revoke_token, tokens

router = APIRouter(prefix="/api/v1", tags=["tokens"])

POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/me"): AnyPerson(),
    ("GET", "/api/v1/people/{person}/tokens"): SelfOrAdmin(scope="person"),
    ("POST", "/api/v1/people/{person}/tokens"): SelfOrAdmin(scope="person"),
    ("POST", "/api/v1/tokens/{token}/revoke"): SelfOrAdmin(scope="token"),
}


class Me(BaseModel):
    person_id: str
    token_id: str
    admin: bool
    roles: list[dict[str, str | None]]


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"expires": "30d", "label": "laptop"}]})

    expires: str = Field(default="30d", max_length=8, description="12h, 30d, 2w; at most 365d")
    label: str = Field(default="", max_length=200)


class TokenCreated(BaseModel):
    token: ApiTokenInfo
    plaintext: str = Field(description="the bearer token; shown once, stored only as its hash")


class Revoke(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"reason": "laptop lost"}]})

    reason: str = Field(min_length=1, max_length=2000)


@router.get("/me", response_model=Me)
def me(who: Caller) -> dict[str, Any]:
    """The person this token acts as, whether they administer the server, and their roles."""
    return {"person_id": who.person_id, "token_id": who.token_id, "admin": who.admin,
            "roles": [{"role": h.role.value, "project_id": h.project_id} for h in who.holdings]}


@router.get("/people/{person}/tokens", response_model=PageOut[ApiTokenInfo])
def list_tokens(person: str, ws: ActingWorkspace, paging: Paging) -> Response:
    """The person's tokens, newest state first by id; never a secret."""
    return page_out(tokens(ws, person_id=person).page(paging.limit, paging.cursor),
                    lambda t: t.info().model_dump(mode="json"))


@router.post("/people/{person}/tokens", response_model=TokenCreated, status_code=201)
def new_token(person: str, body: TokenCreate, ws: ActingWorkspace) -> dict[str, Any]:
    """A new token for the person; the plaintext is in this answer only."""
    lifetime = parse_span(body.expires, field="expires", most=MAX_LIFETIME)
    token, plaintext = create_token(ws, person, lifetime=lifetime, label=body.label)
    return {"token": token.info(), "plaintext": plaintext}


@router.post("/tokens/{token}/revoke", response_model=ApiTokenInfo)
def revoke(token: str, body: Revoke, ws: ActingWorkspace) -> ApiTokenInfo:
    """End the token now; its holder is told."""
    return revoke_token(ws, token, reason=body.reason).info()
