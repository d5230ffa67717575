"""Control points and governance boundaries as enforced objects (P10 §9): `flywheel system
controls`.

Each control point and boundary names the code that enforces it (`module:attribute`); this view
resolves every name, so a gate renamed or removed shows as missing and the command fails. With
them: Table 24-29 with the control points each scenario requires, and how many datasets of the
workspace declare each scenario.
"""

from __future__ import annotations

import importlib
from collections import Counter
from typing import Any

from dataflywheel.domain.policies.control_points import BOUNDARIES, CONTROL_POINTS, Enforcement
from dataflywheel.domain.policies.governance_intensity import TABLE_24_29
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.data import Datasets


def resolves(ref: str) -> bool:
    """Whether `module:attribute` names something that exists in the installed package."""
    module, _, attribute = ref.partition(":")
    try:
        return hasattr(importlib.import_module(module), attribute)
    except ImportError:
        return False


def _checks(items: tuple[Enforcement, ...]) -> list[dict[str, Any]]:
    return [{"check": e.check, "implemented_by": e.implemented_by,
             "present": resolves(e.implemented_by)} for e in items]


def controls_view(ws: Workspace) -> dict[str, Any]:
    """The control points, the boundaries, the scenarios, and `missing`: every name that did
    not resolve (empty when every control is in place)."""
    with ws.db.session() as s:
        declared = Counter(d.scenario.value for d in Datasets(s).list())
    points = [{"control_point": c.point.value, "question": c.question, "gate": c.gate,
               "enforced_by": _checks(c.enforced_by),
               "required_by": [sc.value for sc, row in TABLE_24_29.items()
                               if c.point in row.required]}
              for c in CONTROL_POINTS]
    boundaries = [{"boundary": b.name, "crossing": b.crossing, "from_layer": b.from_layer.value,
                   "to_layer": b.to_layer.value, "checks": _checks(b.checks)} for b in BOUNDARIES]
    scenarios = [{"scenario": sc.value, "table_row": row.scenario, "intensity": row.intensity,
                  "processes": row.processes, "rationale": row.rationale,
                  "required_control_points": [p.value for p in row.required],
                  "datasets": declared.get(sc.value, 0)} for sc, row in TABLE_24_29.items()]
    named = [e for c in CONTROL_POINTS for e in c.enforced_by] + [
        e for b in BOUNDARIES for e in b.checks]
    missing = sorted({e.implemented_by for e in named if not resolves(e.implemented_by)})
    return {"control_points": points, "boundaries": boundaries, "scenarios": scenarios,
            "missing": missing}
