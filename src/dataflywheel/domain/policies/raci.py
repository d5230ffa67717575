"""RACI as policy: the matrix, its rules, and the one question flows ask of it.

Rules: every item has exactly one Accountable role (the chapter: "Only one A per item"). R may be
empty, as Table 24-7 leaves it for cross-team data-sharing approval: the Accountable then decides
and does the work alone, and `resolve` names them as the Responsible too. A project
may override an item's assignments; otherwise the team-wide ones apply. The Accountable *person*
must also be single: if nobody, or more than one person, holds the A role where it applies,
`resolve` refuses to name one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dataflywheel.domain.records.raci import Letter, RaciAssignment, RaciItem
from dataflywheel.domain.records.people import RoleHolding
from dataflywheel.domain.roles import Role, parse_role
from dataflywheel.errors import BadInput, PolicyViolation


class MatrixItem(BaseModel):
    """One row of the matrix as written in YAML: roles per letter."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    title: str
    A: list[Role] = Field(default_factory=list)
    R: list[Role] = Field(default_factory=list)
    C: list[Role] = Field(default_factory=list)
    I: list[Role] = Field(default_factory=list)  # noqa: E741 - the letter is the name

    @field_validator("A", "R", "C", "I", mode="before")
    @classmethod
    def _roles(cls, value: Any) -> list[Role]:
        values = [value] if isinstance(value, str) else (value or [])
        if not isinstance(values, list):
            raise ValueError("a role or a list of roles")
        return [parse_role(v) if isinstance(v, str) else v for v in values]


class RaciMatrix(BaseModel):
    """The whole matrix: team-wide items plus per-project overrides."""

    model_config = ConfigDict(extra="forbid")

    items: list[MatrixItem]
    projects: dict[str, list[MatrixItem]] = Field(default_factory=dict)

    def violations(self) -> list[str]:
        """Every broken rule, each naming its item; empty when the matrix is valid."""
        problems: list[str] = []
        scopes: list[tuple[str | None, list[MatrixItem]]] = [(None, self.items)]
        scopes += list(self.projects.items())
        for project, items in scopes:
            seen: set[str] = set()
            for item in items:
                where = item.id if project is None else f"{item.id} (project {project})"
                if item.id in seen:
                    problems.append(f"{where}: listed twice")
                seen.add(item.id)
                if len(item.A) != 1:
                    got = ", ".join(r.value for r in item.A) or "none"
                    problems.append(f"{where}: needs exactly one Accountable (A) role, has {got}")
        known = {i.id for i in self.items}
        for project, items in self.projects.items():
            for item in items:
                if item.id not in known:
                    problems.append(f"{item.id} (project {project}): not an item of the matrix")
        return problems

    def to_records(self) -> tuple[list[RaciItem], list[RaciAssignment]]:
        items = [RaciItem(id=i.id, title=i.title) for i in self.items]
        assignments: list[RaciAssignment] = []
        scopes: list[tuple[str | None, list[MatrixItem]]] = [(None, self.items)]
        for project, overrides in [*scopes, *self.projects.items()]:
            for item in overrides:
                for letter in Letter:
                    for role in getattr(item, letter.value):
                        assignments.append(
                            RaciAssignment(
                                id=RaciAssignment.make_id(item.id, letter, role, project),
                                item_id=item.id, letter=letter, role=role, project_id=project,
                            )
                        )
        return items, assignments


def parse_matrix(data: Any, *, source: str) -> RaciMatrix:
    """Validate a matrix document; every problem is one `BadInput` naming the item or path."""
    if not isinstance(data, dict):
        raise BadInput("RACI matrix must be a mapping with 'items'", path=source,
                       got=type(data).__name__)
    try:
        matrix = RaciMatrix.model_validate(data)
    except BadInput as exc:
        raise BadInput(exc.what, path=source, expected=exc.expected) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = _path_with_ids(data, first["loc"])
        raise BadInput("invalid RACI matrix", path=source, field=where, expected=first["msg"],
                       got=first.get("input")) from None
    problems = matrix.violations()
    if problems:
        raise BadInput(f"RACI rule broken: {problems[0]}", path=source,
                       expected="exactly one A per item",
                       kept="nothing was changed" + (f"; {len(problems) - 1} more problem(s)"
                                                     if len(problems) > 1 else ""))
    return matrix


def _path_with_ids(data: Any, loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
            label = node.get("id") if isinstance(node, dict) else None
            parts.append(f"[{key}]" + (f"({label})" if label else ""))
        else:
            node = node.get(key) if isinstance(node, dict) else None
            parts.append(("." if parts else "") + str(key))
    return "".join(parts)


class RaciAnswer(BaseModel):
    """Who is A, R, C and I for an item in a project — people, not roles."""

    item_id: str
    project_id: str | None
    accountable: str
    responsible: list[str]
    consulted: list[str]
    informed: list[str]
    roles: dict[str, list[Role]]


def role_holders(role: Role, project_id: str | None, holdings: Iterable[RoleHolding]) -> set[str]:
    """People holding `role` where `project_id` applies: a holder named for the project replaces
    the team-wide holders of the same role."""
    holders = [h for h in holdings if h.role == role]
    scoped = {h.person_id for h in holders if project_id is not None and h.project_id == project_id}
    return scoped or {h.person_id for h in holders if h.project_id is None}


def resolve(
    item_id: str,
    project_id: str | None,
    *,
    assignments: Iterable[RaciAssignment],
    holdings: Iterable[RoleHolding],
) -> RaciAnswer:
    """Name the people for each letter; refuse when the Accountable is not one person."""
    rows = [a for a in assignments if a.item_id == item_id]
    if not rows:
        raise BadInput(f"unknown RACI item {item_id!r}", hint="flywheel raci show")
    scoped = [a for a in rows if a.project_id == project_id and project_id is not None]
    chosen = scoped or [a for a in rows if a.project_id is None]
    roles = {letter.value: sorted({a.role for a in chosen if a.letter == letter}) for letter in Letter}
    holders = list(holdings)

    def people(letter: str) -> list[str]:
        return sorted(set().union(*(role_holders(r, project_id, holders) for r in roles[letter])))

    accountable = people("A")
    where = f"{item_id!r}" + (f" in project {project_id!r}" if project_id else "")
    if len(accountable) != 1:
        role = roles["A"][0].value if roles["A"] else "?"
        raise PolicyViolation(
            f"no single Accountable person for {where}",
            expected=f"exactly one person holding role {role!r}",
            got=accountable or "nobody",
            hint=f"flywheel people grant-role PERSON {role}" + (f" --project {project_id}" if project_id else ""),
        )
    return RaciAnswer(
        item_id=item_id, project_id=project_id, accountable=accountable[0],
        responsible=people("R") if roles["R"] else accountable, consulted=people("C"), informed=people("I"), roles=roles,
    )
