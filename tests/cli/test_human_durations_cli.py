"""Durations the CLI shows to people are whole units ("2 weeks ahead", "in 4 hours"), never a float
of days such as "-1.6e-05 days ahead"."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import yaml
from contract_fixtures import contract_path

RAW = contract_path("cleaned-raw-pool")


def _breaking(tmp_path: Path) -> Path:
    doc = yaml.safe_load(RAW.read_text(encoding="utf-8"))
    doc["version"] = "2.0.0"
    doc["schema"][0]["properties"] = [p for p in doc["schema"][0]["properties"]
                                      if p["name"] != "source"]
    change = next(p["value"] for p in doc["customProperties"] if p["property"] == "flywheelChange")
    change.update(changeClass="breaking", compatibilityPeriodDays=30, reason="source moves",
                  migrationNote="source is in the manifest")
    path = tmp_path / "raw-2.odcs.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def test_a_notice_effective_at_once_is_not_a_float_of_days(team, cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert cli("contracts", "import", str(RAW), "--by", "data-owner").code == 0
    effective = datetime.now(UTC).isoformat()  # the CLI's clock reads a few ms later
    result = cli("contracts", "propose", str(_breaking(tmp_path)), "--by", "data-engineer",
                 "--effective", effective, "--short-notice", "legal takedown")
    assert result.code == 0, result.err
    assert "notice → legal-compliance (C), with no lead time" in result.out
    assert not re.search(r"e-\d\d|\d\.\d+ days", result.out), result.out
    shown = cli("contracts", "show", "cleaned-raw-pool@2.0.0", "--json").json()
    assert shown["notices"][0]["effective_at"].startswith(effective[:16])  # exact time kept in JSON


def test_opening_an_issue_says_when_it_is_due_in_words(team, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("issues", "open", "Blank answers", "--severity", "P1", "--project", "P-TEST")
    assert result.code == 0, result.err
    said = " ".join(result.out.split())  # rich wraps at 80 columns
    assert re.search(r"; respond in 4 hours \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\), remediate in 48 "
                     r"hours \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)$", said), said
    assert not re.search(r"\d\d:\d\d:\d\d\.\d+", said), said  # no raw microseconds


def test_time_to_absorb_is_said_in_words_or_not_at_all(team, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("feedback", "metrics")
    assert result.code == 0, result.err
    assert "time-to-absorb: no theme absorbed yet" in result.out
    assert "None" not in result.out


def test_time_to_absorb_formats_days_in_words() -> None:
    from dataflywheel.flows.feedback.reflux import absorb_times

    assert absorb_times({"count": 1, "median": 0.0, "max": 0.0}) == (
        "time-to-absorb: 1 theme, median under a minute, max under a minute")
    assert absorb_times({"count": 3, "median": 2.4, "max": 20.0}) == (
        "time-to-absorb: 3 themes, median 2 days, max 3 weeks")
