"""The demo's P01-P15 registry (`demo/system.py`): the headline figures it prints are the ones the
shipped YAML was modelled to give (15 projects, 17 aggregated interfaces, 103/103 checks imported),
beside the demo team's own three projects, which keep no imported results."""

from __future__ import annotations

import io

from rich.console import Console

from dataflywheel.demo.system import demo_step
from dataflywheel.demo.team import seed_team
from dataflywheel.flows.assembly.layers import layers_view
from dataflywheel.flows.demand.projects import get_project
from dataflywheel.flows.workspace import Workspace


def test_the_p01_p15_registry_gives_the_chapters_figures(ws: Workspace) -> None:
    seed_team(ws)  # P-K12, P-ORAL, P-ESSAY: 5 interfaces of their own, no checks yet
    out = io.StringIO()
    figures = demo_step(ws, Console(file=out, width=200))
    assert figures["projects"] == 15 + 3
    assert figures["interfaces"] == 17 + 5
    assert (figures["checks_passed"], figures["checks_total"]) == (103, 103)
    assert figures["checks_sources"] == {"records": 0, "imported": 15, "none": 3}
    assert (figures["layers"], figures["control_points"], figures["boundaries"]) == (5, 4, 4)
    text = out.getvalue()
    assert "imported 15 projects (P01-P15)" in text and "checks passed 103/103" in text
    assert "missing" not in text
    p10 = get_project(ws, "P10")
    assert p10.registry_role == "assembly_layer" and len(p10.deliverables) == 15
    crossings = {(c["interface"], c["producer"], c["consumer"])
                 for c in layers_view(ws)["cross_layer_interfaces"]}
    # P08 (governance) hands its release gate to P10 (application too): a crossing;
    # P05 (data source, application) serves P15 (application only): no new layer, no crossing.
    assert ("release_gate", "P08", "P10") in crossings
    assert ("rag_service", "P05", "P15") not in crossings
