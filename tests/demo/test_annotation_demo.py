"""The demo's annotation-governance step (`demo/annotation.py`): the shipped guide files are a
compatible change v1.2.0 → v1.3.0; the step onboards a vendor (its first dispatch refused),
catches drift with calibration items, answers which batches the change affected, and offboards
the vendor with its grants revoked and a deletion confirmation."""

from __future__ import annotations

import io

from rich.console import Console

from dataflywheel.demo.annotation import demo_step, guide_file
from dataflywheel.demo.contracts import seed_contracts
from dataflywheel.demo.team import seed_team
from dataflywheel.domain.policies.guide_changes import diff_guides, examples_changed
from dataflywheel.domain.records.contract import ChangeClass
from dataflywheel.domain.records.guide import parse_guide
from dataflywheel.flows.workspace import Workspace, acting_as


def test_the_shipped_guides_are_a_compatible_change_adding_a_boundary_example() -> None:
    old = parse_guide(guide_file("1.2.0").decode(), source="1.2.0")
    new = parse_guide(guide_file("1.3.0").decode(), source="1.3.0")
    diff = diff_guides(old, new)
    assert diff.change_class is ChangeClass.COMPATIBLE
    assert examples_changed(diff) == ["EX-104"]
    assert "labels.correct.boundary" in [c.path for c in diff.changes]


def test_the_step_answers_which_batches_the_change_affected(ws: Workspace) -> None:
    seed_team(ws)
    seed_contracts(acting_as(ws, "lin.wei"), project_id="P-K12")
    out = io.StringIO()
    state: dict[str, str] = {}
    demo_step(acting_as(ws, "lin.wei"), Console(file=out, width=300), state)
    text = out.getvalue()
    assert state["guide_change"] == "sft-guide@1.3.0"
    assert "sara.kim changed the guide to sft-guide@1.3.0: compatible" in text
    assert "guide change sft-guide@1.3.0 (compatible) affects 2 batch(es) made under " \
           "sft-guide@1.2.0" in text
    assert "FAQ FAQ-0001 cites sft-guide@1.2.0" in text
    assert "dispatch refused: vendor v-clearmark may not receive work: confidentiality not" in text
    # the team's two vendors were onboarded first (VE-0001..0008, `demo.team.onboard`)
    assert "v-clearmark onboarded (test task VE-0012: 95%); dispatched T-CM-01 under " \
           "sft-guide@1.2.0" in text
    assert "accuracy 70% (cm-01 100%, cm-02 40%)" in text
    assert "calibration accuracy 70.00% below 90%" in text
    assert "v-clearmark-ann closed, grants revoked GRT-" in text and "deletion confirmed" in text
    assert "may receive work: no (the vendor is offboarded)" in text
    assert "standard templates (Table 24-18) filed: Dataset specification template v1.0.0" in text
    assert 'onboarding "Annotation ops: your first week", review was due' in text
