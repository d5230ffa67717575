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
        ("a", True), ("b", True), ("c", True), ("d", True), ("e", True), ("f", False)]
    not_a = cli("versions", "freeze", vid, "--by", "data-engineer")
    assert not_a.code == 2 and "(f) approval by the Accountable person" in not_a.err
    frozen = cli("freeze", "--baseline", vid, "--by", "data-owner",
                 "--consult", "quality-evaluator=fine", "--json")
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
