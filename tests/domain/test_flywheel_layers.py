"""The five layers with their responsibilities, projects mapped onto them, and the interfaces
that cross layers, computed from a hand-made registry of four projects."""

from __future__ import annotations

from dataflywheel.domain.policies.flywheel_layers import (
    LAYERS,
    cross_layer_interfaces,
    mapped_projects,
)
from dataflywheel.domain.records.project import Layer, Project


def _p(pid: str, layers: list[str], out: list[str], in_: list[str]) -> Project:
    return Project.model_validate({"id": pid, "name": pid, "owner_id": "o", "layers": layers,
                                   "interfaces_out": out, "interfaces_in": in_})


REGISTRY = [
    _p("p1", ["data_source", "processing"], ["foundation_corpus"], []),
    _p("p2", ["processing"], ["sft_corpus"], ["foundation_corpus"]),  # p1 is on processing too
    _p("p3", ["modeling"], ["checkpoint"], ["sft_corpus", "foundation_corpus"]),
    _p("p10", ["application", "governance"], ["project_registry"], ["checkpoint", "nothing"]),
]


def test_five_layers_in_the_chapters_order_each_with_responsibilities() -> None:
    assert [spec.layer for spec in LAYERS] == list(Layer)
    assert [spec.name for spec in LAYERS] == ["data_source_layer", "processing_layer",
                                              "modeling_layer", "application_layer",
                                              "governance_layer"]
    assert all(spec.responsibilities for spec in LAYERS)


def test_projects_map_onto_every_layer_they_name() -> None:
    assert mapped_projects(REGISTRY) == {
        Layer.DATA_SOURCE: ["p1"], Layer.PROCESSING: ["p1", "p2"], Layer.MODELING: ["p3"],
        Layer.APPLICATION: ["p10"], Layer.GOVERNANCE: ["p10"]}


def test_an_interface_crosses_when_its_consumer_sits_on_a_layer_its_producer_does_not() -> None:
    # p1 -> p2 (foundation_corpus) stays inside processing: p2's only layer is p1's too
    got = [(c.interface, c.producer, c.consumer) for c in cross_layer_interfaces(REGISTRY)]
    assert got == [("checkpoint", "p3", "p10"), ("foundation_corpus", "p1", "p3"),
                   ("sft_corpus", "p2", "p3")]
