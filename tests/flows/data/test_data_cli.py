"""The Data Pool commands end to end: deliver, versions create/add/show/freeze, baseline, errors."""

from __future__ import annotations

from pathlib import Path

import yaml
from datapool_helpers import FULL_DATASHEET, records, setup_pool, write_jsonl

from dataflywheel.flows.workspace import Workspace


def _deliver(cli, pool, path: Path, *extra: str):  # type: ignore[no-untyped-def]
    return cli("deliver", str(path), "--dataset", pool.dataset, "--contract", "cleaned-raw-pool@1.0.0",
               "--requirement", pool.requirement, "--from", "data-engineer", "--engine", "single",
               *extra)


def test_deliver_version_freeze_through_the_cli(team: Workspace, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pool = setup_pool(team, sensitivity="public")
    good = _deliver(cli, pool, write_jsonl(tmp_path / "a.jsonl", records("a", 20, seed=1)), "--json")
    assert good.code == 0, good.err
    batch = good.json()["batch"]
    assert batch["state"] == "passed" and good.json()["issue"] is None
    bad = _deliver(cli, pool, write_jsonl(tmp_path / "d.jsonl", records("d", 20, seed=2, dup_every=4)))
    assert bad.code == 1 and "failed" in bad.out and "opened P1 ISS-0001" in bad.out

    created = cli("versions", "create", pool.dataset, "--by", "data-engineer", "--batch", batch["id"],
                  "--json")
    assert created.code == 0, created.err
    vid = created.json()["id"]
    refused = cli("versions", "add", vid, "B-0002", "--by", "data-engineer")
    assert refused.code == 2 and "B-0002 is failed: only passed batches join a version" in refused.err
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text(yaml.safe_dump(FULL_DATASHEET), encoding="utf-8")
    assert cli("versions", "datasheet", vid, "--by", "data-engineer", "--file", str(sheet)).code == 0
    shown = cli("versions", "show", vid, "--json").json()
    assert [(c["code"], c["met"]) for c in shown["gate"]] == [
        ("a", True), ("b", True), ("c", True), ("d", True), ("e", True), ("f", False),
        ("r", True)]
    not_a = cli("versions", "freeze", vid, "--by", "data-engineer")
    assert not_a.code == 2 and "(f) approval by the Accountable person" in not_a.err
    unprepared = cli("freeze", "--baseline", vid, "--by", "data-owner")
    assert unprepared.code == 2 and "(g) a freeze notice to every producer" in unprepared.err
    frozen = cli("freeze", "--baseline", vid, "--by", "data-owner", "--waive-procedure",
                 "procedure covered by tests/reviews", "--consult", "quality-evaluator=fine",
                 "--json")
    assert frozen.code == 0, frozen.err
    data = frozen.json()
    assert data["state"] == "frozen" and data["baseline"] is True and len(data["manifest_sha256"]) == 64
    shown = cli("versions", "show", f"{pool.dataset}@1", "--json").json()
    assert shown["id"] == vid and shown["known_defects"] == [] and shown["gate"] == []
    listed = cli("versions", "list", "--dataset", pool.dataset, "--json").json()
    assert [(v["id"], v["number"]) for v in listed] == [(vid, 1)]
    again = cli("versions", "datasheet", vid, "--by", "data-engineer", "--set", "objective=x")
    assert again.code == 2 and "is frozen: it cannot edit the datasheet of it" in again.err
    verify = cli("verify")
    assert verify.code == 0, verify.out + verify.err


def test_plain_freeze_command_needs_baseline(team: Workspace, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("freeze", "V-0001", "--by", "data-owner")
    assert result.code == 2
    assert "`flywheel freeze` makes the quarter's baseline; field 'baseline'; expected --baseline" in result.err


def test_deliver_missing_file_is_one_clear_line(team: Workspace, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pool = setup_pool(team)
    result = _deliver(cli, pool, tmp_path / "nope.jsonl")
    assert result.code == 2
    assert f"{tmp_path}/nope.jsonl: file not found. Kept: nothing was stored" in result.err.replace("\n", "")


def test_dataset_and_version_lifecycle_commands(team: Workspace, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from dataflywheel.flows.issues.lifecycle import open_issue

    pool = setup_pool(team, sensitivity="public")
    made = cli("datasets", "create", "eval-set", "--project", "P-TEST", "--owner", "data-owner",
               "--purpose", "evaluation", "--sensitivity", "confidential", "--json")
    assert made.code == 0 and made.json()["purpose"] == "evaluation"
    assert [d["name"] for d in cli("datasets", "list", "--json").json()] == ["raw-pool", "eval-set"]
    twice = cli("datasets", "create", "eval-set", "--project", "P-TEST", "--owner", "data-owner")
    assert twice.code == 2 and "dataset 'eval-set' already exists" in twice.err
    for name, seed in (("a.jsonl", 1), ("b.jsonl", 2)):
        assert _deliver(cli, pool, write_jsonl(tmp_path / name, records(name[0], 20, seed=seed))).code == 0
    vid = cli("versions", "create", pool.dataset, "--by", "data-engineer", "--batch", "B-0001",
              "--batch", "B-0002", "--json").json()["id"]
    removed = cli("versions", "remove", vid, "B-0002", "--by", "data-engineer", "--json").json()
    assert removed["quality_summary"]["batches"] == ["B-0001"]
    assert cli("versions", "refresh", vid).code == 0
    decided = cli("versions", "compliance", vid, "--by", "legal-compliance", "--reject",
                  "--conclusion", "not needed, public", "--json").json()
    assert decided["compliance"] == "rejected"
    not_legal = cli("versions", "compliance", vid, "--by", "data-owner", "--conclusion", "ok")
    assert not_legal.code == 2 and "only Legal/Compliance may decide" in not_legal.err
    assert cli("versions", "datasheet", vid, "--by", "data-engineer", "--set", "objective=x",
               "--set", "sources=[a, b]").code == 0
    bad_set = cli("versions", "datasheet", vid, "--by", "data-engineer", "--set", "color=red")
    assert bad_set.code == 2 and "unknown datasheet section(s): color" in bad_set.err
    import yaml

    sheet = tmp_path / "sheet.yaml"
    sheet.write_text(yaml.safe_dump(FULL_DATASHEET), encoding="utf-8")
    cli("versions", "datasheet", vid, "--by", "data-engineer", "--file", str(sheet))
    assert cli("versions", "freeze", vid, "--by", "data-owner").code == 0
    issue = open_issue(team, title="bad labels", severity="P2", source="manual", project_id="P-TEST")
    back = cli("versions", "rollback", vid, "--by", "data-owner", "--issue", issue.id,
               "--reason", "bad labels", "--json").json()
    assert back["state"] == "withdrawn" and back["withdrawn_issue_id"] == issue.id
    archived = cli("versions", "archive", vid, "--by", "data-owner", "--json").json()
    assert archived["state"] == "archived"
    assert cli("verify").code == 0
