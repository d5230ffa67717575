"""`flywheel vendors record|dispatch|calibrate|monitor|offboard|scorecard` through the real entry
point: a refused dispatch exits 2 naming what is missing; bad files exit 2 naming the line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from guide_helpers import guide_text

AE = "annotation-engineer"


def _jsonl(path: Path, rows: list[dict[str, str]]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def test_the_vendor_lifecycle_commands(team: Any, cli: Any, tmp_path: Path) -> None:
    guide = tmp_path / "g.md"
    guide.write_text(guide_text(), encoding="utf-8")
    assert cli("guides", "add", str(guide), "--by", AE).code == 0
    assert cli("vendors", "add", "v-acme", "Acme").code == 0
    refused = cli("vendors", "dispatch", "v-acme", "--task", "T-1", "--guide", "sft-guide@1.2.0",
                  "--by", AE)
    assert refused.code == 2
    assert "vendor v-acme may not receive work: confidentiality not confirmed" in refused.err
    for kind in ("confidentiality", "compliance", "tool_training"):
        assert cli("vendors", "record", "v-acme", kind, "--by", AE).code == 0
    done = cli("vendors", "record", "v-acme", "test_task", "--score", "0.96", "--by", AE)
    assert done.code == 0 and "test_task passed" in done.out
    sent = cli("vendors", "dispatch", "v-acme", "--task", "T-1", "--guide", "sft-guide@1.2.0",
               "--example", "EX-2", "--by", AE)
    assert sent.code == 0 and "citing EX-2" in sent.out
    gold = _jsonl(tmp_path / "gold.jsonl", [{"item_id": "g1", "label": "helpful"},
                                            {"item_id": "g2", "label": "unhelpful"}])
    answers = _jsonl(tmp_path / "ans.jsonl", [
        {"item_id": "g1", "annotator_id": "a1", "label": "helpful"},
        {"item_id": "g2", "annotator_id": "a1", "label": "helpful"}])
    drift = cli("vendors", "calibrate", "v-acme", "--gold", gold, "--answers", answers,
                "--guide", "sft-guide@1.2.0", "--by", AE)
    assert drift.code == 0 and "calibration accuracy 50.00% below 90%" in drift.out
    calm = cli("vendors", "monitor", "v-acme", "--rework-rate", "0.02", "--by", AE)
    assert calm.code == 0 and "no drift" in calm.out
    card = cli("vendors", "scorecard", "v-acme", "--json").json()
    assert card["may_receive_work"] is True and len(card["drift_alerts"]) == 1
    gone = cli("vendors", "offboard", "v-acme", "--reason", "contract ended",
               "--deletion-confirmation", "certificate DC-1", "--by", AE)
    assert gone.code == 0 and "deletion recorded" in gone.out
    assert cli("vendors", "scorecard", "v-acme", "--json").json()["missing"] == [
        "the vendor is offboarded"]


def test_bad_calibration_files_exit_2_naming_the_line(team: Any, cli: Any, tmp_path: Path) -> None:
    assert cli("vendors", "add", "v-acme", "Acme").code == 0
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"item_id": "g1", "label": "helpful"}\n{"item_id": 3}\n', encoding="utf-8")
    result = cli("vendors", "calibrate", "v-acme", "--gold", str(gold), "--answers", str(gold),
                 "--by", AE)
    assert result.code == 2
    assert "gold.jsonl:2: a row lacks a field; expected an object with item_id, label" in result.err
    assert cli("vendors", "scorecard", "v-acme", "--json").json()["evidence"] == []
