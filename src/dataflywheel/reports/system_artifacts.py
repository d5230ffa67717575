"""The typed shape of P10's deliverables (§17) that have no read model of their own: the registry,
the phase inventory, the architecture, the boundaries, the bottleneck analysis, the headline
metrics and the consistency check's results.

Each model is what one exported file holds, and the JSON Schema shipped for that file is
generated from it (`flows/assembly/schemas.py`), so a file, its schema and the code that writes
it cannot drift apart: a test regenerates the schemas and compares them with the shipped ones.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from dataflywheel.reports.system_bottlenecks import BottleneckRow


class Artifact(BaseModel):
    """A deliverable's model: unknown keys are refused when a file is read back."""

    model_config = ConfigDict(extra="forbid")


class RegistryEntry(Artifact):
    project_id: str
    name: str
    phase: str
    layers: list[str]
    interfaces_out: list[str]
    interfaces_in: list[str]
    deliverables: list[str]
    registry_role: str | None
    needs_human_review: bool
    needs_governance_control: bool
    checks_passed: int
    checks_total: int
    checks_source: Literal["records", "imported", "none"]


class Registry(Artifact):
    """`upstream_project_registry.json` (§5, §11)."""

    projects: int
    phases: list[str]
    interfaces: int
    checks_passed: int
    checks_total: int
    projects_by_checks_source: dict[str, int]
    needing_human_review: int
    needing_governance_control: int
    layers: int
    control_points: int
    boundaries: int
    registry: list[RegistryEntry]


class Phase(Artifact):
    phase: str
    projects: list[str]
    layers: list[str]
    interfaces_out: list[str]
    stages: list[str]  # the plan's stages whose layer one of the phase's projects carries


class PhaseInventory(Artifact):
    """`phase_inventory.json`: each registry phase, its projects, and the plan stages it feeds."""

    plan_project: str
    phases: list[Phase]
    unstaged_phases: list[str]


class LayerEntry(Artifact):
    layer: str
    name: str
    question: str
    responsibilities: list[str]
    mapped_projects: list[str]


class Crossing(Artifact):
    interface: str
    producer: str
    producer_layers: list[str]
    consumer: str
    consumer_layers: list[str]


class Architecture(Artifact):
    """`flywheel_architecture.json` (§4, §8, Listing P10-3)."""

    layers: list[LayerEntry]
    cross_layer_interfaces: list[Crossing]
    unmapped_projects: list[str]


class Enforcement(Artifact):
    check: str
    implemented_by: str
    present: bool


class ControlPointEntry(Artifact):
    control_point: str
    question: str
    gate: str
    enforced_by: list[Enforcement]
    required_by: list[str]


class BoundaryEntry(Artifact):
    boundary: str
    crossing: str
    from_layer: str
    to_layer: str
    checks: list[Enforcement]


class ScenarioEntry(Artifact):
    scenario: str
    table_row: str
    intensity: str
    processes: str
    rationale: str
    required_control_points: list[str]
    datasets: int


class Boundaries(Artifact):
    """`system_boundaries.json` (§9, Table 24-29)."""

    control_points: list[ControlPointEntry]
    boundaries: list[BoundaryEntry]
    scenarios: list[ScenarioEntry]
    missing: list[str]


class BottleneckAnalysis(Artifact):
    """`bottleneck_analysis.json` (§12): the window, the rules applied, what they found."""

    since: datetime
    until: datetime
    rules: list[str]
    bottlenecks: list[BottleneckRow]


class Headline(Artifact):
    """`p10_metrics.json`: the system-level figures (§11), each from the artifacts above, and the
    digest of those artifacts — what the report and the check cite."""

    plan_project: str
    since: datetime
    until: datetime
    records_digest: str
    projects: int
    phases: int
    stages: int
    interfaces: int
    cross_layer_interfaces: int
    checks_passed: int
    checks_total: int
    layers: int
    control_points: int
    boundaries: int
    runs: int
    stage_completion_rate: float | None
    average_stage_score: float | None
    bottlenecks: int
    high_severity_bottlenecks: int
    review_hours: float
    review_cost: float
    healthy: bool


class FrontMatter(Artifact):
    """The YAML block a Markdown deliverable opens with: what it is and which records it cites."""

    deliverable: Literal["p10_report", "p10_test_report"]
    plan_project: str
    since: datetime
    until: datetime
    records_digest: str


class CheckResult(Artifact):
    """One check as Listing P10-5 records it: the command (for a command-level check), its return
    code, output and verdict; an artifact-level check's detail names what broke the rule."""

    name: str
    level: Literal["command", "artifact"]
    command: list[str] | None
    returncode: int
    passed: bool
    stdout: str
    stderr: str
    detail: str


class CheckResults(Artifact):
    """`p10_test_results.json` (§15)."""

    plan_project: str
    records_digest: str
    source: str  # "records" or the folder whose files were checked
    status: Literal["PASS", "FAIL"]
    total: int
    passed: int
    failed: int
    command_checks: int
    artifact_checks: int
    checks: list[CheckResult]
