"""Demo step: the P01-P15 registry of P10 loaded into the demo workspace, and its headline figures.

The registry ships as `system_registry.yaml` (15 projects, the chapter's phases, 17 aggregated
interfaces, the checks each project passed upstream). It is imported through the same flow as
`flywheel projects import`; the demo's own projects (P-K12, …) keep their records, so the figures
show checks from records beside imported ones, each counted by its source. The lead's scenario
calls `demo_step`.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from rich.console import Console

from dataflywheel.flows.assembly.controls import controls_view
from dataflywheel.flows.assembly.layers import layers_view
from dataflywheel.flows.assembly.registry_summary import registry_summary
from dataflywheel.flows.demand.project_registry import import_registry, parse_registry
from dataflywheel.flows.workspace import Workspace

REGISTRY = "system_registry.yaml"


def registry_text() -> str:
    """The shipped P01-P15 registry file."""
    return files("dataflywheel.demo").joinpath(REGISTRY).read_text(encoding="utf-8")


def demo_step(ws: Workspace, console: Console) -> dict[str, Any]:
    """Import the P01-P15 registry and print its headline figures; returns them."""
    added = import_registry(ws, parse_registry(registry_text(), source=REGISTRY), source=REGISTRY)
    summary = registry_summary(ws)
    layers, controls = layers_view(ws), controls_view(ws)
    sources = summary["projects_by_checks_source"]
    console.print(f"Registry: imported {len(added)} projects (P01-P15) from {REGISTRY}; "
                  f"{summary['projects']} projects in all, {summary['interfaces']} aggregated "
                  f"interfaces", highlight=False)
    console.print(f"  checks passed {summary['checks_passed']}/{summary['checks_total']}: "
                  f"{sources['records']} project(s) from records, {sources['imported']} imported, "
                  f"{sources['none']} with none", highlight=False)
    per_layer = ", ".join(f"{x['layer']} {len(x['mapped_projects'])}" for x in layers["layers"])
    crossings = len(layers["cross_layer_interfaces"])
    console.print(f"  {summary['layers']} layers ({per_layer}), {crossings} interface crossings "
                  "between layers", highlight=False)
    missing = f" (missing: {', '.join(controls['missing'])})" if controls["missing"] else ""
    console.print(f"  {summary['control_points']} control points, {summary['boundaries']} "
                  f"governance boundaries, each enforced by a named gate{missing}",
                  highlight=False)
    return {"projects": summary["projects"], "interfaces": summary["interfaces"],
            "checks_passed": summary["checks_passed"], "checks_total": summary["checks_total"],
            "checks_sources": sources, "layers": summary["layers"],
            "control_points": summary["control_points"], "boundaries": summary["boundaries"],
            "cross_layer_interfaces": len(layers["cross_layer_interfaces"])}
