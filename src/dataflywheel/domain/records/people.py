"""People, teams, vendors, and who holds which role where."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from dataflywheel.domain.records.base import Record, utcnow
from dataflywheel.domain.roles import Role

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"


class Team(Record):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    lead_id: str | None = None


class Person(Record):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$")
    team_id: str | None = None
    vendor_id: str | None = None
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class Vendor(Record):
    """An outsourced supplier (annotation, collection); batches may come from a vendor."""

    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    service: str = "annotation"
    contact: str | None = None
    active: bool = True


class RoleHolding(Record):
    """Person P holds role R, team-wide (project_id None) or in one project."""

    id: str
    person_id: str
    role: Role
    project_id: str | None = None

    @staticmethod
    def make_id(person_id: str, role: Role, project_id: str | None) -> str:
        return f"{person_id}:{role.value}:{project_id or '*'}"


LOGIN_PATTERN = r"^[^\s:]{1,128}$"


class LoginBinding(Record):
    """An OS login (or another sign-in name) that acts as one person in this workspace.

    Who acts is never a name typed on a command line: the command's login is looked up here, and
    the person it is bound to is the actor the audit log names.
    """

    login: str = Field(pattern=LOGIN_PATTERN)
    person_id: str = Field(pattern=ID_PATTERN)
    bound_at: datetime = Field(default_factory=utcnow)
