"""The default RACI matrix is the chapter's Table 24-7, cell for cell.

The table below is transcribed from the chapter (ch24, Table 24-7) as printed; each cell is one of
A, R, R/A, C, I. The default matrix (`flows/default_raci.yaml`) and the one a fresh workspace holds
must say exactly the same thing for every item and every role.
"""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING

from dataflywheel.domain.policies.raci import RaciMatrix, parse_matrix
from dataflywheel.yamlsafe import safe_load

if TYPE_CHECKING:
    from dataflywheel.flows.workspace import Workspace

TABLE_24_7 = """\
Item | Data Owner | Data Engineer | Annotation Engineer | Quality Evaluator | Algorithm Engineer | Platform Engineer | Legal / Compliance
Data requirement definition | A | C | C | I | R | I | C
Data collection and cleaning | I | R/A | C | I | I | C | C
Annotation task design | C | I | R/A | C | C | I | C
Annotation quality review | I | I | C | R/A | C | I | I
Training-set version release | A | C | C | C | R | I | C
Data compliance review | A | I | I | I | I | I | R
Platform incident response | I | C | I | I | I | R/A | I
Data version rollback | A | R | C | C | C | C | I
Cross-team data-sharing approval | A | C | I | I | C | I | C
Outsourcing vendor management | I | I | R/A | C | I | I | I
"""

COLUMNS = ["data_owner", "data_engineer", "annotation_engineer", "quality_evaluator",
           "algorithm_engineer", "platform_engineer", "legal_compliance"]


def _table() -> dict[str, dict[str, set[str]]]:
    """Title → role → the letters of its cell ("R/A" is {"R", "A"})."""
    rows = [[c.strip() for c in line.split("|")] for line in TABLE_24_7.splitlines()[1:]]
    return {row[0]: {role: set(cell.split("/")) for role, cell in zip(COLUMNS, row[1:], strict=True)}
            for row in rows}


def _cells(matrix: RaciMatrix) -> dict[str, dict[str, set[str]]]:
    out: dict[str, dict[str, set[str]]] = {}
    for item in matrix.items:
        cells: dict[str, set[str]] = {role: set() for role in COLUMNS}
        for letter in ("A", "R", "C", "I"):
            for role in getattr(item, letter):
                cells[role.value].add(letter)
        out[item.title] = cells
    return out


def _default() -> RaciMatrix:
    text = files("dataflywheel.flows").joinpath("default_raci.yaml").read_text(encoding="utf-8")
    return parse_matrix(safe_load(text, source="default_raci.yaml"), source="default_raci.yaml")


def test_default_matrix_is_table_24_7_cell_for_cell() -> None:
    table, ours = _table(), _cells(_default())
    assert list(ours) == list(table)  # same items, in the table's order
    wrong = [f"{title} / {role}: table {sorted(table[title][role])}, ours {sorted(cells[role])}"
             for title, cells in ours.items() for role in COLUMNS if cells[role] != table[title][role]]
    assert wrong == []


def test_a_fresh_workspace_holds_table_24_7(ws: Workspace) -> None:
    from dataflywheel.flows.governance.raci import export_matrix

    assert _cells(export_matrix(ws)) == _table()
