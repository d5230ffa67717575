"""What `flywheel versions show` and `GET /api/v1/versions/{version}` answer: a version with its
batches, its known defects and — while it is a candidate — the freeze gate as it stands; and its
datasheet as Markdown (`GET /api/v1/versions/{version}/datasheet?format=md`). Reads only.

One builder for both, so the CLI's `--json` and the API's answer are the same document.
"""

from __future__ import annotations

from pydantic import BaseModel

from dataflywheel.domain.records.data import DatasetVersion, Datasheet
from dataflywheel.domain.states import VersionState
from dataflywheel.flows.workspace import Workspace


class GateConditionOut(BaseModel):
    code: str
    title: str
    met: bool
    problems: list[str]
    note: str | None = None
    skipped: list[str] = []  # what the scenario let through (Table 24-29)


class VersionView(DatasetVersion):
    """The version's record plus its batch ids, known defects (issues linked to it or its
    batches, one line each) and the gate (empty unless it is a candidate)."""

    batches: list[str]
    known_defects: list[str]
    gate: list[GateConditionOut]


def version_view(ws: Workspace, version_ref: str, *, approver: str | None = None,
                 baseline: bool = False) -> VersionView:
    """The version `version_ref` (id or DATASET@N); the gate judged as if `approver` approved,
    with the freeze procedure's (g) and (h) when `baseline`."""
    from dataflywheel.flows.data.version_release import check_gate, known_defects
    from dataflywheel.flows.data.versions import get_version

    v, batch_ids = get_version(ws, version_ref)
    gate = check_gate(ws, v.id, approver=approver, baseline=baseline) \
        if v.state is VersionState.CANDIDATE else []
    defects = [f"{i.id} {i.severity.value} {i.state.value}: {i.title}"
               for i in known_defects(ws, v.id)]
    return VersionView.model_validate(v.model_dump() | {
        "batches": batch_ids, "known_defects": defects,
        "gate": [GateConditionOut(code=c.code, title=c.title, met=c.met, problems=c.problems,
                                  note=c.note, skipped=c.skipped)
                 for c in gate]})


def datasheet_markdown(version: DatasetVersion) -> str:
    """The datasheet as a Markdown document, one section per field, unstated ones said so."""
    lines = [f"# Datasheet of {version.label}", "",
             f"- version: {version.id} ({version.state.value})",
             f"- compliance: {version.compliance.value}", ""]
    for name in Datasheet.model_fields:
        value = getattr(version.datasheet, name)
        lines += [f"## {name.replace('_', ' ').capitalize()}", ""]
        if value is None:
            lines.append("_not stated_")
        elif isinstance(value, list):
            lines += [f"- {item}" for item in value] or ["_none_"]
        else:
            lines.append(str(value))
        lines.append("")
    return "\n".join(lines)
