"""The registry as a file: `flywheel projects import FILE` and `flywheel projects export`.

The file is a list of entries in the chapter's `PROJECT_SPECS` shape (Listing P10-2: a
`project_id`, its `phase`, its `interfaces_out`, optionally a `registry_role`), widened to every
field of the registry (`ENTRY_KEYS`). `checks: {passed, total}` carries results checked elsewhere.

Guarantees: an import is all or nothing — every entry is parsed and checked (known keys, valid
values, distinct ids, ids not yet registered, owners who are people) before one transaction
writes them all with their audit entries; a refusal names the file, the entry's line and the field
and writes nothing. An export lists projects by id with keys in `ENTRY_KEYS` order, so exporting,
importing into an empty workspace and exporting again gives the same bytes (the checks exported
are those that stand for the project, which the fresh workspace then holds as imported).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from dataflywheel.domain.records.project import Project
from dataflywheel.errors import AlreadyExists, BadInput, bad_path
from dataflywheel.flows._audit import add_audited
from dataflywheel.flows.demand.project_checks import checks_of
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.people import People, Projects
from dataflywheel.yamlsafe import safe_load

Format = Literal["yaml", "json"]
ENTRY_KEYS = ("project_id", "name", "owner_id", "phase", "layers", "interfaces_out",
              "interfaces_in", "deliverables", "registry_role", "needs_human_review",
              "needs_governance_control", "review_hours_estimate", "cost_estimate", "status",
              "description", "checks")
REQUIRED_KEYS = ("project_id", "name", "owner_id", "phase")
NOTHING = "nothing was imported"


@dataclass(frozen=True)
class Entry:
    """One parsed entry and the line it starts on."""

    line: int
    project: Project


def _lines(text: str) -> list[tuple[int, dict[str, int]]]:
    """For each list item: its line and the line of each of its keys (1-based)."""
    from dataflywheel.yamlsafe import _NoAliasLoader

    node = yaml.compose(text, Loader=_NoAliasLoader)  # noqa: S506 - the aliases-refusing SafeLoader
    out: list[tuple[int, dict[str, int]]] = []
    for item in getattr(node, "value", []) if isinstance(node, yaml.SequenceNode) else []:
        keys = {k.value: k.start_mark.line + 1 for k, _ in item.value} \
            if isinstance(item, yaml.MappingNode) else {}
        out.append((item.start_mark.line + 1, keys))
    return out


def read_registry_file(path: Path) -> list[Entry]:
    """The entries of the registry file at `path`; an unreadable or non-UTF-8 file is `BadInput`."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise BadInput("registry file is not UTF-8", path=str(path), kept=NOTHING) from None
    except OSError as exc:
        raise (bad_path(exc) or exc) from None
    return parse_registry(text, source=str(path))


def parse_registry(text: str, *, source: str) -> list[Entry]:
    """Every entry of a registry file (YAML or JSON), or a `BadInput` naming line and field."""
    data = safe_load(text, source=source)
    if not isinstance(data, list):
        raise BadInput("a registry file is a list of projects", path=source,
                       expected="a YAML or JSON list of entries with project_id, name, owner_id, "
                                "phase", got=type(data).__name__, kept=NOTHING)
    lines = _lines(text)
    entries: list[Entry] = []
    seen: dict[str, int | None] = {}
    for n, item in enumerate(data):
        line, keys = lines[n] if n < len(lines) else (None, {})
        entry = _entry(item, source=source, line=line, keys=keys)
        if entry.project.id in seen:
            raise BadInput(f"project {entry.project.id} is listed twice (first on line "
                           f"{seen[entry.project.id]})", path=source, line=line,
                           field="project_id", expected="distinct project ids", kept=NOTHING)
        seen[entry.project.id] = line
        entries.append(entry)
    return entries


def _entry(item: Any, *, source: str, line: int | None, keys: dict[str, int]) -> Entry:
    if not isinstance(item, dict):
        raise BadInput("a registry entry is a mapping", path=source, line=line,
                       expected="project_id, name, owner_id, phase, …", got=item, kept=NOTHING)
    for key, value in item.items():
        if _has_nul(value):
            raise BadInput("a value holds a NUL character (U+0000), which cannot be stored",
                           path=source, line=keys.get(key, line), field=str(key), kept=NOTHING)
        if key not in ENTRY_KEYS:
            raise BadInput(f"unknown field {key!r}", path=source, line=keys.get(key, line),
                           field=str(key), expected="one of " + ", ".join(ENTRY_KEYS),
                           kept=NOTHING)
    missing = [k for k in REQUIRED_KEYS if k not in item]
    if missing:
        raise BadInput("a registry entry lacks " + ", ".join(missing), path=source, line=line,
                       field=missing[0], expected="each of " + ", ".join(REQUIRED_KEYS),
                       kept=NOTHING)
    fields = {k: v for k, v in item.items() if k not in ("project_id", "checks")}
    fields["id"] = item["project_id"]
    fields.update(_checks(item.get("checks"), source=source, line=keys.get("checks", line)))
    try:
        return Entry(line or 0, Project.model_validate(fields))
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [str(p) for p in first.get("loc", ())]
        name = {"id": "project_id"}.get(loc[0], loc[0]) if loc else "checks"
        if name.startswith("imported_checks"):
            name = "checks"
        raise BadInput(f"invalid entry for project {item['project_id']!r}", path=source,
                       line=keys.get(name, line), field=".".join([name, *loc[1:]]),
                       expected=first.get("msg"), got=first.get("input"), kept=NOTHING) from None


def _checks(value: Any, *, source: str, line: int | None) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict) or set(value) != {"passed", "total"}:
        raise BadInput("checks are a mapping of passed and total", path=source, line=line,
                       field="checks", expected="{passed: N, total: M}", got=value, kept=NOTHING)
    return {"imported_checks_passed": value["passed"], "imported_checks_total": value["total"]}


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return isinstance(value, list) and any(_has_nul(v) for v in value)


def import_registry(ws: Workspace, entries: list[Entry], *, source: str) -> list[Project]:
    """Register every entry in one transaction, or none (see the module docstring)."""
    with ws.db.unit_of_work() as s:
        projects, people = Projects(s), People(s)
        for entry in entries:
            if projects.find(entry.project.id) is not None:
                raise AlreadyExists(f"{source}:{entry.line}: project {entry.project.id} is "
                                    "already registered", kept=NOTHING,
                                    hint=f"flywheel projects show {entry.project.id}")
            if people.find(entry.project.owner_id) is None:
                raise BadInput(f"owner {entry.project.owner_id!r} of project "
                               f"{entry.project.id} is not a person", path=source,
                               line=entry.line, field="owner_id",
                               expected="the id of a registered person", kept=NOTHING,
                               hint="flywheel people list")
        for entry in entries:
            add_audited(projects, entry.project, actor=ws.actor, reason=f"imported from {source}")
        return [e.project for e in entries]


def export_entries(ws: Workspace) -> list[dict[str, Any]]:
    """Every project as a registry entry, by id, keys in `ENTRY_KEYS` order."""
    with ws.db.session() as s:
        out = []
        for p in sorted(Projects(s).list(), key=lambda p: p.id):
            row = p.model_dump(mode="json")
            checks = checks_of(s, p)
            row |= {"project_id": p.id, "checks": None if checks.source == "none"
                    else {"passed": checks.passed, "total": checks.total}}
            out.append({k: row[k] for k in ENTRY_KEYS})
        return out


def render_registry(entries: list[dict[str, Any]], fmt: Format) -> str:
    """The registry file's text: JSON (2-space indent) or block-style YAML, newline-terminated."""
    if fmt == "json":
        return json.dumps(entries, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(entries, sort_keys=False, allow_unicode=True, width=100)
