"""The quality report on the report pattern: Markdown pinned byte for byte, JSON = the stored record,
HTML with the same numbers as the JSON, the gates chart over the same gates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reportsamples import bare_report, full_report
from tablescrape import tables, text_of

from dataflywheel.checks.report import QualityReport
from dataflywheel.errors import BadInput
from dataflywheel.reports.charts import VEGA_LITE_SCHEMA
from dataflywheel.reports.registry import REPORTS, spec_for, spec_named
from dataflywheel.reports.render import chart, json_text, render

GOLDEN = Path(__file__).parent / "golden"
SAMPLES = {"full": full_report, "bare": bare_report}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_markdown_is_byte_identical_to_what_check_markdown_wrote(name: str) -> None:
    # The goldens were written by checks/markdown.py before the template replaced it.
    expected = (GOLDEN / f"quality_{name}.md").read_bytes()
    assert render(SAMPLES[name](), "markdown").encode("utf-8") == expected


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_json_is_the_stored_record_byte_for_byte(name: str) -> None:
    report = SAMPLES[name]()
    assert render(report, "json") == report.to_json()
    assert QualityReport.model_validate_json(render(report, "json")) == report


def _number(cell: str) -> float | None:
    return None if cell == "undefined" else float(cell)


def test_html_shows_the_numbers_of_the_json() -> None:
    data = json.loads(render(full_report(), "json"))
    page = render(full_report(), "html")
    shown = tables(page)
    assert int(text_of(page, "records")) == data["records"]
    assert int(text_of(page, "rejected")) == data["rejected"]
    assert [[r[0]] + [int(c) for c in r[1:]] for r in shown["files"]] == [
        [f["file"], f["bytes"], f["lines"], f["records"], f["undecodable"], f["empty_lines"]]
        for f in data["files"]]
    assert [(r[0], r[1], float(r[2]), _number(r[3]), r[4]) for r in shown["gates"]] == [
        (g["metric"], g["op"], pytest.approx(g["value"], rel=1e-5),
         None if g["observed"] is None else pytest.approx(g["observed"], rel=1e-5),
         "pass" if g["passed"] else "FAIL") for g in data["gates"]]
    assert {r[0]: float(r[1]) for r in shown["metrics"]} == pytest.approx(data["metrics"], rel=1e-5)
    breakdown = {(group, metric): value for result in data["checks"].values()
                 for group, metrics in result["breakdown"].items()
                 for metric, value in metrics.items()}
    assert {(r[0], r[1]): float(r[2]) for r in shown["breakdown"]} == breakdown
    assert [(r[0], int(r[1]), r[2] or None, r[3]) for r in shown["rejects"]] == [
        (r["file"], r["line"], r["record_id"], r["reason"]) for r in data["rejects"]]


def test_html_escapes_what_the_records_say() -> None:
    page = render(full_report(), "html")
    assert "demo <plan>" not in page and "demo &lt;plan&gt;" in page
    assert "r&lt;3&gt;" in page and "line 1 &amp; 2" in page


def test_html_leaves_out_the_parts_a_report_does_not_have() -> None:
    shown = tables(render(bare_report(), "html"))
    assert set(shown) == {"files", "metrics"} and shown["files"] == shown["metrics"] == []


def test_gates_chart_is_a_vega_lite_spec_of_the_gates() -> None:
    report = full_report()
    spec = json.loads(json_text(chart(report, "gates")))
    assert spec["$schema"] == VEGA_LITE_SCHEMA
    assert [(v["metric"], v["threshold"], v["observed"], v["result"])
            for v in spec["data"]["values"]] == [
        (g.metric, g.value, g.observed, "pass" if g.passed else "fail") for g in report.gates]
    assert [layer["encoding"]["x"]["field"] for layer in spec["layer"]] == ["observed", "threshold"]


def test_the_registry_finds_the_quality_report_by_name_and_by_context() -> None:
    assert spec_named("quality") is spec_for(full_report()) is REPORTS["quality"]


def test_unknown_names_are_bad_input_and_an_unknown_context_is_a_bug() -> None:
    with pytest.raises(BadInput, match="unknown report format"):
        render(full_report(), "pdf")  # type: ignore[arg-type]
    with pytest.raises(BadInput, match="unknown chart"):
        chart(full_report(), "pie")
    with pytest.raises(BadInput, match="unknown report"):
        spec_named("weekly")
    with pytest.raises(TypeError, match="no report renders a dict"):
        render({"a": 1}, "html")


def test_json_of_a_frozen_dataclass_context_follows_the_same_rule() -> None:
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Week:
        label: str
        counts: dict[str, int]

    assert json_text(Week("2026-W49", {"b": 2, "a": 1})) == (
        '{\n  "counts": {\n    "a": 1,\n    "b": 2\n  },\n  "label": "2026-W49"\n}\n')
