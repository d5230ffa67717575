"""`flywheel issues|kb|trace` end to end through the real CLI: outputs, exit codes, error lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dataflywheel.flows.workspace import Workspace

PM_YAML = """\
event: a vendor batch had 12 % near-duplicates
impact: SFT candidate version rebuilt
timeline:
  - {at: "2026-11-25T10:00:00+00:00", what: gate flagged the batch}
root_cause: the contract had no near-duplicate gate, so nothing stopped the batch
remediation: deduplicated the batch
preventive_measures: [near-duplicate gate on every vendor batch]
process_change: the near-duplicate check runs on every delivery
"""


def test_issue_cli_full_cycle(team: Workspace, cli: Any, tmp_path: Path) -> None:
    opened = cli("issues", "open", "near-dup spike", "--severity", "p1", "--source", "quality_check",
                 "--project", "P-TEST", "--owner", "data-engineer", "--json")
    assert opened.code == 0, opened.err
    issue = opened.json()
    assert issue["id"] == "ISS-0001" and issue["severity"] == "P1"
    assert cli("issues", "assign", "ISS-0001", "--owner", "quality-evaluator").code == 0
    assert cli("issues", "resolve", "ISS-0001", "--resolution", "deduplicated").code == 0
    refused = cli("issues", "close", "ISS-0001")
    assert refused.code == 2
    assert "P1 issue ISS-0001 closes only with a post-mortem, and it has none" in refused.err
    assert "Blameless" in cli("issues", "postmortem-template", "ISS-0001").out
    pm_file = tmp_path / "pm.yaml"
    pm_file.write_text(PM_YAML, encoding="utf-8")
    wrote = cli("issues", "postmortem", "ISS-0001", "--file", str(pm_file))
    assert wrote.out.strip() == "PM-0001 (draft); still missing: change_link"
    assert cli("issues", "postmortem-link", "ISS-0001", "--kind", "check",
               "--ref", "near_duplicates").code == 0
    assert cli("issues", "postmortem-submit", "ISS-0001").out.strip() == "PM-0001 is review"
    assert cli("issues", "postmortem-publish", "ISS-0001").out.strip() == "PM-0001 is published"
    closed = cli("issues", "close", "ISS-0001", "--json").json()
    assert closed["state"] == "closed"
    shown = cli("issues", "show", "ISS-0001", "--json").json()
    assert shown["post_mortem"]["state"] == "published"
    listed = cli("issues", "list", "--severity", "P1", "--json").json()
    assert [i["id"] for i in listed] == ["ISS-0001"]
    hits = cli("kb", "search", "near duplicate gate", "--json").json()
    assert [h["kind"] for h in hits] == ["post_mortem"]
    answers = {a["key"]: a for a in cli("trace", "--json").json()}
    assert answers["preventive"]["status"] == "answered"
    assert answers["release"]["answer"].startswith("no records yet")


def test_issue_cli_bad_input(team: Workspace, cli: Any, tmp_path: Path) -> None:
    bad = cli("issues", "open", "x", "--severity", "P9", "--project", "P-TEST")
    assert bad.code == 2
    assert "unknown severity 'P9'; field 'severity'; expected one of P0, P1, P2, P3" in bad.err
    link = cli("issues", "open", "x", "--severity", "P2", "--link", "batch")
    assert "cannot read link 'batch'" in link.err
    past = cli("issues", "open", "x", "--severity", "P2", "--remediate-by", "2001-01-01")
    assert "the remediation deadline is in the past" in past.err
    assert cli("issues", "list", "--json").json() == []
    assert "unknown issue state 'open'; field 'state'; expected one of new, acknowledged, " \
        "assigned, resolved, closed" in cli("issues", "list", "--state", "open").err
    assert "unknown severity 'P7'" in cli("issues", "list", "--severity", "P7").err
    missing = cli("issues", "postmortem", "ISS-0001", "--file", str(tmp_path / "nope.yaml"))
    assert missing.code == 2 and "post-mortem file not found" in missing.err
    assert cli("issues", "escalate", "--json").json() == []
    assert cli("issues", "tier", "--share", "0.12", "--purpose", "training").out.strip() == "P1"
    wrong = cli("issues", "tier", "--share", "0.12", "--purpose", "ads")
    assert "unknown dataset purpose 'ads'" in wrong.err


def test_kb_cli(team: Workspace, cli: Any, tmp_path: Path) -> None:
    doc = tmp_path / "dedup.md"
    doc.write_text("# Dedup\n\nRun MinHash before every freeze.\n", encoding="utf-8")
    added = cli("kb", "add", "Dedup practice", "--kind", "best_practice", "--file", str(doc),
                "--project", "P-TEST", "--json")
    assert added.code == 0, added.err
    assert cli("kb", "add", "Onboarding", "--kind", "onboarding", "--body", "Start with MinHash docs",
               "--link", "kb:KB-0001").code == 0
    shown = cli("kb", "show", "KB-0001", "--json").json()
    assert [b["document_id"] for b in shown["backlinks"]] == ["KB-0002"]
    assert "linked from: KB-0002" in cli("kb", "show", "KB-0001").out
    assert {h["id"] for h in cli("kb", "search", "minhash", "--json").json()} == {"KB-0001", "KB-0002"}
    assert "no document matches" in cli("kb", "search", "zebra").out
    both = cli("kb", "add", "T", "--kind", "template", "--body", "b", "--file", str(doc))
    assert "give the body with exactly one of --file or --body" in both.err
    assert "unknown link target kind 'x'" in cli("kb", "link", "KB-0001", "x:1").err
