"""The five layers as the registry fills them (P10 §4, §8): `flywheel system layers`.

Computed from the registered projects each time: which projects each layer carries, and which
interfaces pass across layers (a project's `interfaces_out` in the `interfaces_in` of a project
of another layer). Nothing is stored; the layer definitions ship with the package
(`domain/policies/flywheel_layers.py`).
"""

from __future__ import annotations

from typing import Any

from dataflywheel.domain.policies.flywheel_layers import (
    LAYERS,
    cross_layer_interfaces,
    mapped_projects,
)
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.people import Projects


def layers_view(ws: Workspace) -> dict[str, Any]:
    """Every layer with its question, responsibilities and projects; the crossing interfaces."""
    with ws.db.session() as s:
        projects = Projects(s).list()
    mapped = mapped_projects(projects)
    return {
        "layers": [{"layer": spec.layer.value, "name": spec.name, "question": spec.question,
                    "responsibilities": list(spec.responsibilities),
                    "mapped_projects": mapped[spec.layer]} for spec in LAYERS],
        "cross_layer_interfaces": [
            {"interface": c.interface, "producer": c.producer,
             "producer_layers": [x.value for x in c.producer_layers], "consumer": c.consumer,
             "consumer_layers": [x.value for x in c.consumer_layers]}
            for c in cross_layer_interfaces(projects)],
        "unmapped_projects": sorted(p.id for p in projects if not p.layers),
    }
