"""`flywheel guides …` through the real entry point: add, change, faq, list, show, diff, and the
bad-input paths (exit 2, the file and field named, nothing stored)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from guide_helpers import guide_text, next_version

AE = "annotation-engineer"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode())
    return path


def test_the_guide_commands_end_to_end(team: Any, cli: Any, tmp_path: Path) -> None:
    v12 = _write(tmp_path, "v12.md", guide_text())
    added = cli("guides", "add", str(v12), "--project", "P-TEST", "--by", AE)
    assert added.code == 0, added.err
    assert "added sft-guide@1.2.0 (initial)" in added.out
    v13 = _write(tmp_path, "v13.md", guide_text(next_version()))
    changed = cli("guides", "change", str(v13), "--by", AE, "--json").json()
    assert changed["version"]["change_class"] == "compatible"
    assert changed["version"]["examples_changed"] == ["EX-2", "EX-4"]
    faq = cli("guides", "faq", "sft-guide@1.3.0", "--question", "Does a repeat count?",
              "--answer", "No: EX-4.", "--by", AE)
    assert faq.code == 0 and "added FAQ-0001 to sft-guide@1.3.0" in faq.out
    shown = cli("guides", "show", "sft-guide@1.3.0")
    assert "FAQ-0001: Q Does a repeat count?" in shown.out and "example EX-4" in shown.out
    raw = cli("guides", "show", "sft-guide@1.3.0", "--file")
    assert raw.out == v13.read_text()
    listed = cli("guides", "list", "--json").json()
    assert [v["id"] for v in listed] == ["sft-guide@1.2.0", "sft-guide@1.3.0"]
    diff = cli("guides", "diff", "sft-guide@1.2.0", "sft-guide@1.3.0")
    assert "compatible (needs a minor version)" in diff.out
    assert "[semantic] example added examples.EX-4 (compatible)" in diff.out


def test_bad_guide_files_exit_2_and_store_nothing(team: Any, cli: Any, tmp_path: Path) -> None:
    missing = cli("guides", "add", str(tmp_path / "nope.md"), "--by", AE)
    assert missing.code == 2 and "guide file not found" in missing.err
    no_front = _write(tmp_path, "plain.md", "# just Markdown\n")
    result = cli("guides", "add", str(no_front), "--by", AE)
    assert result.code == 2
    assert "plain.md: a guide file starts with a YAML front matter" in result.err
    doc = next_version(version="1.2.0")
    doc["examples"][0]["label"] = "harmless"
    bad_label = _write(tmp_path, "bad.md", guide_text(doc))
    result = cli("guides", "add", str(bad_label), "--by", AE)
    assert result.code == 2 and "example EX-1 names label 'harmless'" in result.err
    assert cli("guides", "list", "--json").json() == []
    ok = _write(tmp_path, "v12.md", guide_text())
    assert cli("guides", "add", str(ok), "--by", AE).code == 0
    step = _write(tmp_path, "v121.md", guide_text(next_version(version="1.2.1")))
    result = cli("guides", "change", str(step), "--by", AE)
    assert result.code == 2 and "a compatible change needs a minor version" in result.err
    assert "at least 1.3.0" in result.err
    assert [v["id"] for v in cli("guides", "list", "--json").json()] == ["sft-guide@1.2.0"]
