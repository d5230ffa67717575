"""RACI items and role assignments as stored records."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from dataflywheel.domain.records.base import Record
from dataflywheel.domain.roles import Role


class Letter(StrEnum):
    RESPONSIBLE = "R"
    ACCOUNTABLE = "A"
    CONSULTED = "C"
    INFORMED = "I"


class RaciItem(Record):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    title: str = Field(min_length=1, max_length=200)


class RaciAssignment(Record):
    """Role `role` is `letter` for `item_id`, team-wide (project_id None) or in one project."""

    id: str
    item_id: str
    letter: Letter
    role: Role
    project_id: str | None = None

    @staticmethod
    def make_id(item_id: str, letter: Letter, role: Role, project_id: str | None) -> str:
        return f"{item_id}:{letter.value}:{role.value}:{project_id or '*'}"
