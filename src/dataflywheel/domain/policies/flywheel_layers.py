"""The five layers of the flywheel (P10 §4, Listing P10-3): what each answers and carries.

Projects are mapped onto layers by the registry (`Project.layers`); an interface crosses layers
when a project of one layer lists it in `interfaces_out` and a project of another layer lists it
in `interfaces_in` (`cross_layer_interfaces`).
"""

from __future__ import annotations

from dataclasses import dataclass

from dataflywheel.domain.records.project import Layer, Project


@dataclass(frozen=True)
class LayerSpec:
    layer: Layer
    name: str
    question: str
    responsibilities: tuple[str, ...]


LAYERS: tuple[LayerSpec, ...] = (
    LayerSpec(Layer.DATA_SOURCE, "data_source_layer",
              "where the system's raw materials come from",
              ("web/data ingestion", "document intake", "sensitive data intake",
               "knowledge documents", "original business materials")),
    LayerSpec(Layer.PROCESSING, "processing_layer",
              "how raw materials become trainable, consumable and governable assets",
              ("cleaning", "dedup", "de-identification", "instruction synthesis",
               "curriculum packaging")),
    LayerSpec(Layer.MODELING, "modeling_layer",
              "how supervision becomes model capability",
              ("SFT", "PRM", "agent tool-use training", "multimodal training")),
    LayerSpec(Layer.APPLICATION, "application_layer",
              "how model capability enters real task execution",
              ("RAG service", "agent execution", "semantic BI", "feedback collection")),
    LayerSpec(Layer.GOVERNANCE, "governance_layer",
              "how the system remains controllable over time",
              ("release gates", "privacy controls", "rollback", "cross-project registry",
               "version management", "lineage tracing", "audit", "incident response")),
)


@dataclass(frozen=True)
class Crossing:
    """One interface handed from a project of one layer to a project of another."""

    interface: str
    producer: str
    producer_layers: tuple[Layer, ...]
    consumer: str
    consumer_layers: tuple[Layer, ...]


def mapped_projects(projects: list[Project]) -> dict[Layer, list[str]]:
    """Every layer with the ids of the projects on it, in id order."""
    return {spec.layer: sorted(p.id for p in projects if spec.layer in p.layers)
            for spec in LAYERS}


def cross_layer_interfaces(projects: list[Project]) -> list[Crossing]:
    """Each (interface, producer, consumer) where the consumer sits on a layer the producer does
    not: the interfaces that pass across layers (§4.6), sorted by interface, producer, consumer."""
    out = []
    for producer in projects:
        for consumer in projects:
            if consumer.id == producer.id or not set(consumer.layers) - set(producer.layers):
                continue
            for name in sorted(set(producer.interfaces_out) & set(consumer.interfaces_in)):
                out.append(Crossing(name, producer.id, tuple(producer.layers), consumer.id,
                                    tuple(consumer.layers)))
    return sorted(out, key=lambda c: (c.interface, c.producer, c.consumer))
