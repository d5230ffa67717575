"""`flywheel contracts …` through the real entry point: --json shapes and the one-line errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
import yaml
from contract_fixtures import contract_path

RAW = contract_path("cleaned-raw-pool")


@pytest.fixture
def ccli(team, cli):  # type: ignore[no-untyped-def]
    """The CLI on a team workspace (a person per role, project P-TEST)."""
    return cli


def _custom(items: list[dict[str, Any]], name: str) -> Any:
    return next(p["value"] for p in items if p["property"] == name)


def _breaking(tmp_path: Path) -> Path:
    doc = yaml.safe_load(RAW.read_text(encoding="utf-8"))
    doc["version"] = "2.0.0"
    doc["schema"][0]["properties"] = [p for p in doc["schema"][0]["properties"] if p["name"] != "source"]
    _custom(doc["customProperties"], "flywheelChange").update(
        changeClass="breaking", compatibilityPeriodDays=30, migrationNote="source is in the manifest",
        reason="source moves to the batch manifest")
    path = tmp_path / "raw-2.odcs.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def test_validate_and_plan_need_no_workspace(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("contracts", "validate", str(RAW), "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert (data["valid"], data["version_id"]) == (True, "cleaned-raw-pool@1.0.0")
    assert data["fields"] == ["id", "content", "source", "clean_timestamp"]
    assert "duplicate_rate < 0.01" in data["thresholds"]
    plan = cli("contracts", "plan", str(RAW), "--json")
    assert plan.code == 0, plan.err
    assert plan.json()["contract"] == "cleaned-raw-pool@1.0.0"
    assert plan.json()["checks"]["near_duplicates"]["threshold"] == 0.8


def test_import_list_show_export_plan(ccli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = ccli("contracts", "import", str(RAW), "--by", "data-owner", "--project", "P-TEST", "--json")
    assert result.code == 0, result.err
    assert (result.json()["id"], result.json()["state"]) == ("cleaned-raw-pool@1.0.0", "active")
    listed = ccli("contracts", "list", "--json").json()
    assert [(c["id"], c["versions"]) for c in listed] == [("cleaned-raw-pool", ["1.0.0 (active)"])]
    shown = ccli("contracts", "show", "cleaned-raw-pool", "--json").json()
    assert shown["contract"]["producer_role"] == "data_engineer" and shown["notices"] == []
    out = tmp_path / "exported.odcs.yaml"
    assert ccli("contracts", "export", "cleaned-raw-pool@1.0.0", "--out", str(out)).code == 0
    assert out.read_bytes() == RAW.read_bytes()
    exported = ccli("contracts", "export", "cleaned-raw-pool")
    assert exported.out == RAW.read_text(encoding="utf-8")
    plan = ccli("contracts", "plan", "cleaned-raw-pool@1.0.0", "--json").json()
    assert plan["id_field"] == "id" and plan["text_fields"] == ["content"]


def test_breaking_proposal_notices_activation_and_rate(ccli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert ccli("contracts", "import", str(RAW), "--by", "data-owner").code == 0
    result = ccli("contracts", "propose", str(_breaking(tmp_path)), "--by", "data-engineer", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert data["change_class"] == "breaking" and data["state"] == "proposed"
    assert data["changes"] == ["[structural] field removed fields.source (breaking)"]
    assert sorted(n["person_id"] for n in data["notices"]) == [  # C and I of Table 24-7
        "algorithm-engineer", "annotation-engineer", "data-owner", "legal-compliance",
        "platform-engineer", "quality-evaluator"]
    early = ccli("contracts", "activate", "cleaned-raw-pool@2.0.0", "--by", "data-owner")
    assert early.code == 2 and "cleaned-raw-pool@2.0.0 takes effect at" in early.err
    later = datetime.now(UTC) + timedelta(days=15)
    with time_machine.travel(later, tick=False):
        activated = ccli("contracts", "activate", "cleaned-raw-pool@2.0.0", "--by", "data-owner", "--json")
    assert activated.code == 0, activated.err
    assert activated.json()["state"] == "active"
    rate = ccli("contracts", "notice-rate", "--json").json()
    assert rate == {"breaking": 1, "on_time": 1, "late": [], "rate": 1.0}
    with time_machine.travel(later + timedelta(days=30), tick=False):
        retired = ccli("contracts", "retire-expired", "--by", "data-owner", "--json")
    assert retired.json() == {"retired": ["cleaned-raw-pool@1.0.0"]}


def test_bad_inputs_are_one_line_and_store_nothing(ccli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.odcs.yaml"
    bad.write_text(RAW.read_text(encoding="utf-8").replace("mustBeLessThan: 1.0", "mustBeLessThan: 140"),
                   encoding="utf-8")
    result = ccli("contracts", "import", str(bad), "--by", "data-owner")
    assert result.code == 2
    assert result.err.strip().replace("\n", " ") == (
        f"error: {bad}: invalid contract; field 'schema[0].quality[0]'; expected duplicate_rate "
        "threshold 140 % is out of range 0 % to 100 %")
    assert "Traceback" not in result.err
    assert ccli("contracts", "list", "--json").json() == []
    missing = ccli("contracts", "show", "nope@1.0.0")
    assert missing.code == 2 and "contract version nope@1.0.0 does not exist" in missing.err
    naive = ccli("contracts", "propose", str(_breaking(tmp_path)), "--effective", "2026-12-01T10:00")
    assert naive.code == 2 and "a time needs a zone; field '--effective'" in naive.err


def test_text_output_plan_file_and_effective_date(ccli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert ccli("contracts", "import", str(RAW), "--by", "data-owner").code == 0
    listed = ccli("contracts", "list")
    assert listed.code == 0 and "cleaned-" in listed.out  # rich wraps the cell at 80 columns
    shown = ccli("contracts", "show", "cleaned-raw-pool@1.0.0")
    assert shown.code == 0 and "state: active" in shown.out
    out = tmp_path / "plan.yaml"
    assert ccli("contracts", "plan", "cleaned-raw-pool", "--out", str(out)).code == 0
    from dataflywheel.checks.plan import load_plan

    assert load_plan(out).contract == "cleaned-raw-pool@1.0.0"
    result = ccli("contracts", "propose", str(_breaking(tmp_path)), "--by", "data-engineer",
                  "--effective", "2031-01-01")
    assert result.code == 0, result.err
    assert "proposed cleaned-raw-pool@2.0.0 (breaking), effective 2031-01-01T00:00:00+00:00" in result.out
    assert "notice → legal-compliance (C)" in result.out
    rate = ccli("contracts", "notice-rate")
    assert rate.code == 0 and "advance-notice rate: 100% (1/1)" in rate.out


def test_validate_refuses_an_alias_bomb_in_one_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bomb = tmp_path / "bomb.odcs.yaml"
    bomb.write_text('a: &a ["x","x","x","x","x","x","x","x"]\nb: [*a,*a,*a,*a,*a,*a,*a,*a]\n',
                    encoding="utf-8")
    result = cli("contracts", "validate", str(bomb))
    assert result.code == 2
    assert result.err.strip().replace("\n", " ") == (
        f"error: {bomb}:2: YAML aliases are not allowed; expected plain values (no '*alias' "
        "references); got '*a'")
