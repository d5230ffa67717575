"""The RACI matrix in the store: import, export, check, and the one question every flow asks."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dataflywheel.domain.policies.raci import MatrixItem, RaciAnswer, RaciMatrix, parse_matrix, resolve
from dataflywheel.domain.records.raci import Letter
from dataflywheel.errors import BadInput, NotFound, PolicyViolation
from dataflywheel.flows._audit import audit
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.people import Projects, RaciAssignments, RaciItems, RoleHoldings
from dataflywheel.store.tables.contracts import ContractRow
from dataflywheel.store.tables.issues import PostMortemRow
from dataflywheel.store.tables.raci import ConsultationRow, RaciAssignmentRow, RaciItemRow
from dataflywheel.yamlsafe import load_file, safe_load

DEFAULT_MATRIX = "default_raci.yaml"


def read_matrix_file(path: Path) -> RaciMatrix:
    """Parse and validate a matrix file without touching the store."""
    return parse_matrix(load_file(path, what="RACI file"), source=str(path))


def load_default_matrix(ws: Workspace) -> RaciMatrix:
    text = files("dataflywheel.flows").joinpath(DEFAULT_MATRIX).read_text(encoding="utf-8")
    matrix = parse_matrix(safe_load(text, source=DEFAULT_MATRIX), source=DEFAULT_MATRIX)
    import_matrix(ws, matrix, reason="default matrix (Table 24-7)")
    return matrix


def import_matrix(ws: Workspace, matrix: RaciMatrix, *, reason: str | None = None) -> None:
    """Replace the whole matrix in one transaction; the audit entry keeps the old one.

    Refused before anything changes: an override for a project that does not exist (`NotFound`),
    and a matrix that leaves out an item a contract, consultation or post-mortem still names
    (`BadInput` naming them) — the records would point at nothing."""
    items, assignments = matrix.to_records()
    with ws.db.unit_of_work() as s:
        for project_id in matrix.projects:
            if Projects(s).find(project_id) is None:
                raise NotFound(f"RACI overrides name project {project_id!r}, which does not exist",
                               kept="the matrix is unchanged", hint="flywheel projects add")
        _refuse_dropping_named(s, {i.id for i in items})
        before = _matrix_dict(s)
        s.execute(delete(RaciAssignmentRow))
        item_repo = RaciItems(s)
        for item in items:
            if item_repo.find(item.id) is None:
                item_repo.add(item)
            else:
                item_repo.update(item)
        assign_repo = RaciAssignments(s)
        for assignment in assignments:
            assign_repo.add(assignment)
        s.execute(delete(RaciItemRow).where(RaciItemRow.id.not_in([i.id for i in items])))
        audit(s, actor=ws.actor, action="raci.import", kind="raci_matrix", record_id="raci",
              before=before or None, after=matrix.model_dump(mode="json"), reason=reason)


NAMING_ITEMS = (("contract", ContractRow.id, ContractRow.raci_item_id),
                ("consultation", ConsultationRow.id, ConsultationRow.item_id),
                ("post-mortem", PostMortemRow.id, PostMortemRow.change_raci_item_id))
"""The records that name a RACI item: (what they are called, their id, the item column)."""


def _refuse_dropping_named(s: Session, kept: set[str]) -> None:
    dropped = sorted({i.id for i in RaciItems(s).list()} - kept)
    if not dropped:
        return
    named: dict[str, list[str]] = {}
    for what, id_column, item_column in NAMING_ITEMS:
        for record_id, item_id in s.execute(select(id_column, item_column)
                                            .where(item_column.in_(dropped))):
            named.setdefault(item_id, []).append(f"{what} {record_id}")
    if named:
        item, names = next(iter(sorted(named.items())))
        more = f" (and {len(named) - 1} more item(s) still named)" if len(named) > 1 else ""
        raise BadInput(f"the matrix leaves out item {item!r}, which {', '.join(sorted(names)[:5])}"
                       f"{' …' if len(names) > 5 else ''} still name(s){more}",
                       field="items", expected="every item that a record names kept in the matrix",
                       got=", ".join(sorted(named)), kept="the matrix is unchanged",
                       hint=f"keep {item!r} in the matrix (its letters may change)")


def export_matrix(ws: Workspace) -> RaciMatrix:
    with ws.db.session() as s:
        return RaciMatrix.model_validate(_matrix_dict(s))


def matrix_yaml(matrix: RaciMatrix) -> str:
    data = matrix.model_dump(mode="json", exclude_defaults=False)
    if not data["projects"]:
        del data["projects"]
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _matrix_dict(s: Session) -> dict[str, Any]:
    items = RaciItems(s).list()
    assignments = RaciAssignments(s).list()
    if not items:
        return {}

    def row(item_id: str, title: str, project: str | None) -> dict[str, Any]:
        mine = [a for a in assignments if a.item_id == item_id and a.project_id == project]
        out: dict[str, Any] = {"id": item_id, "title": title}
        for letter in Letter:
            out[letter.value] = sorted(a.role.value for a in mine if a.letter == letter)
        return out

    titles = {i.id: i.title for i in items}
    projects = sorted({a.project_id for a in assignments if a.project_id is not None})
    overrides = {
        p: [row(i, titles[i], p) for i in sorted({a.item_id for a in assignments if a.project_id == p})]
        for p in projects
    }
    return {"items": [row(i.id, i.title, None) for i in items], "projects": overrides}


def who(session: Session, item_id: str, project_id: str | None = None) -> RaciAnswer:
    """Who is Accountable, Responsible, Consulted and Informed for `item_id` in `project_id`."""
    return resolve(item_id, project_id, assignments=RaciAssignments(session).list(),
                   holdings=RoleHoldings(session).list())


def ask_who(ws: Workspace, item_id: str, project_id: str | None = None) -> RaciAnswer:
    """`who` for a caller without a session (the CLI, the demo): a project it names must exist."""
    with ws.db.session() as s:
        if project_id is not None:
            Projects(s).get(project_id)
        return who(s, item_id, project_id)


def check(ws: Workspace) -> list[str]:
    """Every problem with the matrix as it stands: broken rules, and items with no single A person."""
    with ws.db.session() as s:
        matrix = RaciMatrix.model_validate(_matrix_dict(s) or {"items": []})
        problems = matrix.violations()
        scopes: list[str | None] = [None, *[p.id for p in Projects(s).list()]]
        for project_id in scopes:
            for item in matrix.items:
                try:
                    who(s, item.id, project_id)
                except PolicyViolation as exc:
                    problems.append(str(exc))
        return problems


__all__ = ["MatrixItem", "ask_who", "check", "export_matrix", "import_matrix", "who"]
