"""The registry's headline figures (P10 §11): projects, phases, interfaces, checks passed with
their source, layers, control points, boundaries — `flywheel system registry`.

"Aggregated interfaces" are the distinct names in the projects' `interfaces_out`; checks passed
add up each project's own (`flows/demand/project_checks.py`), and the figures say how many
projects' checks came from records and how many were imported.
"""

from __future__ import annotations

from typing import Any

from dataflywheel.domain.policies.control_points import BOUNDARIES, CONTROL_POINTS
from dataflywheel.domain.policies.flywheel_layers import LAYERS
from dataflywheel.flows.demand.project_checks import checks_of
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.people import Projects


def registry_summary(ws: Workspace) -> dict[str, Any]:
    """The headline figures and one row per project (by id)."""
    with ws.db.session() as s:
        projects = sorted(Projects(s).list(), key=lambda p: p.id)
        checks = {p.id: checks_of(s, p) for p in projects}
    rows = [{"project_id": p.id, "name": p.name, "phase": p.phase,
             "layers": [x.value for x in p.layers], "interfaces_out": p.interfaces_out,
             "interfaces_in": p.interfaces_in, "deliverables": p.deliverables,
             "registry_role": p.registry_role,
             "needs_human_review": p.needs_human_review,
             "needs_governance_control": p.needs_governance_control,
             "checks_passed": checks[p.id].passed, "checks_total": checks[p.id].total,
             "checks_source": checks[p.id].source} for p in projects]
    by_source = {src: sum(1 for c in checks.values() if c.source == src)
                 for src in ("records", "imported", "none")}
    return {
        "projects": len(projects),
        "phases": sorted({p.phase for p in projects}),
        "interfaces": len({i for p in projects for i in p.interfaces_out}),
        "checks_passed": sum(c.passed for c in checks.values()),
        "checks_total": sum(c.total for c in checks.values()),
        "projects_by_checks_source": by_source,
        "needing_human_review": sum(p.needs_human_review for p in projects),
        "needing_governance_control": sum(p.needs_governance_control for p in projects),
        "layers": len(LAYERS),
        "control_points": len(CONTROL_POINTS),
        "boundaries": len(BOUNDARIES),
        "registry": rows,
    }
