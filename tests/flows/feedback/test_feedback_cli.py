"""`flywheel feedback ...` end to end through the real CLI."""

from __future__ import annotations

import json

from fb_helpers import add_route_projects, event


def _jsonl(path, rows):
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def test_ingest_route_explain_theme_promote_metrics(team, cli, tmp_path):
    add_route_projects(team)
    path = _jsonl(tmp_path / "fb.jsonl", [
        event("C-1", text="percent discount price wrong"),
        event("C-2", text="percent discount markup wrong"),
        event("C-3", failure_type="tool_call_failure", text="bad JSON arguments"),
        event("C-4", failure_type="other", text="odd"),
    ])
    result = cli("feedback", "ingest", str(path), "--json")
    assert result.code == 0 and result.json()["received"] == 4

    explained = cli("feedback", "route", "--explain", "C-3", "--json").json()
    assert explained["rule"] == "messy-tool-calls" and explained["outcome"] == "routed"
    assert explained["trials"][2]["conditions"][0]["detail"] == \
        "failure_type 'tool_call_failure' in ['tool_call_failure']"
    text = cli("feedback", "route", "--explain", "C-3")
    assert "✓ matched messy-tool-calls" in text.out and "C-3 → routed P-AGENT-TOOLS" in text.out

    routed = cli("feedback", "route", "--json").json()
    assert routed["routed"] == 3 and routed["triage_reasons"] == {"C-4": "no routing rule matched (8 tried)"}
    queue = cli("feedback", "triage", "list", "--json").json()
    assert [e["id"] for e in queue] == ["C-4"]
    assigned = cli("feedback", "triage", "assign", "C-4", "--project", "P-TEST", "--reason", "ours", "--json")
    assert assigned.json()["route_rule"] == "manual:tester"  # the person the login acts as

    formed = cli("feedback", "themes", "form", "--json").json()
    assert len(formed["created"]) == 3
    themes = cli("feedback", "themes", "list", "--json").json()
    top = themes[0]
    assert top["event_count"] == 2 and "percent" in top["top_terms"]
    shown = cli("feedback", "themes", "show", top["id"])
    assert top["id"] in shown.out and "C-1" in shown.out

    ranked = cli("feedback", "prioritise", "--json").json()
    assert ranked["formula"].startswith("leverage = ")
    promoted = cli("feedback", "promote", "--requester", "algorithm-engineer", "--top", "1", "--json").json()
    assert len(promoted["promoted"]) == 1 and len(promoted["queued"]) == 2
    metrics = cli("feedback", "metrics", "--json").json()
    assert metrics["routed_events"] == 4 and metrics["feedback_loop_rate"] == 0.0
    assert cli("feedback", "absorb", "--json").json() == {"absorbed": {}}
    assert "feedback-loop rate: 0.0%" in cli("feedback", "metrics").out


def test_rules_check_exits_1_on_problems_and_rules_show(team, cli, tmp_path):
    cli("feedback", "ingest", str(_jsonl(tmp_path / "a.jsonl", [event("R-1")])))
    result = cli("feedback", "rules", "check", "--json")
    assert result.code == 1
    rows = {r["rule"]: r for r in result.json()["rules"]}
    assert rows["legal-refusal-gaps"]["problems"][0] == "matches none of the 1 stored events"
    good = tmp_path / "rules.yaml"
    good.write_text("rules:\n  - {name: own, route: {project: $event}}\n")
    assert cli("feedback", "rules", "check", "--rules", str(good)).code == 0
    shown = cli("feedback", "rules", "show", "--json").json()
    assert shown["rules"][0]["name"] == "legal-refusal-gaps"


def test_bad_input_is_one_clear_line(team, cli, tmp_path):
    looping = tmp_path / "loop.yaml"
    looping.write_text("rules:\n  - {name: a, forward: b}\n  - {name: b, forward: a}\n")
    result = cli("feedback", "route", "--rules", str(looping))
    assert result.code == 2
    assert f"{looping}: routing rules loop: a → b → a" in result.err
    missing = cli("feedback", "ingest", str(tmp_path / "none.jsonl"))
    assert missing.code == 2 and "input file not found" in missing.err
    bad = cli("feedback", "promote", "--requester", "algorithm-engineer", "--priority", "P9")
    assert bad.code == 2 and "unknown priority" in bad.err
    weights = tmp_path / "w.yaml"
    weights.write_text("risk: -2\n")
    bad_w = cli("feedback", "prioritise", "--weights", str(weights))
    assert bad_w.code == 2 and "invalid leverage weights; field 'risk'" in bad_w.err


def test_import_eval_and_predictions_report_counts(team, cli, tmp_path):
    results = _jsonl(tmp_path / "res.jsonl", [
        {"question": "What is 10% of 50?", "ground_truth": "A: 5",
         "m1": str({"is_correct": False, "solution": "A: 6"}), "m2": {"is_correct": True, "solution": "A: 5"}},
    ])
    out = cli("feedback", "import-eval", str(results), "--project", "P-TEST")
    assert out.code == 0
    assert "1 lines, 2 items checked (correct 1, incorrect 1), 1 flagged" in out.out
    preds = _jsonl(tmp_path / "self_instruct_predictions_mymodel.jsonl", [
        {"instruction": "Say hi", "input": "", "response": "", "target": "hi"},
    ])
    data = cli("feedback", "import-predictions", str(preds), "--project", "P-TEST", "--json").json()
    assert data["labels"] == {"D": 1} and data["received"] == 1
    events = cli("feedback", "list", "--json").json()
    assert {e["model_version"] for e in events} == {"m1", "mymodel"}
    rejected = cli("feedback", "rejections", "--json").json()
    assert rejected == []


def test_rejections_and_theme_decisions_through_the_cli(team, cli, tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(json.dumps(event("M-1")).encode() + b"\n" + b'{"id": "M-2"}\n')
    out = cli("feedback", "ingest", str(path))
    assert out.code == 0
    assert "1 received, 0 to triage, 0 already stored, 1 rejected" in out.out
    assert "line 2: missing required field(s): occurred_at, source, failure_type" in out.out
    rows = cli("feedback", "rejections", "--json").json()
    assert [(r["line"], r["field"]) for r in rows] == [(2, "occurred_at")]
    cli("feedback", "route")
    cli("feedback", "themes", "form")
    [theme] = cli("feedback", "themes", "list", "--json").json()
    queued = cli("feedback", "themes", "queue", theme["id"], "--reason", "next quarter", "--json").json()
    assert (queued["state"], queued["decision_reason"]) == ("queued", "next quarter")
    declined = cli("feedback", "themes", "decline", theme["id"], "--reason", "won't fix")
    assert declined.code == 0 and "declined: won't fix" in declined.out
    again = cli("feedback", "themes", "decline", theme["id"], "--reason", " ")
    assert again.code == 2 and "queuing or declining a theme needs a reason" in again.err
    missing = cli("feedback", "themes", "show", "TH-9999")
    assert missing.code == 2 and "theme TH-9999 does not exist" in missing.err
