"""The post-mortem template the CLI prints is exactly what `flywheel issues postmortem --file`
accepts back: YAML with every section, the blameless questions as comments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from dataflywheel.flows.issues.postmortems import SECTIONS
from dataflywheel.flows.workspace import Workspace

TITLE = "near-dup spike: 12 % of a vendor batch [vendor-b] was paraphrased from the eval set, again"


def _open(cli: Any) -> None:
    opened = cli("issues", "open", TITLE, "--severity", "P1", "--project", "P-TEST",
                 "--owner", "data-engineer")
    assert opened.code == 0, opened.err


def test_the_printed_template_is_accepted_back_unedited(team: Workspace, cli: Any,
                                                        tmp_path: Path) -> None:
    _open(cli)
    printed = cli("issues", "postmortem-template", "ISS-0001")
    assert printed.code == 0, printed.err
    assert "Blameless" in printed.out and TITLE in printed.out
    parsed = yaml.safe_load(printed.out)
    assert list(parsed) == list(SECTIONS)
    path = tmp_path / "pm.yaml"
    path.write_text(printed.out, encoding="utf-8")
    wrote = cli("issues", "postmortem", "ISS-0001", "--file", str(path))
    assert wrote.code == 0, wrote.err
    assert " ".join(wrote.out.split()) == ("PM-0001 (draft); still missing: " + ", ".join(SECTIONS)
                                           + ", change_link")  # rich wraps at 80 columns


def test_the_filled_template_round_trips_every_section(team: Workspace, cli: Any,
                                                       tmp_path: Path) -> None:
    _open(cli)
    template = cli("issues", "postmortem-template", "ISS-0001")  # as in `… > pm.yaml`
    assert template.code == 0, template.err
    text = template.out
    filled = {
        "event": "a vendor batch had 12 % near-duplicates of the eval set",
        "impact": "the SFT candidate version was rebuilt",
        "timeline": [{"at": "2026-11-25T10:00:00+00:00", "what": "the gate flagged the batch"}],
        "root_cause": "the contract had no contamination gate, so nothing stopped the batch",
        "remediation": "removed the contaminated rows",
        "preventive_measures": ["a contamination gate on every vendor batch"],
        "process_change": "the contamination check runs on every delivery",
    }
    for section, value in filled.items():  # fill in place, keeping the comments
        empty = "[]" if isinstance(value, list) else '""'
        text = text.replace(f"\n{section}: {empty}\n",
                            f"\n{yaml.safe_dump({section: value}, sort_keys=False)}")
    (tmp_path / "pm.yaml").write_text(text, encoding="utf-8")
    wrote = cli("issues", "postmortem", "ISS-0001", "--file", str(tmp_path / "pm.yaml"), "--json")
    assert wrote.code == 0, wrote.err
    pm = wrote.json()
    assert {s: pm[s] for s in SECTIONS if s != "timeline"} == {
        s: v for s, v in filled.items() if s != "timeline"}
    assert [(e["at"], e["what"]) for e in pm["timeline"]] == [
        ("2026-11-25T10:00:00Z", "the gate flagged the batch")]
