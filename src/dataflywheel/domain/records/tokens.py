"""Personal API tokens and the server's administrators: who may call the team server, as whom.

A token belongs to one person and acts as them: the audit log names the person, never the token.
Only the SHA-256 of its secret is kept, so the plaintext exists once, in the answer to `create`.
Tokens are high-entropy random strings (256 bits), so a fast hash is enough: there is nothing to
guess that a slow hash would protect. A token ends once, by expiry or revocation
(`flows/governance/_lifecycle.py`); a person who is offboarded stops every token of theirs at once
because authentication asks whether the person is active on each request.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from dataflywheel.domain.records.base import Record, utcnow
from dataflywheel.domain.records.people import ID_PATTERN
from dataflywheel.domain.states import TokenState

TOKEN_ID_PATTERN = r"^tok_[0-9a-f]{12}$"


class ApiTokenInfo(Record):
    """What anyone may see of a token: everything but the hash of its secret (lists, answers)."""

    id: str = Field(pattern=TOKEN_ID_PATTERN)
    person_id: str = Field(pattern=ID_PATTERN)
    label: str = Field(default="", max_length=200)
    state: TokenState = TokenState.ACTIVE
    created_by: str
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    ended_at: datetime | None = None
    end_reason: str | None = None

    def usable_at(self, at: datetime) -> bool:
        return self.state is TokenState.ACTIVE and at < self.expires_at


class ApiToken(ApiTokenInfo):
    """A personal bearer token: `fwt_<id without tok_>_<secret>` is what its holder sends."""

    secret_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")

    def info(self) -> ApiTokenInfo:
        return ApiTokenInfo.model_validate(self.model_dump(exclude={"secret_sha256"}))

    def digest_dict(self) -> dict[str, object]:
        """The audit form leaves the secret's hash out: the log is readable by every auditor."""
        data = self.model_dump(mode="json")
        del data["secret_sha256"]
        return data


class ServerAdmin(Record):
    """A person who administers people and tokens on the team server. Being an administrator
    grants no RACI letter: an admin approves nothing the matrix does not let them approve."""

    person_id: str = Field(pattern=ID_PATTERN)
    granted_by: str
    granted_at: datetime = Field(default_factory=utcnow)
