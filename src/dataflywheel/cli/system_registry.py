"""`flywheel system registry|layers|controls`: the registry's headline figures, the five layers
and the control points and boundaries (issue 20, part 1). The flows live in `flows/assembly/`."""

from __future__ import annotations

from typing import Any

import typer

from dataflywheel.cli._context import workspace
from dataflywheel.cli.options import Json
from dataflywheel.cli.output import console, print_json, print_records


def registry(ctx: typer.Context, json_: Json = False) -> None:
    """The registry's headline figures and each project's checks passed, with their source."""
    from dataflywheel.flows.assembly.registry_summary import registry_summary

    with workspace(ctx) as ws:
        summary = registry_summary(ws)
    if json_:
        print_json(summary)
        return
    sources = summary["projects_by_checks_source"]
    console.print(
        f"{summary['projects']} projects, {len(summary['phases'])} phases, "
        f"{summary['interfaces']} interfaces; checks passed {summary['checks_passed']}/"
        f"{summary['checks_total']} (projects from records {sources['records']}, imported "
        f"{sources['imported']}, none {sources['none']}); {summary['layers']} layers, "
        f"{summary['control_points']} control points, {summary['boundaries']} boundaries",
        highlight=False)
    print_records(summary["registry"], columns=["project_id", "phase", "checks_passed",
                                                "checks_total", "checks_source"])


def layers(ctx: typer.Context, json_: Json = False) -> None:
    """The five layers: responsibilities, mapped projects, interfaces crossing layers."""
    from dataflywheel.flows.assembly.layers import layers_view

    with workspace(ctx) as ws:
        view = layers_view(ws)
    if json_:
        print_json(view)
        return
    for layer in view["layers"]:
        console.print(f"[bold]{layer['name']}[/] ({layer['question']}): "
                      f"{', '.join(layer['mapped_projects']) or '-'}", highlight=False)
        console.print(f"  {'; '.join(layer['responsibilities'])}", highlight=False)
    crossings = view["cross_layer_interfaces"]
    console.print(f"{len(crossings)} interface crossing(s) between layers", highlight=False)
    for c in crossings:
        console.print(f"  {c['interface']}: {c['producer']} ({','.join(c['producer_layers'])}) -> "
                      f"{c['consumer']} ({','.join(c['consumer_layers'])})", highlight=False)


def controls(ctx: typer.Context, json_: Json = False) -> None:
    """The control points and governance boundaries with the gates that enforce them, and Table
    24-29; fails (exit 1) if a named gate is not in the installed package."""
    from dataflywheel.errors import IntegrityError
    from dataflywheel.flows.assembly.controls import controls_view

    with workspace(ctx) as ws:
        view = controls_view(ws)
    if json_:
        print_json(view)
    else:
        _print_controls(view)
    if view["missing"]:
        raise IntegrityError("control points name gates that do not exist",
                             expected="every gate importable", got=", ".join(view["missing"]))


def _print_controls(view: dict[str, Any]) -> None:
    for c in view["control_points"]:
        console.print(f"[bold]{c['control_point']}[/]: {c['question']} — {c['gate']}; required "
                      f"by {', '.join(c['required_by'])}", highlight=False)
        for e in c["enforced_by"]:
            console.print(f"  {e['check']} ({e['implemented_by']})", highlight=False)
    for b in view["boundaries"]:
        console.print(f"[bold]boundary {b['boundary']}[/] ({b['from_layer']} -> {b['to_layer']}): "
                      f"{b['crossing']}", highlight=False)
        for e in b["checks"]:
            console.print(f"  {e['check']} ({e['implemented_by']})", highlight=False)
    print_records(view["scenarios"], columns=["scenario", "intensity", "required_control_points",
                                              "datasets"], title="Table 24-29")


def register(app: typer.Typer) -> None:
    """Add `registry`, `layers` and `controls` to the `flywheel system` group."""
    app.command("registry")(registry)
    app.command("layers")(layers)
    app.command("controls")(controls)
