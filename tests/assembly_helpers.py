"""A small world in which the consistency check passes (P10 §15): a registry covering the five
layers, P-TEST's five-stage plan, one frozen version, one run — built through the flows."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from datapool_helpers import frozen_version

from dataflywheel.domain.policies.flywheel_plan import parse_plan
from dataflywheel.domain.records.base import utcnow
from dataflywheel.flows.demand.project_registry import import_registry, parse_registry
from dataflywheel.flows.flywheel.plan import load_plan
from dataflywheel.flows.flywheel.runs import record_run
from dataflywheel.flows.workspace import Workspace
from dataflywheel.yamlsafe import safe_load

REGISTRY = """\
- {project_id: q1, name: Corpus, owner_id: data-owner, phase: build,
   layers: [data_source, processing], interfaces_out: [corpus], checks: {passed: 2, total: 2}}
- {project_id: q2, name: Tutor, owner_id: data-owner, phase: serve,
   layers: [modeling, application, governance], interfaces_in: [corpus],
   interfaces_out: [tutor], checks: {passed: 1, total: 1}}
"""
# Five stages, one per layer, each gated on a passed batch: one frozen version completes them all.
PLAN = """\
stages:
  - {name: intake, goal: g, outputs: [o], gate: {kind: batches_passed},
     raci_item: data_collection_and_cleaning, layer: data_source}
  - {name: cleaning, goal: g, outputs: [o], gate: {kind: batches_passed},
     raci_item: annotation_quality_review, layer: processing}
  - {name: release, goal: g, outputs: [o], gate: {kind: version_frozen},
     raci_item: training_set_version_release, layer: governance}
  - {name: training, goal: g, outputs: [o], gate: {kind: batches_passed},
     raci_item: data_requirement_definition, layer: modeling}
  - {name: serving, goal: g, outputs: [o], gate: {kind: batches_passed},
     raci_item: data_requirement_definition, layer: application}
milestones:
  - {title: First batch, stage: intake, due_days: 30, evidence: {kind: batches_passed}}
"""


def consistent_world(team: Workspace, tmp_path: Path) -> None:
    """A registry covering the five layers, P-TEST's plan, one frozen version, one run."""
    import_registry(team, parse_registry(REGISTRY, source="r.yaml"), source="r.yaml")
    load_plan(team, "P-TEST", parse_plan(safe_load(PLAN), source="plan.yaml"))
    start = utcnow() - timedelta(hours=1)
    frozen_version(team, tmp_path)
    record_run(team, "P-TEST", since=start, until=utcnow() + timedelta(hours=1))
