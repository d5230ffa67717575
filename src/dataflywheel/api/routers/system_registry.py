"""The assembly layer's registry, layers and controls over HTTP (`flywheel system registry|layers|
controls --json`), read team-wide: the system view maps every project (like the registry)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from dataflywheel.api.deps import ActingWorkspace
from dataflywheel.api.policy import AnyPerson, Rule

router = APIRouter(prefix="/api/v1", tags=["system"])

POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/system/registry"): AnyPerson(),
    ("GET", "/api/v1/system/layers"): AnyPerson(),
    ("GET", "/api/v1/system/controls"): AnyPerson(),
}


@router.get("/system/registry")
def system_registry(ws: ActingWorkspace) -> dict[str, Any]:
    """The registry's headline figures and each project's checks passed with their source."""
    from dataflywheel.flows.assembly.registry_summary import registry_summary

    return registry_summary(ws)


@router.get("/system/layers")
def system_layers(ws: ActingWorkspace) -> dict[str, Any]:
    """The five layers, their projects, and the interfaces crossing layers."""
    from dataflywheel.flows.assembly.layers import layers_view

    return layers_view(ws)


@router.get("/system/controls")
def system_controls(ws: ActingWorkspace) -> dict[str, Any]:
    """The control points and boundaries with the gates that enforce them, and Table 24-29;
    `missing` lists any named gate the installed package lacks."""
    from dataflywheel.flows.assembly.controls import controls_view

    return controls_view(ws)
