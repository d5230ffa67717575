"""Ordinal agreement over text labels, ordered by the plan's scale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dataflywheel.checks.engines import run_checks
from dataflywheel.checks.plan import parse_plan
from dataflywheel.errors import BadInput

PLAN = """
name: prefs
checks: {exact_duplicates: false, blank: false, charset: false, length: false,
         agreement: {item_field: pair, annotator_field: who, label_field: margin, level: ordinal,
                     scale: [slight, clear, strong]}}
"""


def _write(path: Path, labels: list[tuple[str, str, str]]) -> Path:
    path.write_text("".join(json.dumps({"pair": p, "who": w, "margin": m}) + "\n"
                            for p, w, m in labels))
    return path


def test_text_labels_on_a_scale_are_ordinal_values(tmp_path: Path) -> None:
    near = [("p1", "a", "slight"), ("p1", "b", "clear"), ("p2", "a", "strong"), ("p2", "b", "strong"),
            ("p3", "a", "slight"), ("p3", "b", "slight"), ("p4", "a", "clear"), ("p4", "b", "strong")]
    far = [(p, w, {"slight": "strong", "strong": "slight"}.get(m, m) if w == "b" else m)
           for p, w, m in near]
    close = run_checks([_write(tmp_path / "near.jsonl", near)], parse_plan(PLAN), engine="single")
    apart = run_checks([_write(tmp_path / "far.jsonl", far)], parse_plan(PLAN), engine="single")
    assert close.rejected == 0 and apart.rejected == 0
    assert close.metrics["agreement_krippendorff_alpha"] > apart.metrics["agreement_krippendorff_alpha"]


def test_a_label_off_the_scale_is_rejected_with_the_reason(tmp_path: Path) -> None:
    rows = [("p1", "a", "slight"), ("p1", "b", "huge"), ("p2", "a", "clear"), ("p2", "b", "clear")]
    report = run_checks([_write(tmp_path / "x.jsonl", rows)], parse_plan(PLAN), engine="single")
    assert report.rejected == 1
    assert "'huge'" in report.rejects[0].reason


def test_a_scale_needs_an_ordered_level() -> None:
    with pytest.raises(BadInput, match="scale orders labels; it needs level ordinal, interval or ratio"):
        parse_plan(PLAN.replace("level: ordinal", "level: nominal"))
