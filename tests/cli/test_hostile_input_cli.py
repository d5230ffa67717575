"""Hostile input on the command line: YAML nested thousands deep and over-long file names are one
clear line and exit 2, never an internal error, and change nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest



DEEP_YAML = "items: " + "[" * 5000 + "]" * 5000 + "\n"


def _refused(result: Any, needle: str) -> None:
    assert result.code == 2, (result.out, result.err)
    assert "internal error" not in result.err and "Traceback" not in result.err
    assert needle in " ".join(result.err.split()), result.err


@pytest.mark.parametrize("command", [["contracts", "validate"], ["contracts", "import"],
                                     ["raci", "import"]])
def test_deep_yaml_is_refused_naming_the_file_and_line(
        ws: Any, cli: Any, tmp_path: Path, command: list[str]) -> None:
    from dataflywheel.flows.contracts.lifecycle import list_contracts
    from dataflywheel.flows.governance.raci import export_matrix

    deep = tmp_path / "deep.yaml"
    deep.write_text(DEEP_YAML)
    _refused(cli(*command, str(deep)),
             f"error: {deep}:1: YAML nested too deeply; expected at most 100 levels")
    assert len(export_matrix(ws).items) == 10 and list_contracts(ws) == []


@pytest.mark.parametrize("command", [["feedback", "ingest"], ["check", "--plan", "p.yaml"],
                                     ["contracts", "validate"], ["raci", "import"]])
def test_an_over_long_file_name_exits_2_naming_it(ws: Any, cli: Any, command: list[str],
                                                  tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("p.yaml").write_text("name: p\nid_field: id\ntext_fields: [text]\n")
    name = "x" * 300 + ".jsonl"
    _refused(cli(*command, name), "File name too long")
